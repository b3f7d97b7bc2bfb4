import { after, before } from 'node:test';
import { createRedisStore } from '../../src/cache/redis-store.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { cacheStoreContract } from '../contracts/cache-store.contract.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

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

cacheStoreContract('redis', async () => {
  const conn = createRedisConnection({ url: server.url, commandTimeoutMs: 500, keyPrefix: `test${++n}:` });
  connections.push(conn);
  await conn.waitReady(5000);
  return createRedisStore(conn);
});
