/**
 * @module usage — `createUsageLedger(config, redis?)`: the usage ledger. With a Redis connection it is shared by
 * all gateway replicas (and `lorag usage` can read it); without one it lives in this process.
 */
import type { Config } from '../config/schema.ts';
import type { RedisConnection } from '../redis/connection.ts';
import type { UsageLedgerStore } from './ledger.ts';
import { createMemoryLedger } from './memory-ledger.ts';
import { createRedisLedger } from './redis-ledger.ts';

export type { UsageFilter, UsageLedgerStore, UsageRow } from './ledger.ts';

export function createUsageLedger(_config: Config, redis?: RedisConnection): UsageLedgerStore {
  return redis ? createRedisLedger(redis) : createMemoryLedger();
}
