/**
 * The vector store contract: the same cases for every implementation (LanceDB, Qdrant via the stand-in).
 * Tenant isolation is tested by searching, reading and deleting as a tenant that shares the collection:
 * each of those cases fails if the store stops adding the tenant filter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashVector } from '../../src/embeddings/hash-embedder.ts';
import { tokenize } from '../../src/embeddings/tokenize.ts';
import { encodeDocument, encodeQuery } from '../../src/rag/bm25.ts';
import { chunkId, contentHash } from '../../src/rag/point-id.ts';
import {
  type ChunkRecord,
  CollectionDimensionError,
  type SearchHit,
  type SearchRequest,
  type VectorStore,
} from '../../src/rag/vector-store.ts';

const dims = 64;
let counter = 0;

export function chunk(collection: string, tenant: string, documentId: string, text: string, position = 0): ChunkRecord {
  const hash = contentHash(text);
  return {
    chunkId: chunkId(collection, tenant, documentId, hash),
    tenant,
    documentId,
    contentHash: hash,
    position,
    title: documentId.replace(/\.\w+$/, ''),
    url: null,
    section: null,
    text,
    dense: hashVector(text, dims),
    sparse: encodeDocument(text),
    terms: tokenize(text).join(' '),
  };
}

function query(tenant: string, text: string, limit = 4, scoreFloor?: number): SearchRequest {
  return {
    tenant,
    dense: hashVector(text, dims),
    sparse: encodeQuery(text),
    terms: tokenize(text).join(' '),
    limit,
    scoreFloor,
  };
}

export function vectorStoreContract(
  name: string,
  open: () => Promise<{ store: VectorStore; close(): Promise<void> }>,
  skip?: string | false,
) {
  if (skip) {
    test(`vector store contract: ${name}`, { skip }, () => {});
    return;
  }
  describe(`vector store contract: ${name}`, () => {
    let store: VectorStore;
    let close: () => Promise<void>;
    const fresh = async () => {
      const c = `kb${++counter}_${Date.now().toString(36)}`;
      await store.ensureCollection(c, dims);
      return c;
    };

    before(async () => {
      ({ store, close } = await open());
    });
    after(async () => {
      await close?.();
    });

    test('ensureCollection is idempotent and refuses another dimension', async () => {
      const c = await fresh();
      await store.ensureCollection(c, dims);
      await assert.rejects(store.ensureCollection(c, dims + 1), CollectionDimensionError);
    });

    test('upsert then list and get, ordered by document and position; upsert of the same id replaces', async () => {
      const c = await fresh();
      const a = chunk(c, 'legal', 'b.md', 'Second document about contracts.', 0);
      const b0 = chunk(c, 'legal', 'a.md', 'First paragraph about leases.', 0);
      const b1 = chunk(c, 'legal', 'a.md', 'Second paragraph about deposits.', 1);
      await store.upsert(c, [a, b1, b0]);
      await store.upsert(c, [{ ...b1, title: 'Renamed' }]);
      const listed = await store.listChunks(c, 'legal');
      assert.deepEqual(
        listed.map((x) => [x.documentId, x.position]),
        [
          ['a.md', 0],
          ['a.md', 1],
          ['b.md', 0],
        ],
      );
      assert.equal(listed[1].title, 'Renamed');
      assert.deepEqual((await store.listChunks(c, 'legal', 'a.md')).length, 2);
      const got = await store.getChunk(c, 'legal', b0.chunkId);
      assert.equal(got?.text, b0.text);
      assert.equal(got?.documentId, 'a.md');
    });

    test('hybrid search finds the matching passage first', async () => {
      const c = await fresh();
      await store.upsert(c, [
        chunk(c, 'legal', 'leases.md', 'A residential lease deposit is capped at three months of rent.'),
        chunk(c, 'legal', 'court.md', 'Appeals must be filed within thirty days of the judgment.'),
        chunk(c, 'legal', 'tax.md', 'Corporate tax returns are due in the fourth month.'),
      ]);
      const hits = await store.search(c, query('legal', 'How many days to file an appeal?'));
      assert.ok(hits.length >= 1);
      assert.equal(hits[0].chunk.documentId, 'court.md');
      assert.ok(hits[0].score > 0);
    });

    test("tenant isolation: a tenant sharing the collection never sees, reads or deletes another tenant's chunks", async () => {
      const c = await fresh();
      const secret = chunk(c, 'legal', 'merger.md', 'The merger with Globex closes on March 3rd, codename bluebird.');
      await store.upsert(c, [secret, chunk(c, 'hr', 'holidays.md', 'The office is closed on public holidays.')]);
      const hits = await store.search(c, query('hr', 'merger Globex codename bluebird'));
      assert.ok(
        hits.every((h) => h.chunk.tenant === 'hr'),
        `hr saw: ${hits.map((h) => h.chunk.documentId)}`,
      );
      assert.equal(await store.getChunk(c, 'hr', secret.chunkId), null);
      assert.deepEqual(
        (await store.listChunks(c, 'hr')).map((x) => x.documentId),
        ['holidays.md'],
      );
      await store.deleteChunks(c, 'hr', [secret.chunkId]);
      assert.equal((await store.getChunk(c, 'legal', secret.chunkId))?.text, secret.text);
      assert.equal(
        (await store.search(c, query('legal', 'merger Globex codename bluebird')))[0]?.chunk.chunkId,
        secret.chunkId,
      );
    });

    test("the tenant filter applies before the limit: a crowded collection still yields the tenant's own passage", async () => {
      const c = await fresh();
      const crowd = Array.from({ length: 80 }, (_, i) =>
        chunk(c, 'legal', `n${i}.md`, `Notice period rules, variant ${i}: notice period is ${i} days.`),
      );
      await store.upsert(c, [...crowd, chunk(c, 'hr', 'notice.md', 'The notice period for staff is one month.')]);
      const hits = await store.search(c, query('hr', 'notice period', 3));
      assert.deepEqual(
        hits.map((h) => h.chunk.documentId),
        ['notice.md'],
      );
    });

    test('the score floor applies to the dense leg', async () => {
      const c = await fresh();
      await store.upsert(c, [chunk(c, 'legal', 'a.md', 'alpha beta gamma')]);
      const unrelated = { ...query('legal', 'zeta eta theta', 4, 0.5), sparse: { indices: [], values: [] }, terms: '' };
      assert.deepEqual(await store.search(c, unrelated), []);
      const related = { ...query('legal', 'alpha beta gamma', 4, 0.5), sparse: { indices: [], values: [] }, terms: '' };
      assert.equal((await store.search(c, related)).length, 1);
    });

    test('under a score floor the keyword leg only ranks passages the dense leg let through', async () => {
      const c = await fresh();
      await store.upsert(c, [
        chunk(c, 'legal', 'words.md', 'notice period rules for suppliers'),
        chunk(c, 'legal', 'meaning.md', 'alpha beta gamma delta'),
      ]);
      // The words match one passage, the meaning (the dense vector) the other.
      const mixed = (floor?: number) => ({
        ...query('legal', 'notice period rules', 4, floor),
        dense: hashVector('alpha beta gamma delta', dims),
      });
      const ids = (hits: SearchHit[]) => hits.map((h) => h.chunk.documentId).sort();
      assert.deepEqual(ids(await store.search(c, mixed())), ['meaning.md', 'words.md']);
      assert.deepEqual(ids(await store.search(c, mixed(0.5))), ['meaning.md']);
    });

    test('Chinese text is found by a Chinese query', async () => {
      const c = await fresh();
      await store.upsert(c, [
        chunk(c, 'hr', '年假.md', '员工每年享有十五天带薪年假，需提前两周申请。'),
        chunk(c, 'hr', '报销.md', '差旅费用报销须在出差结束后三十天内提交发票。'),
        chunk(c, 'hr', '加班.md', '加班须经部门经理书面批准，按小时计算补偿。'),
      ]);
      const hits = await store.search(c, query('hr', '年假有多少天？'));
      assert.equal(hits[0]?.chunk.documentId, '年假.md');
      const lexicalOnly = await store.search(c, {
        ...query('hr', '发票报销'),
        dense: hashVector('unrelated words', dims),
      });
      assert.equal(lexicalOnly[0]?.chunk.documentId, '报销.md');
    });

    test('deleteChunks removes exactly the given chunks of the tenant', async () => {
      const c = await fresh();
      const x = chunk(c, 'legal', 'a.md', 'one', 0);
      const y = chunk(c, 'legal', 'a.md', 'two', 1);
      await store.upsert(c, [x, y]);
      await store.deleteChunks(c, 'legal', [x.chunkId]);
      assert.deepEqual(
        (await store.listChunks(c, 'legal')).map((k) => k.text),
        ['two'],
      );
    });

    test('a collection never written reads as empty', async () => {
      const c = `missing_${++counter}_${Date.now().toString(36)}`;
      assert.deepEqual(await store.search(c, query('legal', 'anything')), []);
      assert.deepEqual(await store.listChunks(c, 'legal'), []);
      assert.equal(await store.getChunk(c, 'legal', chunkId(c, 'legal', 'x', 'y')), null);
    });

    test('revisions: per (collection, tenant), strictly increasing, listed in one read', async () => {
      const c = `rev${++counter}_${Date.now().toString(36)}`;
      const r1 = await store.bumpRevision(c, 'legal');
      const r2 = await store.bumpRevision(c, 'legal');
      const h1 = await store.bumpRevision(c, 'hr');
      assert.ok(r2 > r1);
      const all = (await store.revisions()).filter((r) => r.collection === c);
      const byTenant = Object.fromEntries(all.map((r) => [r.tenant, r.revision]));
      assert.deepEqual(byTenant, { legal: r2, hr: h1 });
    });
  });
}
