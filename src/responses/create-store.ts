/** @module responses/create-store — the ResponseStore the config names (memory unless `responses.store: redis`). */
import type { ResponsesConfig } from '../config/responses-section.ts';
import type { RedisConnection } from '../redis/connection.ts';
import type { ResponseStore } from './store.ts';
import { createMemoryResponseStore } from './store-memory.ts';
import { createRedisResponseStore } from './store-redis.ts';

export function createResponseStore(config: ResponsesConfig, redis: RedisConnection | undefined): ResponseStore {
  if (config.store === 'redis') {
    if (!redis) throw new Error('responses.store is redis but redis.url is not set');
    return createRedisResponseStore(redis, config.ttl_s * 1000);
  }
  return createMemoryResponseStore({ maxEntries: config.max_entries, ttlMs: config.ttl_s * 1000 });
}
