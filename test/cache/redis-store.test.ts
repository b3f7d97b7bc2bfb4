import { after, before } from 'node:test';
import { createRedisStore } from '../../src/cache/redis-store.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { cacheStoreContract } from '../contracts/cache-store.contract.ts';
import { redisForTestFile } from './redis-server.ts';

const redis = redisForTestFile(500);
let n = 0;

cacheStoreContract('redis', async () => {
  return createRedisStore(await redis.connect(`test${++n}:`));
});
