/**
 * The shared slot ledger on a real Redis, as two gateways see it: a claim sees the other gateway's requests,
 * prefers the replica where the adapter already runs, never takes a replica whose slots other adapters fill,
 * and a gateway that leaves (or stops its heartbeat) stops counting.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { createRedisSlots } from '../../src/upstream/redis-slots.ts';
import type { SlotCandidate } from '../../src/upstream/slot-ledger.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';

let redis: TestRedis;
const connections: RedisConnection[] = [];
before(async () => {
  redis = await startTestRedis();
});
after(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await redis?.stop();
});

async function connect(): Promise<RedisConnection> {
  const c = createRedisConnection({ url: redis.url, commandTimeoutMs: 500, keyPrefix: `slots-${connections.length}:` });
  connections.push(c);
  assert.ok(await c.waitReady(5000));
  return c;
}

const replicas = (maxLoras = 1): SlotCandidate[] => [
  { url: 'http://r0', maxLoras, registered: false, load: 0 },
  { url: 'http://r1', maxLoras, registered: false, load: 0 },
];

test('a claim sees the other gateway’s requests: affinity first, never a full replica', async () => {
  const conn = await connect();
  const a = createRedisSlots(conn, { gatewayId: 'a' });
  const b = createRedisSlots(conn, { gatewayId: 'b' });
  assert.equal(await a.claim(replicas(), 'legal'), 'http://r0');
  // r0's only slot runs legal (gateway a): hr must go to r1, legal joins r0.
  assert.equal(await b.claim(replicas(), 'hr'), 'http://r1');
  assert.equal(await b.claim(replicas(), 'legal'), 'http://r0');
  // Both slots busy with other adapters: no room anywhere, the caller decides.
  assert.equal(await b.claim(replicas(), 'finance'), null);
  // legal drains from r0 (a's and b's request end): r0 has room again.
  a.add('http://r0', 'legal', -1);
  b.add('http://r0', 'legal', -1);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await b.claim(replicas(), 'finance'), 'http://r0');
  await a.close();
  await b.close();
});

test('a gateway that leaves stops counting; a registered replica wins among equals', async () => {
  const conn = await connect();
  const a = createRedisSlots(conn, { gatewayId: 'a' });
  const b = createRedisSlots(conn, { gatewayId: 'b' });
  assert.equal(await a.claim(replicas(), 'legal'), 'http://r0');
  assert.equal(await b.claim(replicas(), 'hr'), 'http://r1');
  await a.close();
  // a's legal request no longer holds r0's slot.
  assert.equal(await b.claim(replicas(), 'finance'), 'http://r0');
  const withRegistered = replicas(2).map((r, i) => ({ ...r, registered: i === 1 }));
  assert.equal(await b.claim(withRegistered, 'ops'), 'http://r1', 'the replica that has it registered');
  await b.close();
});

test('Redis unreachable: claims answer null (the gateway decides alone) and adds do not throw', async () => {
  const conn = createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 50, keyPrefix: 'x:' });
  connections.push(conn);
  const a = createRedisSlots(conn, { gatewayId: 'a' });
  assert.equal(await a.claim(replicas(), 'legal'), null);
  a.add('http://r0', 'legal', 1);
  await a.close();
});
