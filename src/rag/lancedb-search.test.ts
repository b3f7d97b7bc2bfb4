/**
 * The two ways rag/lancedb-search reads the fused passages agree: by LanceDB row id (the fast path) and by
 * chunk id (stable across table versions, the fallback); and the store leaves the fast path while the
 * table's version may move (a write, checkout or maintenance started since the legs began).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as lancedb from '@lancedb/lancedb';
import { chunk } from '../../test/contracts/vector-store.contract.ts';
import { hashVector } from '../embeddings/hash-embedder.ts';
import { tokenize } from '../embeddings/tokenize.ts';
import { minAnnRows } from './lancedb-indexes.ts';
import { guarded, guardOf, searchByChunkId, searchByRowId } from './lancedb-search.ts';
import { createLanceDbStore, type LanceDbStore, tableName } from './lancedb-store.ts';
import { legLimit, type SearchRequest } from './vector-store.ts';

const dims = 64;
const query = (tenant: string, text: string, limit = 4): SearchRequest => ({
  tenant,
  dense: hashVector(text, dims),
  sparse: { indices: [], values: [] },
  terms: tokenize(text).join(' '),
  limit,
});

describe('lancedb search: row-id fast path and chunk-id path', () => {
  let dir: string;
  let store: LanceDbStore;
  let table: lancedb.Table;
  const c = 'paths';
  const topics = ['notice period', 'annual leave', 'data transfer', 'liability cap', 'renewal terms'];
  const rows = Array.from({ length: minAnnRows * 2 }, (_, i) =>
    chunk(
      c,
      i % 3 === 0 ? 'hr' : 'legal',
      `d${i % 40}.md`,
      `Clause ${i} on ${topics[i % topics.length]}: variant ${i % 17} of the rule.`,
    ),
  );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lorag-lancedb-search-'));
    store = await createLanceDbStore(dir);
    await store.ensureCollection(c, dims);
    for (let i = 0; i < rows.length; i += 128) await store.upsert(c, rows.slice(i, i + 128));
    await store.flushIndexes();
    const db = await lancedb.connect(dir);
    table = await db.openTable(tableName(c));
  });
  after(async () => {
    table.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('both paths return the same passages, scores and order, only the tenant’s', async () => {
    for (const [tenant, text] of [
      ['legal', 'notice period variant 3'],
      ['hr', 'annual leave rule'],
      ['legal', 'liability cap clause 40'],
      ['hr', 'renewal terms variant 9'],
    ] as const) {
      const q = query(tenant, text);
      const fast = await searchByRowId(table, q);
      const stable = await searchByChunkId(table, q);
      assert.ok(fast, 'the fast path answered');
      assert.equal(fast.length, 4);
      assert.deepEqual(fast, stable);
      for (const h of fast) {
        assert.equal(h.chunk.tenant, tenant);
        assert.ok(h.chunk.text.startsWith('Clause '), 'the passage text is read');
      }
    }
  });

  test('the store’s answers, also during its own write, are the tenant’s rows with their own text', async () => {
    // Templated passages tie in both legs, and ties may come back in another order from another handle, so
    // this checks what a stale row id would break: every hit is the very row its chunk id names.
    const byId = new Map(rows.map((r) => [r.chunkId, r]));
    const check = (hits: Awaited<ReturnType<LanceDbStore['search']>>) => {
      assert.equal(hits.length, 4);
      for (const [i, h] of hits.entries()) {
        const row = byId.get(h.chunk.chunkId);
        assert.ok(row, 'a chunk that was written');
        assert.equal(h.chunk.tenant, 'legal');
        assert.equal(h.chunk.text, row.text);
        assert.equal(h.chunk.documentId, row.documentId);
        if (i > 0) assert.ok(h.score <= hits[i - 1].score);
      }
    };
    const q = query('legal', 'data transfer variant 5');
    check(await store.search(c, q));
    const write = store.upsert(c, [chunk(c, 'ops', 'x.md', 'Unrelated ops text on data transfer.')]);
    const during = await store.search(c, q);
    await write;
    check(during);
    check(await store.search(c, q));
  });

  test('a guarded piece of work moves the generation when it starts and is counted while it runs', async () => {
    const g = guardOf(table);
    const gen = g.gen;
    let release: () => void = () => {};
    const hold = guarded(table, () => new Promise<void>((r) => (release = r)));
    assert.deepEqual({ ...g }, { gen: gen + 1, busy: 1 });
    release();
    await hold;
    assert.deepEqual({ ...g }, { gen: gen + 1, busy: 0 });
    await assert.rejects(
      guarded(table, () => Promise.reject(new Error('write failed'))),
      /write failed/,
    );
    assert.deepEqual({ ...g }, { gen: gen + 2, busy: 0 });
  });

  test('a dense leg that the HNSW graph left short is rechecked by an exact flat search', async () => {
    // A badly connected graph (near-duplicate vectors) once reached 3 of the tenant's 10 nearest: played here
    // by a handle whose indexed vector queries drop all but their first 3 rows.
    const short = (q: object, state = { vector: false, flat: false }): object =>
      new Proxy(q, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (name === 'nearestTo') state.vector = true;
            if (name === 'bypassVectorIndex') state.flat = true;
            const out = value.apply(target, args);
            if (name !== 'toArrow') return out && typeof out === 'object' ? short(out, state) : out;
            return state.vector && !state.flat
              ? out.then((t: { slice: (a: number, b: number) => unknown }) => t.slice(0, 3))
              : out;
          };
        },
      });
    const lossy = new Proxy(table, {
      get: (target, name) => (name === 'query' ? () => short(target.query()) : Reflect.get(target, name).bind(target)),
    });
    const q = { ...query('legal', 'notice period clause', 10), terms: '' };
    const hits = await searchByChunkId(lossy, q);
    assert.equal(hits.length, 10);
    for (const h of hits) assert.match(h.chunk.text, /on notice period/, 'one of the nearest: a legal notice clause');
    assert.ok(hits.every((h) => h.chunk.tenant === 'legal'));
  });

  test('legs look deep enough that RRF’s top limit is exact: 3·limit, at least 12', () => {
    assert.equal(legLimit(4), 12);
    assert.equal(legLimit(10), 30);
    // An item outside the top L of both legs scores ≤ 2/(L+2); the dense leg's own k-th scores 1/(k+1).
    for (const k of [1, 4, 8, 20]) assert.ok(2 / (legLimit(k) + 2) < 1 / (k + 1));
  });
});
