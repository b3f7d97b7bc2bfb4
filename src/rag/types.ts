/**
 * @module rag/types — what the request path needs from retrieval: knowledge revisions (for the cache key,
 * cheap: served from memory, refreshed in the background) and `retrieve()`, which returns the request body
 * with the numbered sources composed into its system message, and the citations in source order.
 */
import type { TenantConfig } from '../config/schema.ts';
import type { Endpoint, GenerationRequest } from '../openai/requests.ts';
import type { Citation } from '../openai/responses.ts';
import type { Plan } from '../routing/plan.ts';

export interface RetrieveInput {
  tenantId: string;
  tenant: TenantConfig;
  plan: Plan;
  endpoint: Endpoint;
  body: GenerationRequest;
  /** The replica's context window (max_model_len), when known, for the passage token budget. */
  maxModelLen?: number;
  signal?: AbortSignal;
}

export interface Retrieval {
  body: GenerationRequest;
  citations: Citation[];
  /** Embedder or store failed and the tenant's policy is to answer without context. */
  degraded: boolean;
}

export interface RetrievalStage {
  revisions(tenantId: string, collections: string[]): Promise<Record<string, number>>;
  retrieve(input: RetrieveInput): Promise<Retrieval>;
  close?(): Promise<void>;
}

export const noRetrieval: RetrievalStage = {
  async revisions() {
    return {};
  },
  async retrieve(input) {
    return { body: input.body, citations: [], degraded: false };
  },
};
