import { createRedisResponseStore } from '../../src/responses/store-redis.ts';
import { redisForTestFile } from '../cache/redis-server.ts';
import { responseStoreContract } from '../contracts/response-store.contract.ts';

const redis = redisForTestFile(500);
let n = 0;

responseStoreContract('redis', async (ttlMs) => createRedisResponseStore(await redis.connect(`test${++n}:`), ttlMs));
