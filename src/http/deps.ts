/**
 * @module http/deps — everything the routes need, built by the composition root (src/deps.ts) and passed to
 * createApp(). The config-derived part sits behind `current()` so SIGHUP can swap it atomically.
 */
import type { AdapterRegistry } from '../adapters/registry.ts';
import type { KeyIndex } from '../auth/authenticate.ts';
import type { ResponseCacheStage } from '../cache/types.ts';
import type { Config } from '../config/schema.ts';
import type { Embedder } from '../embeddings/types.ts';
import type { RateLimitStage } from '../limits/types.ts';
import type { RetrievalStage } from '../rag/types.ts';
import type { TelemetryObserver as Observer } from '../telemetry/observer.ts';
import type { ReplicaPool } from '../upstream/replica-pool.ts';
import type { UsageLedger } from '../usage/ledger.ts';

export interface ConfigState {
  config: Config;
  keys: KeyIndex;
  registry: AdapterRegistry;
}

/** The telemetry hooks the routes call, and the record of one finished request; defined by the telemetry leaf. */
export type { FinishedRequest as RequestRecord, TelemetryObserver as Observer } from '../telemetry/observer.ts';

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
