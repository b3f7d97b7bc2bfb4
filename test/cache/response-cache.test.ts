import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCacheStage } from '../../src/cache/index.ts';
import { createMemoryStore } from '../../src/cache/memory-store.ts';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import { answer, beginInput, plan, tenant, testConfig } from './fixtures.ts';

const stage = (over: { maxEntryBytes?: number; coalesceWaitMs?: number } = {}) =>
  createResponseCache({
    store: createMemoryStore({ maxEntries: 100, maxBytes: 1 << 20 }),
    ttlS: 60,
    maxEntryBytes: over.maxEntryBytes ?? 1 << 20,
    coalesceWaitMs: over.coalesceWaitMs ?? 5000,
    lockTtlMs: 1000,
  });

test('a miss is stored on complete and the identical request then hits', async () => {
  const c = stage();
  const first = await c.begin(beginInput());
  assert.equal(first.status, 'miss');
  assert.equal(first.degraded, false);
  await first.complete(answer('A tort is a civil wrong.'));
  const second = await c.begin(beginInput());
  assert.equal(second.status, 'hit');
  assert.deepEqual(second.entry, answer('A tort is a civil wrong.'));
});

test('not cacheable, disabled or no-cache+no-store → bypass, nothing stored', async () => {
  const c = stage();
  for (const input of [
    beginInput({ temperature: 0.7 }),
    beginInput({ tenant: tenant({ cache: { enabled: false } }) }),
    beginInput({ cacheControl: 'no-cache, no-store' }),
  ]) {
    const s = await c.begin(input);
    assert.equal(s.status, 'bypass');
    await s.complete(answer('x'));
  }
  assert.equal((await c.begin(beginInput())).status, 'miss');
  assert.equal(
    (await c.begin(beginInput({ temperature: 0.7, tenant: tenant({ cache: { force: true } }) }))).status,
    'miss',
  );
});

test('no-cache skips the lookup but stores; no-store serves hits but never writes', async () => {
  const c = stage();
  await (await c.begin(beginInput())).complete(answer('old'));
  const fresh = await c.begin(beginInput({ cacheControl: 'no-cache' }));
  assert.equal(fresh.status, 'miss');
  await fresh.complete(answer('new'));
  assert.deepEqual((await c.begin(beginInput())).entry, answer('new'));

  const noStore = await c.begin(beginInput({ content: 'other', cacheControl: 'no-store' }));
  assert.equal(noStore.status, 'miss');
  await noStore.complete(answer('never kept'));
  assert.equal((await c.begin(beginInput({ content: 'other' }))).status, 'miss');
  assert.equal((await c.begin(beginInput({ cacheControl: 'no-store' }))).status, 'hit');
});

test('tenant B never receives tenant A’s answer to the identical request', async () => {
  const c = stage();
  await (await c.begin(beginInput())).complete(answer('for acme'));
  const b = await c.begin(beginInput({ tenantId: 'globex', plan: plan({ tenantId: 'globex' }) }));
  assert.equal(b.status, 'miss');
  assert.equal(b.entry, null);
});

test('a new adapter version or a new knowledge revision misses', async () => {
  const c = stage();
  const rag = plan({ strategy: 'hybrid', retrieval: true, collections: ['kb'] });
  await (await c.begin(beginInput({ plan: rag, revisions: { kb: 1 } }))).complete(answer('v3 rev1'));
  assert.equal((await c.begin(beginInput({ plan: rag, revisions: { kb: 1 } }))).status, 'hit');
  assert.equal((await c.begin(beginInput({ plan: rag, revisions: { kb: 2 } }))).status, 'miss');
  const v4 = { ...rag, adapterLabel: 'legal@4', upstreamModel: 'legal@4' };
  assert.equal((await c.begin(beginInput({ plan: v4, revisions: { kb: 1 } }))).status, 'miss');
});

test('an entry over max_entry_bytes is not stored', async () => {
  const c = stage({ maxEntryBytes: 1024 });
  await (await c.begin(beginInput())).complete(answer('x'.repeat(2000)));
  assert.equal((await c.begin(beginInput())).status, 'miss');
});

test('20 identical concurrent requests in one process: one miss, 19 coalesced on its answer', async () => {
  const c = stage();
  const all = Array.from({ length: 20 }, () => c.begin(beginInput()));
  const leader = await Promise.race(all);
  assert.equal(leader.status, 'miss');
  await leader.complete(answer('once'));
  const statuses = (await Promise.all(all)).map((s) => s.status);
  assert.equal(statuses.filter((s) => s === 'miss').length, 1);
  assert.equal(statuses.filter((s) => s === 'coalesced').length, 19);
});

