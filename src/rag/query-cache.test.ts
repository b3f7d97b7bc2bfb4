import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CachedHit, createQueryCache, type QueryKeyParts } from './query-cache.ts';

const parts = (query: string, revision = 1, tenant = 'legal'): QueryKeyParts => ({
  tenant,
  revisions: { company: revision },
  collections: ['company'],
  query,
  topK: 4,
  scoreFloor: undefined,
});
const hits = (id: string): CachedHit[] => [
  {
    collection: 'company',
    hit: {
      score: 1,
      chunk: {
        chunkId: id,
        tenant: 'legal',
        documentId: 'd.md',
        contentHash: 'h',
        position: 0,
        title: null,
        url: null,
        section: null,
        text: id,
      },
    },
  },
];

test('keyed by tenant, revision, query and top_k; least recently used out first', () => {
  const c = createQueryCache(2);
  c.set(parts('a'), hits('a'));
  assert.deepEqual(c.get(parts('a')), hits('a'));
  assert.equal(c.get(parts('a', 2)), undefined, 'a new revision misses');
  assert.equal(c.get(parts('a', 1, 'hr')), undefined, 'another tenant misses');
  assert.equal(c.get({ ...parts('a'), topK: 8 }), undefined, 'another top_k misses');
  c.set(parts('b'), hits('b'));
  c.get(parts('a')); // a is now the most recently used
  c.set(parts('c'), hits('c'));
  assert.equal(c.size, 2);
  assert.equal(c.get(parts('b')), undefined, 'b was least recently used');
  assert.deepEqual(c.get(parts('a')), hits('a'));
  assert.deepEqual(c.get(parts('c')), hits('c'));
});

test('0 entries: nothing is kept', () => {
  const c = createQueryCache(0);
  c.set(parts('a'), hits('a'));
  assert.equal(c.get(parts('a')), undefined);
  assert.equal(c.size, 0);
});
