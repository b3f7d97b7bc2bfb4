/**
 * @module cache — `createCacheStage(config, redis?)`: the response cache the request path calls, built from the
 * `cache` section: `off` (every request bypasses), `memory` (a bounded LRU in this process) or `redis` (shared by
 * all gateway replicas; needs the shared connection from `redis/connection.ts`).
 */
import type { Config } from '../config/schema.ts';
import type { RedisConnection } from '../redis/connection.ts';
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import { type CacheStage, createResponseCache } from './response-cache.ts';
import type { CacheStore } from './store.ts';
import { noCache } from './types.ts';

export {
  chunksToCompletion,
  completionToChunks,
  entryFromChunks,
  entryFromCompletion,
  idOf,
  replayChunks,
} from './replay.ts';
export type { CacheAdmin, CacheStage } from './response-cache.ts';
export type { PurgeFilter, TenantCacheStats } from './store.ts';

/** The stage when `cache.kind` is `off`: every request bypasses; purge and stats are empty. */
export const disabledCacheStage: CacheStage = { ...noCache, purge: async () => 0, stats: async () => ({}) };

export function createCacheStore(config: Config, redis?: RedisConnection): CacheStore | null {
  const c = config.cache;
  if (c.kind === 'off') return null;
  if (c.kind === 'redis') {
    if (!redis) throw new Error('cache.kind is redis but no Redis connection was given (set redis.url)');
    return createRedisStore(redis);
  }
  return createMemoryStore({ maxEntries: c.max_entries, maxBytes: c.max_bytes });
}

export function createCacheStage(config: Config, redis?: RedisConnection): CacheStage {
  const store = createCacheStore(config, redis);
  if (!store) return disabledCacheStage;
  const c = config.cache;
  return createResponseCache({
    store,
    ttlS: c.ttl_s,
    maxEntryBytes: c.max_entry_bytes,
    coalesceWaitMs: c.coalesce_wait_ms,
    lockTtlMs: c.lock_ttl_ms,
  });
}
