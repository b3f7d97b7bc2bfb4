/**
 * The Redis DistributedLock against a private redis-server: the shared contract (two lock instances on two
 * connections stand for two gateway processes), a holder that died (its key left behind) loses the lock
 * when its lease runs out, a live holder keeps it past its lease by renewal, and with Redis down the work
 * runs anyway.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisLock } from '../../src/adapters/redis-lock.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { distributedLockContract } from '../contracts/distributed-lock.contract.ts';

let redis: TestRedis;
const open: RedisConnection[] = [];
let contractConnections: RedisConnection[] = [];
before(async () => {
  redis = await startTestRedis();
  contractConnections = [await connect('contract:'), await connect('contract:')];
});
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await redis.stop();
});

async function connect(prefix = 'lock-test:'): Promise<RedisConnection> {
  const c = createRedisConnection({ url: redis.url, commandTimeoutMs: 200, keyPrefix: prefix });
  open.push(c);
  assert.ok(await c.waitReady(2000));
  return c;
}

distributedLockContract('redis lock', () => ({
  locks: contractConnections.map((c) => createRedisLock(c, { leaseMs: 1000, pollMs: 5 })),
}));

test('a dead holder (key left behind, never renewed) loses the lock when its lease runs out', async () => {
  const c = await connect();
  // What a gateway that died while loading leaves behind: its token, with its lease.
  await c.client.set('lock-test:lock:dead', 'token-of-a-dead-process', 'PX', 300);
  const lock = createRedisLock(c, { leaseMs: 1000, pollMs: 10 });
  const started = Date.now();
  const ran = await lock.withLock('dead', 5000, async () => Date.now() - started);
  assert.ok(ran >= 250, `took over after ${ran} ms, before the lease ran out`);
  assert.equal(await c.client.get('lock-test:lock:dead'), null, 'released afterwards');
});

test('a live holder keeps the lock beyond one lease (renewed), and only its own token releases it', async () => {
  const c = await connect();
  const a = createRedisLock(c, { leaseMs: 150, pollMs: 10 });
  const b = createRedisLock(await connect(), { leaseMs: 150, pollMs: 10 });
  const order: string[] = [];
  const first = a.withLock('long', 5000, async () => {
    order.push('a:start');
    await sleep(500);
    order.push('a:end');
  });
  await sleep(20);
  await b.withLock('long', 5000, async () => {
    order.push('b');
  });
  await first;
  assert.deepEqual(order, ['a:start', 'a:end', 'b']);
});

test('waiting past maxWaitMs, or Redis down: the work runs without the lock', async () => {
  const c = await connect();
  await c.client.set('lock-test:lock:stuck', 'other', 'PX', 10_000);
  const lock = createRedisLock(c, { leaseMs: 1000, pollMs: 10 });
  assert.equal(await lock.withLock('stuck', 100, async () => 'ran'), 'ran');
  const down = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 50, keyPrefix: 'x:' });
  open.push(down);
  assert.equal(await createRedisLock(down).withLock('any', 1000, async () => 'ran anyway'), 'ran anyway');
});
