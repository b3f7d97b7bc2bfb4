/**
 * @module cache/types — what the request path needs from the response cache stage. The HTTP route calls
 * `begin()` once per request (after planning, before retrieval) and then, if it had to call upstream,
 * `complete()` with the full answer or `abandon()` when the call failed or the client went away.
 */
import type { TenantConfig } from '../config/schema.ts';
import type { Endpoint, GenerationRequest } from '../openai/requests.ts';
import type { Citation, Usage } from '../openai/responses.ts';
import type { Plan } from '../routing/plan.ts';
import type { PurgeFilter, TenantCacheStats } from './store.ts';

/** A stored answer. Streams keep their exact SSE chunks so a replay has the same boundaries. */
export interface CachedCompletion {
  endpoint: Endpoint;
  /** The SSE `data:` payloads (JSON text, without `data: ` and without `[DONE]`), when the answer was streamed. */
  chunks: string[] | null;
  /**
   * The final JSON response, citations and annotations included; null for a stored stream (assembled from its
   * chunks on demand, `completionOf` in replay.ts).
   */
  completion: Record<string, unknown> | null;
  /**
   * That completion as JSON text, exactly as sent, when the gateway sent vLLM's text unchanged: a hit sends it
   * without a parse and a stringify (`completion` is then null and parsed only when something needs it).
   */
  body?: string;
  /** The completion's `id` (feedback resolves answers by it), kept so a hit need not parse the answer. */
  id?: string | null;
  usage: Usage | null;
  citations: Citation[];
}

export type CacheStatus = 'hit' | 'miss' | 'bypass' | 'coalesced';

export interface CacheSession {
  status: CacheStatus;
  /** Set when status is `hit` or `coalesced`. */
  entry: CachedCompletion | null;
  /** The cache backend failed (Redis down, timeout): `x-lorag-degraded: cache`. */
  degraded: boolean;
  /** Store a complete answer (unless `no-store`) and wake coalesced followers. */
  complete(entry: CachedCompletion): Promise<void>;
  /** The upstream call failed or was aborted: wake followers, store nothing. */
  abandon(): void;
}

export interface CacheBeginInput {
  tenantId: string;
  tenant: TenantConfig;
  plan: Plan;
  endpoint: Endpoint;
  /** The validated request body (before retrieval; `lorag` extension still present). */
  body: GenerationRequest;
  /** Knowledge revision per collection used (empty without retrieval). */
  revisions: Record<string, number>;
  /** The request's `cache-control` header. */
  cacheControl: string | undefined;
}

/**
 * The stored answer's lookup, started before the request is admitted so that the shared store's read overlaps
 * the limiter's round trip (read only: nothing is counted, locked or coalesced until `begin`).
 */
export interface CacheLookahead {
  readonly hash: string;
  /** The stored value, or null (absent, or the store failed: `failed`). */
  readonly value: Promise<{ value: string | null; failed: boolean }>;
}

export interface ResponseCacheStage {
  /** Starts the lookup `begin(input)` would make; undefined when the request will not look up. */
  lookahead?(input: CacheBeginInput): CacheLookahead | undefined;
  begin(input: CacheBeginInput, lookahead?: CacheLookahead): Promise<CacheSession>;
  /** Admin: deletes the entries matching every given filter; returns how many. */
  purge?(filter: PurgeFilter): Promise<number>;
  /** Admin: lookups (hit, miss, bypass, coalesced), live entries and bytes per tenant. */
  stats?(): Promise<Record<string, TenantCacheStats>>;
  close?(): Promise<void>;
}

/** The stage when caching is off: every request bypasses. */
export const noCache: ResponseCacheStage = {
  async begin() {
    return { status: 'bypass', entry: null, degraded: false, async complete() {}, abandon() {} };
  },
};
