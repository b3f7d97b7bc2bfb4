/**
 * The Redis AdminStateStore against a private redis-server: the shared contract (two stores on two
 * connections stand for two gateway processes), a watcher that was cut off from Redis catches up after it
 * is back, and a store that lost its data is healed by the next update from a process that still knows it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdminSnapshot, AdminStateStore } from '../../src/adapters/admin-state.ts';
import { createRedisAdminStateStore } from '../../src/adapters/admin-state-redis.ts';
import { redisForTestFile } from '../cache/redis-server.ts';
import { adminStateStoreContract } from '../contracts/admin-state-store.contract.ts';

const redis = redisForTestFile(200);
let n = 0;

adminStateStoreContract('redis admin state', async () => {
  const prefix = `contract-${n++}:`;
  const stores: [AdminStateStore, AdminStateStore] = [
    createRedisAdminStateStore(await redis.connect(prefix), { pollMs: 20 }),
    createRedisAdminStateStore(await redis.connect(prefix), { pollMs: 20 }),
  ];
  return { stores, close: async () => void (await Promise.all(stores.map((s) => s.close()))) };
});

function waitFor(store: AdminStateStore, pred: (s: AdminSnapshot) => boolean): Promise<AdminSnapshot> {
  return new Promise((resolve) => {
    const stop = store.watch((s) => {
      if (pred(s)) {
        stop();
        resolve(s);
      }
    });
  });
}

test('a watcher catches up with a change made while Redis was away from it, once it is back', async () => {
  const a = createRedisAdminStateStore(await redis.connect('reconnect:'), { pollMs: 20 });
  const b = createRedisAdminStateStore(await redis.connect('reconnect:'), { pollMs: 20 });
  await a.update((s) => ({ ...s, drained: { r: true } }));
  await waitFor(b, (s) => s.revision === 1);
  await redis.server().stop();
  await assert.rejects(a.update((s) => s));
  await redis.server().start();
  // `a` reconnects first and writes; `b` (also reconnecting) must see it without anyone poking it.
  const seen = waitFor(b, (s) => s.state.drained.r === false);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await a.update((s) => ({ ...s, drained: { r: false } }));
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.equal((await seen).state.drained.r, false);
  await a.close();
  await b.close();
});

test('after Redis lost the state, watchers keep theirs and the next update starts from it', async () => {
  const conn = await redis.connect('lost:');
  const a = createRedisAdminStateStore(conn, { pollMs: 20 });
  await a.update((s) => ({ ...s, drained: { r1: true } }));
  await a.update((s) => ({ ...s, drained: { ...s.drained, r2: true } }));
  await conn.run((c) => c.flushall());
  const next = await a.update((s) => ({ ...s, drained: { ...s.drained, r3: true } }));
  assert.equal(next.revision, 3);
  assert.deepEqual(next.state.drained, { r1: true, r2: true, r3: true });
  const fresh = createRedisAdminStateStore(await redis.connect('lost:'));
  assert.deepEqual((await fresh.read()).state.drained, { r1: true, r2: true, r3: true });
  await a.close();
});
