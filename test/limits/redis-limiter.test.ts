import { after, before } from 'node:test';
import { createRedisLimiter } from '../../src/limits/redis-limiter.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { redisForTestFile } from '../cache/redis-server.ts';
import { limiterContract } from './limiter.contract.ts';

const redis = redisForTestFile(1000);
const connect = redis.connect;
let n = 0;

limiterContract('redis', async () => {
  const prefix = `t${++n}:`;
  return { a: createRedisLimiter(await connect(prefix)), b: createRedisLimiter(await connect(prefix)) };
});
