/**
 * @module usage/hits-ledger — the cache-hit ledger: answers served from the response cache, per tenant and
 * adapter per UTC hour (key `*`: the request path does not report the key of a hit), kept with the usage
 * ledger's own code under its own prefix (`Pcache-hits:usage:<hour>`) in Redis, else in this process. The usage
 * ledger counts only answers from vLLM; the chargeback report needs both.
 */
import type { RedisConnection } from '../redis/connection.ts';
import type { UsageLedgerStore } from './ledger.ts';
import { createMemoryLedger } from './memory-ledger.ts';
import { createRedisLedger } from './redis-ledger.ts';

/** The same connection with the hit ledger's key prefix. */
export function hitsConnection(redis: RedisConnection): RedisConnection {
  return Object.create(redis, { prefix: { value: `${redis.prefix}cache-hits:` } }) as RedisConnection;
}

export function createHitsLedger(redis?: RedisConnection): UsageLedgerStore {
  return redis ? createRedisLedger(hitsConnection(redis)) : createMemoryLedger();
}
