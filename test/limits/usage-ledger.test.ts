/** The usage ledger (memory and Redis alike), its Redis-down buffering, and `lorag usage`. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { main as usageCli } from '../../src/usage/cli.ts';
import type { UsageLedgerStore } from '../../src/usage/ledger.ts';
import { createMemoryLedger } from '../../src/usage/memory-ledger.ts';
import { createRedisLedger } from '../../src/usage/redis-ledger.ts';
import { redisForTestFile } from '../cache/redis-server.ts';

const redis = redisForTestFile(500);
const connect = redis.connect;
let n = 0;

const HOUR = 3_600_000;
// A recent hour: Redis buckets expire 90 days after their hour.
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const T0 = H0 + 15 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const usage = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });
const range = { from: new Date(T0 - 2 * HOUR), to: new Date(T0 + 2 * HOUR) };

function ledgerContract(name: string, make: (now: () => number) => Promise<UsageLedgerStore>) {
  test(`${name}: counts requests and tokens per tenant, adapter, key and hour; filters`, async () => {
    let now = T0;
    const l = await make(() => now);
    l.record({ tenantId: 'acme', adapter: 'legal@3', keyName: 'ci', usage: usage(10, 5) });
    l.record({ tenantId: 'acme', adapter: 'legal@3', keyName: 'ci', usage: usage(20, 5) });
    l.record({ tenantId: 'acme', adapter: 'base', keyName: 'ci', usage: null });
    now = T0 + HOUR;
    l.record({ tenantId: 'globex', adapter: 'base', keyName: 'web', usage: usage(7, 3) });
    await sleep(30); // record() is fire and forget
    const rows = await l.query(range);
    assert.deepEqual(rows, [
      {
        hour: iso(H0),
        tenant: 'acme',
        adapter: 'base',
        key: 'ci',
        requests: 1,
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
      },
      {
        hour: iso(H0),
        tenant: 'acme',
        adapter: 'legal@3',
        key: 'ci',
        requests: 2,
        prompt_tokens: 30,
        completion_tokens: 10,
        total_tokens: 40,
      },
      {
        hour: iso(H0 + HOUR),
        tenant: 'globex',
        adapter: 'base',
        key: 'web',
        requests: 1,
        prompt_tokens: 7,
        completion_tokens: 3,
        total_tokens: 10,
      },
    ]);
    assert.equal((await l.query({ ...range, tenant: 'globex' })).length, 1);
    assert.equal((await l.query({ ...range, adapter: 'legal@3' })).length, 1);
    assert.equal((await l.query({ ...range, key: 'web' }))[0].tenant, 'globex');
    assert.equal(
      (await l.query({ from: new Date(T0 + HOUR), to: new Date(T0 + 2 * HOUR) })).length,
      1,
      'hours outside [from, to] are left out',
    );
  });
}

ledgerContract('memory', async (now) => createMemoryLedger(now));
ledgerContract('redis', async (now) => createRedisLedger(await connect(`u${++n}:`), now));

test('redis: records made while Redis is down are kept and flushed when it is back', async () => {
  const conn = await connect(`u${++n}:`);
  const l = createRedisLedger(conn, () => T0, { flushMs: 5 });
  l.record({ tenantId: 'acme', adapter: 'base', keyName: 'k', usage: usage(1, 1) });
  await sleep(20);
  await redis.server().stop();
  await sleep(50);
  l.record({ tenantId: 'acme', adapter: 'base', keyName: 'k', usage: usage(2, 2) });
  await redis.server().start(); // a fresh, empty server: only the buffered record can reach it
  assert.ok(await conn.waitReady(10_000));
  l.record({ tenantId: 'acme', adapter: 'base', keyName: 'k', usage: usage(4, 4) });
  await sleep(50);
  const other = createRedisLedger(conn, () => T0); // another replica reading Redis only
  const [row] = await other.query(range);
  assert.equal(row.requests, 2);
  assert.equal(row.total_tokens, 12);
});

test('lorag usage prints the shared ledger as a table, filtered by tenant', async () => {
  const prefix = `u${++n}:`;
  const l = createRedisLedger(await connect(prefix), Date.now, { flushMs: 5 });
  l.record({ tenantId: 'acme', adapter: 'legal@3', keyName: 'ci', usage: usage(100, 20) });
  l.record({ tenantId: 'globex', adapter: 'base', keyName: 'web', usage: usage(1, 1) });
  await sleep(30);
  const dir = mkdtempSync(join(tmpdir(), 'lorag-usage-'));
  const file = join(dir, 'lorag.yaml');
  writeFileSync(
    file,
    `redis: { url: "${redis.server().url}", key_prefix: "${prefix}" }\nupstreams: { base_models: [{ name: qwen, replicas: [{ url: "http://127.0.0.1:1" }] }] }\ntenants: { acme: {}, globex: {} }\n`,
  );
  let printed = '';
  await usageCli(['--config', file, '--tenant', 'acme', '--since', '2h'], { write: (t: string) => (printed += t) });
  assert.match(printed, /acme\s+legal@3\s+ci\s+1\s+100\s+20\s+120/);
  assert.doesNotMatch(printed, /globex/);
});

test('redis: records are summed in memory and written once per period; the writer sees them at once, close() flushes', async () => {
  const conn = await connect(`u${++n}:`);
  const l = createRedisLedger(conn, () => T0, { flushMs: 60_000 });
  for (let i = 0; i < 100; i++) l.record({ tenantId: 'acme', adapter: 'base', keyName: 'k', usage: usage(1, 1) });
  const other = createRedisLedger(conn, () => T0);
  assert.deepEqual(await other.query(range), [], 'nothing written before the period ends');
  const own = await l.query(range); // a query flushes first
  assert.equal(own[0].requests, 100);
  assert.equal((await other.query(range))[0].requests, 100);
  l.record({ tenantId: 'acme', adapter: 'base', keyName: 'k', usage: usage(1, 1) });
  await l.close?.();
  assert.equal((await other.query(range))[0].requests, 101);
  assert.equal((await other.query(range))[0].total_tokens, 202);
});
