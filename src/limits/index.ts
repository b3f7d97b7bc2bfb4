/**
 * @module limits — `createRateLimitStage(config, redis?)`: per-tenant requests/min, tokens/min and concurrent
 * requests. `limits.kind: redis` shares the counters between gateway replicas through the given connection and
 * falls back to per-process counters while Redis is down; `memory` counts per process.
 */
import type { Config } from '../config/schema.ts';
import type { RedisConnection } from '../redis/connection.ts';
import { createMemoryLimiter } from './memory-limiter.ts';
import { createRateLimiter } from './rate-limit-stage.ts';
import { createRedisLimiter } from './redis-limiter.ts';
import type { RateLimitStage } from './types.ts';

export { formatReset, rateLimitHeaders } from './headers.ts';

export function createRateLimitStage(config: Config, redis?: RedisConnection): RateLimitStage {
  const local = createMemoryLimiter();
  if (config.limits.kind !== 'redis') return createRateLimiter({ local });
  if (!redis) throw new Error('limits.kind is redis but no Redis connection was given (set redis.url)');
  return createRateLimiter({ local, shared: { backend: createRedisLimiter(redis), available: () => redis.healthy } });
}
