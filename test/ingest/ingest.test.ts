import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHashEmbedder } from '../../src/embeddings/hash-embedder.ts';
import { ingestPaths, ingestSources } from '../../src/ingest/ingest.ts';
import { createLanceDbStore } from '../../src/rag/lancedb-store.ts';
import type { VectorStore } from '../../src/rag/vector-store.ts';
import { makePdf, ragConfig, tempDir } from './fixtures.ts';

describe('ingestion (LanceDB, hash embedder)', () => {
  let tmp: { path: string; remove(): Promise<void> };
  let docs: string;
  let store: VectorStore;
  let config: ReturnType<typeof ragConfig>;
  const run = (extra: { prune?: boolean; paths?: string[]; tenant?: string; urlBase?: string } = {}) =>
    ingestPaths({
      config,
      store,
      tenant: extra.tenant ?? 'legal',
      collection: 'company',
      paths: extra.paths ?? [docs],
      prune: extra.prune,
      urlBase: extra.urlBase,
    });

  before(async () => {
    tmp = await tempDir('lorag-ingest-');
    docs = join(tmp.path, 'docs');
    await mkdir(join(docs, 'policies'), { recursive: true });
    config = ragConfig(join(tmp.path, 'db'));
    store = await createLanceDbStore(config.vector_store.kind === 'lancedb' ? config.vector_store.path : '');
    await writeFile(
      join(docs, 'policies', 'leave.md'),
      '# Leave\n\nAnnual leave is 25 days per year.\n\n## Carry-over\n\nUp to five days carry over.',
    );
    await writeFile(
      join(docs, 'expenses.html'),
      '<title>Expenses</title><h1>Expenses</h1><p>Submit receipts within 30 days.</p>',
    );
    await writeFile(join(docs, 'notes.txt'), 'Plain text notes about the office parking rules.');
    await writeFile(join(docs, 'security.pdf'), makePdf(['Badges must be worn at all times.'], 'Security'));
    await writeFile(join(docs, '.hidden.md'), 'never ingested');
  });
  after(async () => {
    await store.close();
    await tmp.remove();
  });

  test('first ingestion adds every document and bumps the revision', async () => {
    const s = await run({ urlBase: 'https://intranet.example/kb' });
    assert.deepEqual(s.failed, []);
    assert.equal(s.files, 4);
    assert.equal(s.documents.added, 4);
    assert.ok(s.chunks.added >= 5, `chunks: ${JSON.stringify(s.chunks)}`);
    assert.equal(s.chunks.updated, 0);
    assert.ok(s.revision !== null);
    const chunks = await store.listChunks('company', 'legal', 'policies/leave.md');
    assert.equal(chunks[0].title, 'Leave');
    assert.equal(chunks[0].url, 'https://intranet.example/kb/policies/leave.md');
    assert.equal(chunks.at(-1)?.section, 'Leave › Carry-over');
    const revs = await store.revisions();
    assert.equal(revs.find((r) => r.tenant === 'legal')?.revision, s.revision);
  });

  test('re-ingesting the same folder writes nothing: 0 added / 0 updated, revision unchanged', async () => {
    const before = await store.revisions();
    const s = await run({ urlBase: 'https://intranet.example/kb' });
    assert.deepEqual([s.chunks.added, s.chunks.updated, s.chunks.removed], [0, 0, 0]);
    assert.equal(s.documents.unchanged, 4);
    assert.equal(s.revision, null);
    assert.deepEqual(await store.revisions(), before);
  });

  test('a changed file replaces its chunks; others are untouched', async () => {
    const old = await store.listChunks('company', 'legal', 'policies/leave.md');
    await writeFile(
      join(docs, 'policies', 'leave.md'),
      '# Leave\n\nAnnual leave is 30 days per year.\n\n## Carry-over\n\nUp to five days carry over.',
    );
    const s = await run({ urlBase: 'https://intranet.example/kb' });
    assert.equal(s.documents.changed, 1);
    assert.equal(s.documents.unchanged, 3);
    assert.ok(s.chunks.added >= 1 && s.chunks.removed >= 1);
    assert.ok(s.revision !== null);
    const now = await store.listChunks('company', 'legal', 'policies/leave.md');
    assert.ok(now.some((c) => c.text.includes('30 days')));
    assert.ok(!now.some((c) => c.text.includes('25 days')));
    assert.ok(now.length <= old.length + 1);
  });

  test('--prune removes documents no longer present; without it they stay', async () => {
    await rm(join(docs, 'notes.txt'));
    const kept = await run();
    assert.equal(kept.documents.removed, 0);
    assert.ok((await store.listChunks('company', 'legal', 'notes.txt')).length > 0);
    const pruned = await run({ prune: true });
    assert.equal(pruned.documents.removed, 1);
    assert.ok(pruned.chunks.removed >= 1);
    assert.deepEqual(await store.listChunks('company', 'legal', 'notes.txt'), []);
  });

  test('another tenant ingesting into the shared collection changes nothing of the first', async () => {
    const legalBefore = await store.listChunks('company', 'legal');
    const s = await run({ tenant: 'hr', paths: [join(docs, 'expenses.html')] });
    assert.equal(s.documents.added, 1);
    assert.deepEqual(await store.listChunks('company', 'legal'), legalBefore);
    assert.equal((await store.listChunks('company', 'hr')).length, 1);
  });

  test('bad files are skipped with reasons, the good ones still go in, nothing crashes', async () => {
    const bad = join(tmp.path, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'empty.md'), '');
    await writeFile(join(bad, 'binary.txt'), Buffer.from([1, 2, 0, 3, 0, 4]));
    await writeFile(join(bad, 'latin1.txt'), Buffer.from('caf\xe9', 'latin1'));
    await writeFile(join(bad, 'huge.txt'), 'a '.repeat(150_000));
    await writeFile(join(bad, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(join(bad, 'fake.pdf'), 'not a pdf at all');
    await writeFile(join(bad, 'good.md'), '# Good\n\nThis one is fine.');
    const s = await run({ paths: [bad, join(tmp.path, 'does-not-exist')] });
    const reasons = Object.fromEntries(s.skipped.map((x) => [x.path.split('/').at(-1), x.reason]));
    assert.match(reasons['empty.md'], /empty/);
    assert.match(reasons['binary.txt'], /binary/);
    assert.match(reasons['latin1.txt'], /unknown encoding/);
    assert.match(reasons['huge.txt'], /too large/);
    assert.match(reasons['image.png'], /unsupported/);
    assert.match(reasons['fake.pdf'], /PDF/);
    assert.match(reasons['does-not-exist'], /unreadable: ENOENT/);
    assert.equal(s.documents.added, 1);
    assert.deepEqual(s.failed, []);
    assert.deepEqual(await store.listChunks('company', 'legal', 'empty.md'), []);
  });

  test('a failing store write leaves no half-written document and is reported as failed', async () => {
    let calls = 0;
    const flaky: VectorStore = {
      ...store,
      async upsert(collection, chunks) {
        calls++;
        await store.upsert(collection, chunks.slice(0, 1)); // part of the write lands, then it fails
        throw new Error('store went away');
      },
    };
    const text = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} of a long policy about remote work.`).join(
      '\n\n',
    );
    const s = await ingestSources(
      { config, store: flaky, embedder: createHashEmbedder(128), tenant: 'legal', collection: 'company' },
      [{ documentId: 'remote.md', name: 'remote.md', size: text.length, read: async () => Buffer.from(text) }],
    );
    assert.equal(calls, 1);
    assert.match(s.failed[0]?.reason ?? '', /store went away/);
    assert.deepEqual(await store.listChunks('company', 'legal', 'remote.md'), []);
  });

  test('unknown tenant or a collection the tenant may not use is refused', async () => {
    await assert.rejects(
      ingestPaths({ config, store, tenant: 'nobody', collection: 'company', paths: [docs] }),
      /unknown tenant/,
    );
    await assert.rejects(
      ingestPaths({ config, store, tenant: 'legal', collection: 'secret', paths: [docs] }),
      /may not use collection/,
    );
  });
});
