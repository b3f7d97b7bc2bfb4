/**
 * Admin routes with hostile query values (issue 13, D3/D4): prototype names as tenants are unknown tenants
 * (404), not a crash in a plain-object lookup; `from`/`to` beyond what a Date holds are 400s; a range longer
 * than the ledger keeps is a 400; a Redis ledger asked up to 2030 reads only buckets that can exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { checkTarget } from '../../src/ingest/ingest.ts';
import { createRedisLedger } from '../../src/usage/redis-ledger.ts';
import { redisForTestFile } from '../cache/redis-server.ts';
import { assertClean, type HostileStand, keys, send, startHostileStand } from './stand.ts';

const redis = redisForTestFile(2000);
let stand: HostileStand;
before(async () => {
  stand = await startHostileStand({ tenants: { legal: { collections: ['contracts'] } } });
});
after(() => stand.close());

const admin = (path: string, init: RequestInit = {}) =>
  send(`${stand.gateway.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${keys.admin}`, ...(init.headers as Record<string, string>) },
  }).then((a) => assertClean(a, path));

describe('admin: prototype names are not tenants', () => {
  for (const tenant of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype']) {
    test(`tenant=${tenant} → 404 on list, delete and ingest`, async () => {
      const q = `tenant=${encodeURIComponent(tenant)}&collection=contracts`;
      assert.equal((await admin(`/admin/knowledge/documents?${q}`)).status, 404);
      assert.equal((await admin(`/admin/knowledge/documents/doc-1?${q}`, { method: 'DELETE' })).status, 404);
      const form = new FormData();
      form.set('tenant', tenant);
      form.set('collection', 'contracts');
      form.set('file', new Blob(['hello']), 'a.md');
      const ingest = await admin('/admin/ingest', { method: 'POST', body: form });
      assert.equal(ingest.status, 404);
      assert.equal(ingest.json.error.param, 'tenant');
    });
  }

  test('the ingest CLI check refuses them too', () => {
    const config = parseConfig({
      upstreams: { base_models: [{ name: 'b', replicas: [{ url: 'http://127.0.0.1:1' }] }] },
      tenants: { legal: { collections: ['contracts'] } },
    });
    for (const t of ['constructor', '__proto__', 'toString']) {
      assert.throws(() => checkTarget(config, t, 'contracts'), /unknown tenant/);
    }
    assert.doesNotThrow(() => checkTarget(config, 'legal', 'contracts'));
  });
});

describe('admin usage ranges', () => {
  test('from/to beyond a Date, or garbage, are 400 naming the parameter', async () => {
    for (const [q, param] of [
      ['from=99999999999999999999', 'from'],
      ['to=99999999999999999999', 'to'],
      ['from=1e400', 'from'],
      ['to=not-a-date', 'to'],
      ['from=-5', 'from'],
    ] as const) {
      const a = await admin(`/admin/usage?${q}`);
      assert.equal(a.status, 400, `${q}: ${a.text}`);
      assert.equal(a.json.error.param, param, q);
    }
  });

  test('a range longer than the ledger keeps is a 400; one into the future is fine', async () => {
    const long = await admin('/admin/usage?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z');
    assert.equal(long.status, 400);
    assert.match(long.json.error.message, /92 days/);
    const future = await admin('/admin/usage?to=2030-01-01T00:00:00Z');
    assert.equal(future.status, 200);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const toFuture = await admin(`/admin/usage?from=${hourAgo}&to=2030-01-01T00:00:00Z`);
    assert.equal(toFuture.status, 200, 'hours after now do not count against the range bound');
  });

  test('Redis ledger: a range up to 2030 reads only buckets that can exist (≤ 90 days × 24)', async () => {
    const conn = await redis.connect('d4:');
    // Count the HGETALLs each query pipelines (to=2030 used to ask for ~35,000 and time out: 503).
    let hgetalls = 0;
    const counting = Object.create(conn) as typeof conn;
    counting.run = (fn) =>
      conn.run((client) =>
        fn(
          new Proxy(client, {
            get(target, prop, receiver) {
              if (prop !== 'pipeline') return Reflect.get(target, prop, receiver);
              return () => {
                const p = target.pipeline();
                const hgetall = p.hgetall.bind(p);
                p.hgetall = ((...a: Parameters<typeof hgetall>) => {
                  hgetalls++;
                  return hgetall(...a);
                }) as typeof p.hgetall;
                return p;
              };
            },
          }),
        ),
      );
    const ledger = createRedisLedger(counting);
    ledger.record({
      tenantId: 'hr',
      adapter: 'hr@1',
      keyName: 'k',
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    await ledger.flush();
    let rows: Awaited<ReturnType<typeof ledger.query>> = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      hgetalls = 0;
      rows = await ledger.query({ from: new Date(Date.now() - 3_600_000), to: new Date('2030-01-01T00:00:00Z') });
    }
    assert.equal(rows.length, 1);
    assert.equal(rows[0].total_tokens, 3);
    assert.ok(hgetalls <= 2, `read ${hgetalls} hour buckets for the last hour`);
    hgetalls = 0;
    await ledger.query({ from: new Date('2000-01-01T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') });
    assert.ok(hgetalls <= 90 * 24 + 1, `read ${hgetalls} hour buckets for a 30-year range`);
  });
});
