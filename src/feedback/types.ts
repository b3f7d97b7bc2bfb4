/**
 * @module feedback/types — online feedback: what a served request is remembered as (so feedback can be
 * attributed to tenant × adapter@version × strategy without touching the request path), the body of
 * `POST /v1/feedback`, and the store seam (memory | Redis) with its aggregates.
 */
import type { z } from 'zod';
import { feedbackBodySchema } from '../openai/feedback-request.ts';

/** A finished generation request, as the telemetry observer reports it. */
export interface ServedRecord {
  id: string;
  tenant: string;
  /** `legal@1` or `base`. */
  adapter: string;
  strategy: string;
  at: number;
}

// The body schema lives with the other wire schemas (openai/, a leaf), so /openapi.json documents it.
export { feedbackBodySchema };

export type FeedbackBody = z.infer<typeof feedbackBodySchema>;

export interface FeedbackEntry {
  id: string;
  tenant: string;
  adapter: string;
  strategy: string;
  score: number;
  comment: string | null;
  tags: string[];
  at: number;
}

export interface FeedbackAggregate {
  tenant: string;
  adapter: string;
  strategy: string;
  count: number;
  sum: number;
  sum_squares: number;
  mean: number;
}

export interface FeedbackStore {
  /** Remembers a served request (bounded: oldest first out, or a TTL). */
  rememberServed(record: ServedRecord): Promise<void>;
  served(id: string): Promise<ServedRecord | null>;
  /** Records feedback; a second one for the same id replaces the first (aggregates follow). */
  submit(entry: FeedbackEntry): Promise<void>;
  aggregates(tenant?: string): Promise<FeedbackAggregate[]>;
  close?(): Promise<void>;
}

export function sortAggregates(rows: FeedbackAggregate[]): FeedbackAggregate[] {
  return rows.sort((a, b) =>
    a.tenant === b.tenant
      ? a.adapter === b.adapter
        ? a.strategy.localeCompare(b.strategy)
        : a.adapter.localeCompare(b.adapter)
      : a.tenant.localeCompare(b.tenant),
  );
}
