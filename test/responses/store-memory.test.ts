import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryResponseStore } from '../../src/responses/store-memory.ts';
import { responseStoreContract } from '../contracts/response-store.contract.ts';

responseStoreContract('memory', async (ttlMs) => createMemoryResponseStore({ maxEntries: 100, ttlMs }));

test('memory: bounded in entries, the oldest write goes first', async () => {
  const s = createMemoryResponseStore({ maxEntries: 2, ttlMs: 60_000 });
  const r = (id: string) => ({ response: { id }, inputItems: [], history: [] });
  await s.put('acme', r('a'));
  await s.put('acme', r('b'));
  await s.put('acme', r('c'));
  assert.equal(await s.get('acme', 'a'), null);
  assert.ok(await s.get('acme', 'b'));
  assert.ok(await s.get('acme', 'c'));
});
