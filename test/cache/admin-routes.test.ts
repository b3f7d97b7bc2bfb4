/** `/admin/cache/*` and `/admin/usage` sub-apps, mounted the way app.ts mounts them (errors rendered by errorResponse). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { createMemoryStore } from '../../src/cache/memory-store.ts';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { errorResponse } from '../../src/http/error-response.ts';
import { adminCacheRoutes } from '../../src/http/routes/admin-cache.ts';
import { adminUsageRoutes } from '../../src/http/routes/admin-usage.ts';
import { createMemoryLedger } from '../../src/usage/memory-ledger.ts';
import { answer, beginInput, plan } from './fixtures.ts';

function mount(sub: Hono<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/admin', sub);
  app.onError((err, c) => errorResponse(c, err));
  return app;
}

const json = { 'content-type': 'application/json' };

test('POST /admin/cache/purge purges by adapter; GET /admin/cache/stats reports per tenant', async () => {
  const cache = createResponseCache({
    store: createMemoryStore({ maxEntries: 100, maxBytes: 1 << 20 }),
    ttlS: 60,
    maxEntryBytes: 1 << 20,
    coalesceWaitMs: 1000,
    lockTtlMs: 1000,
  });
  const app = mount(adminCacheRoutes({ cache }));
  await (await cache.begin(beginInput())).complete(answer('legal'));
  const base = plan({ adapter: null, adapterLabel: 'base', strategy: 'base', upstreamModel: 'qwen' });
  await (await cache.begin(beginInput({ plan: base }))).complete(answer('base'));
  await (await cache.begin(beginInput({ tenantId: 'globex', plan: plan({ tenantId: 'globex' }) }))).complete(
    answer('globex'),
  );

  let res = await app.request('/admin/cache/stats');
  assert.equal(res.status, 200);
  const stats = (await res.json()) as { tenants: Record<string, { entries: number; misses: number; bytes: number }> };
  assert.equal(stats.tenants.acme.entries, 2);
  assert.equal(stats.tenants.acme.misses, 2);
  assert.ok(stats.tenants.globex.bytes > 0);

  res = await app.request('/admin/cache/purge', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ tenant: 'acme', adapter: 'legal' }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { purged: 1, filter: { tenant: 'acme', adapter: 'legal' } });
  assert.equal((await cache.begin(beginInput())).status, 'miss');
  assert.equal((await cache.begin(beginInput({ plan: base }))).status, 'hit');

  res = await app.request('/admin/cache/purge', { method: 'POST', headers: json, body: JSON.stringify({ tenant: 7 }) });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { param: string } }).error.param, 'tenant');
});

test('the admin cache routes answer 503 when the shared cache is down', async () => {
  const cache = {
    begin: async () => {
      throw new Error('unused');
    },
    stats: async () => {
      throw new Error('redis down');
    },
  };
  const res = await mount(adminCacheRoutes({ cache })).request('/admin/cache/stats');
  assert.equal(res.status, 503);
});

test('GET /admin/usage filters by tenant and time range', async () => {
  const now = Date.now();
  const ledger = createMemoryLedger(() => now);
  ledger.record({
    tenantId: 'acme',
    adapter: 'legal@3',
    keyName: 'ci',
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  });
  ledger.record({ tenantId: 'globex', adapter: 'base', keyName: 'web', usage: null });
  const app = mount(adminUsageRoutes({ ledger }));
  let res = await app.request('/admin/usage?tenant=acme');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: { tenant: string; total_tokens: number; requests: number }[] };
  assert.deepEqual(
    body.data.map((r) => [r.tenant, r.requests, r.total_tokens]),
    [['acme', 1, 12]],
  );
  res = await app.request(
    `/admin/usage?from=${Math.floor((now + 7_200_000) / 1000)}&to=${Math.floor((now + 9_000_000) / 1000)}`,
  );
  assert.deepEqual(((await res.json()) as { data: unknown[] }).data, []);
  res = await app.request('/admin/usage?from=yesterday');
  assert.equal(res.status, 400);
});
