/**
 * The CacheStore contract: every implementation (Redis, memory) passes these same cases. `make()` returns a
 * fresh, empty store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheStore } from '../../src/cache/store.ts';

const tags = (adapter = 'base', collections: string[] = []) => ({ adapter, collections });
const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const H3 = 'c'.repeat(64);

export function cacheStoreContract(name: string, make: () => Promise<CacheStore>): void {
  test(`${name}: set then get returns the value; unknown keys are null`, async () => {
    const s = await make();
    await s.set('acme', H1, '{"x":1}', tags(), 60_000);
    assert.equal(await s.get('acme', H1), '{"x":1}');
    assert.equal(await s.get('acme', H2), null);
  });

  test(`${name}: entries are per tenant namespace`, async () => {
    const s = await make();
    await s.set('acme', H1, 'for-acme', tags(), 60_000);
    assert.equal(await s.get('globex', H1), null);
    await s.set('globex', H1, 'for-globex', tags(), 60_000);
    assert.equal(await s.get('acme', H1), 'for-acme');
    assert.equal(await s.get('globex', H1), 'for-globex');
  });

  test(`${name}: entries expire after their TTL`, async () => {
    const s = await make();
    await s.set('acme', H1, 'short', tags(), 40);
    await s.set('acme', H2, 'long', tags(), 60_000);
    await sleep(120);
    assert.equal(await s.get('acme', H1), null);
    assert.equal(await s.get('acme', H2), 'long');
  });

  test(`${name}: purge by tenant, adapter (name or version) and collection`, async () => {
    const s = await make();
    await s.set('acme', H1, 'legal3', tags('legal@3', ['contracts']), 60_000);
    await s.set('acme', H2, 'legal4', tags('legal@4', []), 60_000);
    await s.set('acme', H3, 'base', tags('base', ['contracts', 'hr']), 60_000);
    await s.set('globex', H1, 'legal3', tags('legal@3', ['contracts']), 60_000);

    assert.equal(await s.purge({ tenant: 'acme', adapter: 'legal@4' }), 1);
    assert.equal(await s.get('acme', H2), null);
    assert.equal(await s.get('acme', H1), 'legal3');

    assert.equal(await s.purge({ tenant: 'acme', collection: 'hr' }), 1);
    assert.equal(await s.get('acme', H3), null);

    assert.equal(await s.purge({ adapter: 'legal' }), 2, 'an adapter name purges all its versions in every tenant');
    assert.equal(await s.get('acme', H1), null);
    assert.equal(await s.get('globex', H1), null);

    await s.set('acme', H1, 'x', tags(), 60_000);
    await s.set('globex', H1, 'y', tags(), 60_000);
    assert.equal(await s.purge({ tenant: 'globex' }), 1);
    assert.equal(await s.get('acme', H1), 'x');
  });

  test(`${name}: stats count lookups and live bytes per tenant`, async () => {
    const s = await make();
    await s.set('acme', H1, '12345', tags(), 60_000);
    await s.set('acme', H2, '1234567890', tags(), 60_000);
    await s.set('globex', H1, 'é', tags(), 60_000);
    s.count('acme', 'hit');
    s.count('acme', 'hit');
    s.count('acme', 'miss');
    s.count('globex', 'coalesced');
    await sleep(20); // counting is fire and forget
    const stats = await s.stats();
    assert.deepEqual(stats.acme, { hits: 2, misses: 1, bypass: 0, coalesced: 0, entries: 2, bytes: 15 });
    assert.equal(stats.globex.bytes, 2, 'bytes are UTF-8 bytes');
    assert.equal(stats.globex.coalesced, 1);
    await s.purge({ tenant: 'acme' });
    assert.equal((await s.stats()).acme.bytes, 0);
  });

  test(`${name}: a lock has one holder; only the holder renews or releases it; it expires`, async () => {
    const s = await make();
    assert.equal(await s.tryLock('acme', H1, 't1', 5000), true);
    assert.equal(await s.tryLock('acme', H1, 't2', 5000), false);
    assert.equal(await s.tryLock('globex', H1, 't2', 5000), true, 'locks are per tenant');
    assert.equal(await s.renewLock('acme', H1, 't2', 5000), false);
    assert.equal(await s.renewLock('acme', H1, 't1', 5000), true);
    await s.unlock('acme', H1, 't2');
    assert.deepEqual(await s.peek('acme', H1), { value: null, locked: true });
    await s.unlock('acme', H1, 't1');
    assert.deepEqual(await s.peek('acme', H1), { value: null, locked: false });

    assert.equal(await s.tryLock('acme', H2, 't3', 40), true);
    await sleep(120);
    assert.equal((await s.peek('acme', H2)).locked, false, 'a dead holder’s lock expires');
    assert.equal(await s.renewLock('acme', H2, 't3', 5000), false);
    await s.set('acme', H2, 'done', tags(), 60_000);
    assert.deepEqual(await s.peek('acme', H2), { value: 'done', locked: false });
  });
}
