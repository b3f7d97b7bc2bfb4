/**
 * @module http/deps — everything the routes need, built by the composition root (src/deps.ts) and passed to
 * createApp(). The config-derived part sits behind `current()` so SIGHUP can swap it atomically.
 */
import type { AdapterRegistry } from '../adapters/registry.ts';
import type { KeyIndex } from '../auth/authenticate.ts';
import type { ResponseCacheStage } from '../cache/types.ts';
import type { Config } from '../config/schema.ts';
import type { Embedder } from '../embeddings/types.ts';
import type { RateLimitStage, UsageLedger } from '../limits/types.ts';
import type { RetrievalStage } from '../rag/types.ts';
import type { ReplicaPool } from '../upstream/replica-pool.ts';

export interface ConfigState {
  config: Config;
  keys: KeyIndex;
  registry: AdapterRegistry;
}

/** One finished request, as metrics and the request log see it. */
export interface RequestRecord {
  requestId: string;
  endpoint: string;
  tenant: string | null;
  adapter: string | null;
  strategy: string | null;
  cache: string | null;
  replica: string | null;
  status: number;
  durationMs: number;
  ttftMs: number | null;
  usage: { prompt_tokens: number; completion_tokens?: number } | null;
  degraded: string[];
  citations: number;
  /** Prompt and answer, only present when the tenant opted into content logging. */
  content?: { request: unknown; response: string };
}

/** Telemetry hooks the routes call; the implementation lives in src/telemetry. */
export interface Observer {
  requestStarted(tenant: string): void;
  requestFinished(record: RequestRecord): void;
  cacheResult(tenant: string, result: string): void;
  rateLimited(tenant: string): void;
  upstreamError(replica: string, kind: string): void;
  retrieval(tenant: string, seconds: number): void;
  renderMetrics?(): Promise<{ contentType: string; body: string }>;
}

export const silentObserver: Observer = {
  requestStarted() {},
  requestFinished() {},
  cacheResult() {},
  rateLimited() {},
  upstreamError() {},
  retrieval() {},
};

export interface Deps {
  current(): ConfigState;
  pool: ReplicaPool;
  cache: ResponseCacheStage;
  limits: RateLimitStage;
  ledger: UsageLedger;
  retrieval: RetrievalStage;
  embedder: Embedder | null;
  observer: Observer;
  /** Readiness details of optional dependencies (Redis, vector store) for /readyz's body. */
  dependencyStatus?(): Promise<Record<string, { ok: boolean; detail?: string }>>;
}
