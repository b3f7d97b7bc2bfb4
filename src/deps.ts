/**
 * @module deps — builds the request path's dependencies from the config: one implementation per seam,
 * chosen by the config's `kind`. The only place that knows which backends exist.
 */
import { createRedisLock } from './adapters/redis-lock.ts';
import { loadRegistry } from './adapters/registry.ts';
import { buildKeyIndex } from './auth/authenticate.ts';
import { noCache } from './cache/types.ts';
import type { Config } from './config/schema.ts';
import type { ConfigState, Deps, Observer } from './http/deps.ts';
import { silentObserver } from './http/deps.ts';
import { noLedger, noLimits } from './limits/types.ts';
import { noRetrieval } from './rag/types.ts';
import { adminAdapterRoutes } from './http/routes/admin-adapters.ts';
import { redisFromConfig } from './redis/connection.ts';
import { type PoolEvents, ReplicaPool } from './upstream/replica-pool.ts';
import type { ExtraRoutes } from './app.ts';

export function buildState(config: Config): ConfigState {
  return { config, keys: buildKeyIndex(config), registry: loadRegistry(config.adapters.dir) };
}

export interface Built {
  deps: Deps;
  extra: ExtraRoutes;
  /** Swaps in a new config (SIGHUP); the caller has validated it. */
  reload(config: Config): void;
  close(): Promise<void>;
}

export async function buildDeps(config: Config, options: { observer?: Observer; poolEvents?: PoolEvents } = {}): Promise<Built> {
  let state = buildState(config);
  const observer = options.observer ?? silentObserver;
  // With Redis, adapter loads are single-flight across gateway processes (a short lock per replica+adapter).
  const lockRedis = redisFromConfig(config.redis, 'lorag-adapter-lock');
  const pool = new ReplicaPool(config.upstreams, { lock: lockRedis && createRedisLock(lockRedis), events: options.poolEvents });
  const deps: Deps = {
    current: () => state,
    pool,
    cache: noCache,
    limits: noLimits,
    ledger: noLedger,
    retrieval: noRetrieval,
    embedder: null,
    observer,
  };
  return {
    deps,
    extra: { v1: [], admin: [adminAdapterRoutes(deps)] },
    reload(next) {
      state = buildState(next);
    },
    async close() {
      await pool.close();
      await lockRedis?.close();
      await deps.cache.close?.();
      await deps.limits.close?.();
      await deps.retrieval.close?.();
    },
  };
}
