/** @module cache/config — the `cache` section of lorag.yaml. */
import { z } from 'zod';

export const cacheConfigSchema = z
  .object({
    /** `memory`: a bounded LRU in this process; `redis`: shared by all gateway replicas (needs `redis.url`). */
    kind: z.enum(['memory', 'redis', 'off']).default('memory'),
    ttl_s: z.number().int().min(1).default(3600),
    max_entry_bytes: z.number().int().min(1024).default(1_048_576),
    max_entries: z.number().int().min(1).default(10_000),
    /** `memory` only: the LRU's total size; the least recently read entries go first. */
    max_bytes: z.number().int().min(1024).default(268_435_456),
    /** How long a follower waits for an identical in-flight request before calling upstream itself. */
    coalesce_wait_ms: z.number().int().min(0).default(30_000),
    /**
     * The cross-replica coalescing lock lives this long unless its holder renews it (every third of it) while
     * its upstream call runs; a holder that dies is replaced after at most this long.
     */
    lock_ttl_ms: z.number().int().min(100).default(10_000),
  })
  .strict()
  .default({
    kind: 'memory',
    ttl_s: 3600,
    max_entry_bytes: 1_048_576,
    max_entries: 10_000,
    max_bytes: 268_435_456,
    coalesce_wait_ms: 30_000,
    lock_ttl_ms: 10_000,
  });
export type CacheConfig = z.infer<typeof cacheConfigSchema>;

/** Per-tenant cache policy. */
export const tenantCacheSchema = z
  .object({
    ttl_s: z.number().int().min(1).optional(),
    /** Cache even when temperature > 0 and no seed is set. */
    force: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .strict()
  .default({ force: false, enabled: true });