test('followers get the leader’s answer (coalesced); when it abandons, exactly one of them leads next', async () => {
  const c = stage();
  const all = Array.from({ length: 10 }, () => c.begin(beginInput()));
  const first = await all[0];
  assert.equal(first.status, 'miss');
  first.abandon();
  const second = await Promise.race(all.slice(1));
  assert.equal(second.status, 'miss');
  await second.complete(answer('shared'));
  const rest = await Promise.all(all.slice(1));
  assert.deepEqual(rest.map((s) => s.status).sort(), [
    'coalesced',
    'coalesced',
    'coalesced',
    'coalesced',
    'coalesced',
    'coalesced',
    'coalesced',
    'coalesced',
    'miss',
  ]);
  for (const s of rest) if (s.status === 'coalesced') assert.deepEqual(s.entry, answer('shared'));
});

test('a follower waits at most coalesce_wait_ms, then calls upstream itself (miss)', async () => {
  const c = stage({ coalesceWaitMs: 30 });
  const leader = await c.begin(beginInput());
  const follower = await c.begin(beginInput());
  assert.equal(follower.status, 'miss');
  leader.abandon();
});

test('stats count hits and misses per tenant; purge by tenant empties it', async () => {
  const c = stage();
  await (await c.begin(beginInput())).complete(answer('x'));
  await c.begin(beginInput());
  await c.begin(beginInput({ temperature: 1 }));
  const stats = await c.stats();
  assert.equal(stats.acme.hits, 1);
  assert.equal(stats.acme.misses, 1);
  assert.equal(stats.acme.bypass, 1);
  assert.equal(stats.acme.entries, 1);
  assert.ok(stats.acme.bytes > 100);
  assert.equal(await c.purge({ tenant: 'acme' }), 1);
  assert.equal((await c.begin(beginInput())).status, 'miss');
});

test('createCacheStage builds from config: off bypasses, memory caches, redis needs a connection', async () => {
  const off = createCacheStage(testConfig({ cache: { kind: 'off' } }));
  assert.equal((await off.begin(beginInput())).status, 'bypass');
  const mem = createCacheStage(testConfig());
  await (await mem.begin(beginInput())).complete(answer('x'));
  assert.equal((await mem.begin(beginInput())).status, 'hit');
  assert.throws(
    () => createCacheStage(testConfig({ cache: { kind: 'redis' }, redis: { url: 'redis://127.0.0.1:1' } })),
    /Redis connection/,
  );
});

test('a look-ahead reads the store once, counts nothing, and begin() uses its read', async () => {
  const store = createMemoryStore({ maxEntries: 100, maxBytes: 1 << 20 });
  let gets = 0;
  const counted = { ...store, get: (t: string, h: string) => (gets++, store.get(t, h)) };
  const c = createResponseCache({
    store: counted,
    ttlS: 60,
    maxEntryBytes: 1 << 20,
    coalesceWaitMs: 5000,
    lockTtlMs: 1000,
  });
  await (await c.begin(beginInput())).complete(answer('stored'));
  gets = 0;
  const early = c.lookahead!(beginInput());
  assert.ok(early);
  assert.equal(gets, 1);
  // Refused by the limiter: the look-ahead is dropped and nothing was counted.
  const before = JSON.stringify(await c.stats());
  await early.value;
  assert.equal(JSON.stringify(await c.stats()), before);
  const hit = await c.begin(beginInput(), c.lookahead!(beginInput()));
  assert.equal(hit.status, 'hit');
  assert.equal(gets, 2, 'begin() made no second read');
  assert.equal(Object.values(await c.stats())[0].hits, 1);
  // Nothing to look ahead for when the request bypasses the cache.
  assert.equal(c.lookahead!(beginInput({ cacheControl: 'no-cache, no-store' })), undefined);
  // A store that fails during the look-ahead: the session is a degraded miss, as without it.
  const failing = { ...store, get: async () => Promise.reject(new Error('down')) };
  const d = createResponseCache({
    store: failing,
    ttlS: 60,
    maxEntryBytes: 1 << 20,
    coalesceWaitMs: 5000,
    lockTtlMs: 1000,
  });
  const s = await d.begin(beginInput(), d.lookahead!(beginInput()));
  assert.equal(s.status, 'miss');
  assert.equal(s.degraded, true);
});
