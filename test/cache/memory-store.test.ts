import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../src/cache/memory-store.ts';
import { cacheStoreContract } from '../contracts/cache-store.contract.ts';

cacheStoreContract('memory', async () => createMemoryStore({ maxEntries: 1000, maxBytes: 1 << 20 }));

test('memory: the LRU is bounded in entries, evicting the least recently read', async () => {
  const s = createMemoryStore({ maxEntries: 2, maxBytes: 1 << 20 });
  const t = { adapter: 'base', collections: [] };
  await s.set('acme', 'h1', 'one', t, 60_000);
  await s.set('acme', 'h2', 'two', t, 60_000);
  await s.get('acme', 'h1');
  await s.set('acme', 'h3', 'three', t, 60_000);
  assert.equal(await s.get('acme', 'h2'), null);
  assert.equal(await s.get('acme', 'h1'), 'one');
  assert.equal(await s.get('acme', 'h3'), 'three');
});

test('memory: the LRU is bounded in bytes', async () => {
  const s = createMemoryStore({ maxEntries: 100, maxBytes: 10 });
  const t = { adapter: 'base', collections: [] };
  await s.set('acme', 'h1', '123456', t, 60_000);
  await s.set('acme', 'h2', '123456', t, 60_000);
  assert.equal(await s.get('acme', 'h1'), null);
  assert.equal(await s.get('acme', 'h2'), '123456');
  await s.set('acme', 'h3', '12345678901', t, 60_000);
  assert.equal(await s.get('acme', 'h3'), null, 'an entry larger than the whole cache is not kept');
  assert.equal((await s.stats()).acme.bytes, 6);
});
