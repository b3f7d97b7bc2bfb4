/**
 * The embedded store past the size where LanceDB's vector index is trained (rag/lancedb-indexes): the tenant
 * filter still applies before the limit (prefilter, not postfilter), rows written after the index was built
 * are found before and after maintenance, and a second process's writes become searchable once its revision
 * is read (reads no longer re-check the table version on every query).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashVector } from '../../src/embeddings/hash-embedder.ts';
import { minAnnRows } from '../../src/rag/lancedb-indexes.ts';
import { createLanceDbStore, type LanceDbStore } from '../../src/rag/lancedb-store.ts';
import type { SearchRequest } from '../../src/rag/vector-store.ts';
import { chunk } from '../contracts/vector-store.contract.ts';

const dims = 64;
const denseOnly = (tenant: string, text: string, limit = 4): SearchRequest => ({
  tenant,
  dense: hashVector(text, dims),
  sparse: { indices: [], values: [] },
  terms: '',
  limit,
});
const lexical = (tenant: string, text: string, limit = 4): SearchRequest => ({
  ...denseOnly(tenant, text, limit),
  dense: hashVector('unrelated words entirely', dims),
  terms: text.toLowerCase(),
});

describe('lancedb store with its ANN, FTS and scalar indexes', () => {
  let dir: string;
  let store: LanceDbStore;
  const c = 'big';
  const crowd = Array.from({ length: minAnnRows * 3 }, (_, i) =>
    chunk(c, 'legal', `n${i}.md`, `Notice period rules, variant ${i}: the notice period is ${i} days.`),
  );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lorag-lancedb-idx-'));
    store = await createLanceDbStore(dir);
    await store.ensureCollection(c, dims);
    for (let i = 0; i < crowd.length; i += 100) await store.upsert(c, crowd.slice(i, i + 100));
    await store.upsert(c, [chunk(c, 'hr', 'notice.md', 'The notice period for staff is one month.')]);
    await store.flushIndexes();
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the table is searched through LanceDB indexes: vector (HNSW), full text, tenant bitmap', async () => {
    const described = await store.describeIndexes(c);
    for (const kind of [/hnsw.*\(vector\)/i, /fts\(terms\)|inverted\(terms\)/i, /bitmap\(tenant\)/i])
      assert.match(described, kind);
  });

  test("the tenant filter applies before the limit on the ANN index: hr gets its one chunk, never legal's", async () => {
    const hits = await store.search(c, denseOnly('hr', 'notice period rules variant 7', 3));
    assert.deepEqual(
      hits.map((h) => h.chunk.documentId),
      ['notice.md'],
    );
    const lex = await store.search(c, lexical('hr', 'notice period variant'));
    assert.deepEqual(
      lex.map((h) => h.chunk.documentId),
      ['notice.md'],
    );
    const legal = await store.search(c, denseOnly('legal', 'notice period for staff one month', 10));
    assert.equal(legal.length, 10);
    assert.ok(legal.every((h) => h.chunk.tenant === 'legal'));
  });

  test('a chunk written after the index was built is found at once, and after maintenance', async () => {
    const late = chunk(c, 'legal', 'late.md', 'Garden leave applies to senior staff during the notice period.');
    await store.upsert(c, [late]);
    const ids = (hits: { chunk: { chunkId: string } }[]) => hits.map((h) => h.chunk.chunkId);
    assert.ok(ids(await store.search(c, lexical('legal', 'garden leave senior'))).includes(late.chunkId));
    assert.equal(ids(await store.search(c, denseOnly('legal', late.text, 1)))[0], late.chunkId);
    await store.flushIndexes();
    assert.ok(ids(await store.search(c, lexical('legal', 'garden leave senior'))).includes(late.chunkId));
    assert.equal(ids(await store.search(c, denseOnly('legal', late.text, 1)))[0], late.chunkId);
  });

  test("another process's chunks are searchable once their revision has been read", async () => {
    // The gateway's store has the table open (and searched) before a CLI ingestion writes to it.
    assert.deepEqual(await store.search(c, lexical('ops', 'quarterly maintenance window')), []);
    const cli = await createLanceDbStore(dir);
    const fresh = chunk(c, 'ops', 'window.md', 'The quarterly maintenance window is the first Sunday.');
    await cli.upsert(c, [fresh]);
    const revision = await cli.bumpRevision(c, 'ops');
    await cli.close();
    const seen = await store.revisions();
    assert.ok(seen.some((r) => r.collection === c && r.tenant === 'ops' && r.revision === revision));
    const hits = await store.search(c, lexical('ops', 'quarterly maintenance window'));
    assert.equal(hits[0]?.chunk.chunkId, fresh.chunkId);
  });
});
