/**
 * @module feedback/types — online feedback: what a served request is remembered as (so feedback can be
 * attributed to tenant × adapter@version × strategy without touching the request path), the body of
 * `POST /v1/feedback`, and the store seam (memory | Redis) with its aggregates.
 */
import { z } from 'zod';

/** A finished generation request, as the telemetry observer reports it. */
export interface ServedRecord {
  id: string;
  tenant: string;
  /** `legal@1` or `base`. */
  adapter: string;
  strategy: string;
  at: number;
}

export const feedbackBodySchema = z
  .object({
    request_id: z.string().min(1).max(128).optional(),
    response_id: z.string().min(1).max(128).optional(),
    /** 0 = bad … 1 = good (thumbs down/up, or a rating scaled to 0..1). */
    score: z.number().min(0).max(1),
    comment: z.string().max(2000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(20).optional(),
  })
  .strict()
  .refine((b) => (b.request_id === undefined) !== (b.response_id === undefined), {
    message: 'give exactly one of request_id or response_id',
    path: ['request_id'],
  });

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
