/**
 * The response cache over a real Redis: cross-process coalescing (two stage instances with their own connections
 * stand in for two gateway processes), a dead lock holder, and Redis going away and coming back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheKey } from '../../src/cache/key.ts';
import { createRedisStore } from '../../src/cache/redis-store.ts';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { answer, beginInput } from './fixtures.ts';
import { redisForTestFile } from './redis-server.ts';

const redis = redisForTestFile(200);
const connect = redis.connect;
let n = 0;

async function gateway(prefix: string, over: { coalesceWaitMs?: number; lockTtlMs?: number } = {}) {
  const conn = await connect(prefix);
  return {
    conn,
    cache: createResponseCache({
      store: createRedisStore(conn),
      ttlS: 60,
      maxEntryBytes: 1 << 20,
      coalesceWaitMs: over.coalesceWaitMs ?? 10_000,
      lockTtlMs: over.lockTtlMs ?? 2000,
    }),
  };
}

test('50 identical concurrent requests over two gateway instances sharing Redis → exactly one leader', async () => {
  const prefix = `t${++n}:`;
  const a = await gateway(prefix);
  const b = await gateway(prefix);
  const all = Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a).cache.begin(beginInput()));
  const leader = await Promise.race(all);
  assert.equal(leader.status, 'miss');
  await sleep(50); // let the other instance reach its wait
  await leader.complete(answer('computed once'));
  const sessions = await Promise.all(all);
  const statuses = sessions.map((s) => s.status);
  assert.equal(statuses.filter((s) => s === 'miss').length, 1, statuses.join(','));
  for (const s of sessions) {
    assert.equal(s.degraded, false);
    if (s.status !== 'miss') assert.deepEqual(s.entry, answer('computed once'));
  }
  assert.equal((await b.cache.begin(beginInput())).status, 'hit');
});

test('when the lock holder dies, a waiting instance takes over after the lock expires', async () => {
  const prefix = `t${++n}:`;
  const b = await gateway(prefix, { lockTtlMs: 200 });
  // A "dead process" took the lock and will never renew it or answer.
  const dead = createRedisStore(await connect(prefix));
  const input = beginInput({ content: 'dead holder' });
  assert.ok(await dead.tryLock('acme', cacheKey(input), 'ghost', 200));
  const s = await b.cache.begin(input);
  assert.equal(s.status, 'miss', 'the follower leads once the lock expired');
  await s.complete(answer('after takeover'));
  assert.equal((await b.cache.begin(input)).status, 'hit');
});

test('a leader that abandons releases its lock: the other instance leads at once', async () => {
  const prefix = `t${++n}:`;
  const a = await gateway(prefix);
  const b = await gateway(prefix);
  const input = beginInput({ content: 'abandoned' });
  const first = await a.cache.begin(input);
  assert.equal(first.status, 'miss');
  const waiting = b.cache.begin(input);
  await sleep(30);
  first.abandon();
  const second = await waiting;
  assert.equal(second.status, 'miss');
  second.abandon();
});

test('the leader renews its lock while its call runs longer than the lock TTL', async () => {
  const prefix = `t${++n}:`;
  const a = await gateway(prefix, { lockTtlMs: 150 });
  const b = await gateway(prefix, { lockTtlMs: 150 });
  const input = beginInput({ content: 'slow upstream' });
  const leader = await a.cache.begin(input);
  const follower = b.cache.begin(input);
  await sleep(500); // > 3 lock TTLs
  await leader.complete(answer('slow'));
  assert.equal((await follower).status, 'coalesced');
});

test('Redis stopped mid-test → requests proceed degraded without failing; restarted → hits resume', async () => {
  const prefix = `t${++n}:`;
  const g = await gateway(prefix);
  await (await g.cache.begin(beginInput({ content: 'survives' }))).complete(answer('before'));
  assert.equal((await g.cache.begin(beginInput({ content: 'survives' }))).status, 'hit');

  await redis.server().stop();
  await sleep(50);
  for (let i = 0; i < 5; i++) {
    const s = await g.cache.begin(beginInput({ content: `while down ${i}` }));
    assert.equal(s.status, 'miss');
    assert.equal(s.degraded, true);
    await s.complete(answer('not stored'));
  }
  const down = await g.cache.begin(beginInput({ content: 'survives' }));
  assert.equal(down.degraded, true);
  assert.equal(down.status, 'miss');
  down.abandon();
  // Purge and stats report the outage instead of hanging.
  await assert.rejects(g.cache.stats());

  await redis.server().start();
  assert.ok(await g.conn.waitReady(10_000), 'reconnects in the background');
  const fresh = await g.cache.begin(beginInput({ content: 'after restart' }));
  assert.equal(fresh.status, 'miss');
  assert.equal(fresh.degraded, false);
  await fresh.complete(answer('after'));
  const hit = await g.cache.begin(beginInput({ content: 'after restart' }));
  assert.equal(hit.status, 'hit');
  assert.deepEqual(hit.entry, answer('after'));
});
