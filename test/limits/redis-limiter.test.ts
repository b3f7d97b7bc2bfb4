import { after, before } from 'node:test';
import { createRedisLimiter } from '../../src/limits/redis-limiter.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { limiterContract } from './limiter.contract.ts';

let server: TestRedis;
const connections: RedisConnection[] = [];
let n = 0;
before(async () => {
  server = await startTestRedis();
});
after(async () => {
  for (const c of connections) await c.close();
  await server.stop();
});

async function connect(prefix: string): Promise<RedisConnection> {
  const conn = createRedisConnection({ url: server.url, commandTimeoutMs: 1000, keyPrefix: prefix });
  connections.push(conn);
  await conn.waitReady(5000);
  return conn;
}

limiterContract('redis', async () => {
  const prefix = `t${++n}:`;
  return { a: createRedisLimiter(await connect(prefix)), b: createRedisLimiter(await connect(prefix)) };
});
