/* biome-ignore-all lint/suspicious/noExplicitAny: HTTP response bodies read in assertions */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { createHashEmbedder } from '../../src/embeddings/hash-embedder.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { errorResponse } from '../../src/http/error-response.ts';
import { adminKnowledgeRoutes } from '../../src/http/routes/admin-knowledge.ts';
import { knowledgeRoutes } from '../../src/http/routes/knowledge.ts';
import { ingestPaths } from '../../src/ingest/ingest.ts';
import { createKnowledgeService } from '../../src/ingest/knowledge-service.ts';
import { createRetrievalStage } from '../../src/rag/index.ts';
import { createLanceDbStore } from '../../src/rag/lancedb-store.ts';
import type { VectorStore } from '../../src/rag/vector-store.ts';
import { makePdf, ragConfig, tempDir } from '../ingest/fixtures.ts';

describe('knowledge routes', () => {
  let tmp: { path: string; remove(): Promise<void> };
  let store: VectorStore;
  let config: ReturnType<typeof ragConfig>;
  let app: Hono<AppEnv>;
  let stage: ReturnType<typeof createRetrievalStage>;

  before(async () => {
    tmp = await tempDir('lorag-kroutes-');
    config = ragConfig(join(tmp.path, 'db'), { knowledge: { ingest_max_bytes: 4096 } });
    store = await createLanceDbStore(join(tmp.path, 'db'));
    const embedder = createHashEmbedder(128);
    stage = createRetrievalStage(config, { store, embedder });
    const knowledge = createKnowledgeService({
      store: async () => store,
      embedder,
      revisionCache: stage.revisionCache,
    });
    app = new Hono<AppEnv>();
    // Stand-in for app.ts's auth: the `x-tenant` header names the principal's tenant.
    app.use('/v1/*', async (c, next) => {
      const tenantId = c.req.header('x-tenant') ?? 'legal';
      c.set('principal', { tenantId, tenant: config.tenants[tenantId], keyName: 'test' });
      await next();
    });
    app.route('/v1', knowledgeRoutes({ knowledge }));
    app.route('/admin', adminKnowledgeRoutes({ knowledge, current: () => ({ config }) }));
    app.onError((err, c) => errorResponse(c, err));
    const dir = join(tmp.path, 'docs', 'policies');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'leave.md'), '# Leave\n\nAnnual leave is 25 days.');
    await ingestPaths({ config, store, tenant: 'legal', collection: 'company', paths: [join(tmp.path, 'docs')] });
  });
  after(async () => {
    await stage.close();
    await store.close();
    await tmp.remove();
  });

  test('GET /v1/knowledge/chunks/{id}: the passage for its own tenant, 404 for another', async () => {
    const [chunk] = await store.listChunks('company', 'legal');
    const res = await app.request(`/v1/knowledge/chunks/${chunk.chunkId}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.document_id, 'policies/leave.md');
    assert.equal(body.collection, 'company');
    assert.match(body.text, /25 days/);
    const other = await app.request(`/v1/knowledge/chunks/${chunk.chunkId}`, { headers: { 'x-tenant': 'hr' } });
    assert.equal(other.status, 404);
    assert.equal(((await other.json()) as any).error.code, 'not_found');
  });

  test('POST /admin/ingest: multipart upload, summary, revision noted at once; re-upload writes nothing', async () => {
    const form = () => {
      const f = new FormData();
      f.set('tenant', 'hr');
      f.set('collection', 'company');
      f.append('file', new Blob(['# 年假\n\n员工每年享有十五天带薪年假。']), 'hr/年假.md');
      f.append('file', new Blob([makePdf(['Badges at all times.'], 'Security')]), 'security.pdf');
      f.append('file', new Blob([new Uint8Array([0, 1, 2, 0])]), 'blob.txt');
      return f;
    };
    const res = await app.request('/admin/ingest', { method: 'POST', body: form() });
    assert.equal(res.status, 200, await res.clone().text());
    const s = (await res.json()) as any;
    assert.equal(s.documents.added, 2);
    assert.match(s.skipped[0].reason, /binary/);
    assert.equal((await stage.revisions('hr', ['company'])).company, s.revision);
    const again = (await (await app.request('/admin/ingest', { method: 'POST', body: form() })).json()) as any;
    assert.deepEqual([again.chunks.added, again.chunks.updated, again.revision], [0, 0, null]);
  });

  test('POST /admin/ingest: over knowledge.ingest_max_bytes is 413; wrong type 415; unknown collection 404', async () => {
    const big = new FormData();
    big.set('tenant', 'hr');
    big.set('collection', 'company');
    big.append('file', new Blob(['x'.repeat(5000)]), 'big.txt');
    assert.equal((await app.request('/admin/ingest', { method: 'POST', body: big })).status, 413);
    const json = await app.request('/admin/ingest', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.status, 415);
    const f = new FormData();
    f.set('tenant', 'hr');
    f.set('collection', 'secret');
    f.append('file', new Blob(['hi']), 'a.txt');
    const res = await app.request('/admin/ingest', { method: 'POST', body: f });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.code, 'collection_not_found');
  });

  test('GET and DELETE /admin/knowledge/documents: list per tenant, delete by id (with a slash), revision bumped', async () => {
    const list = (await (
      await app.request('/admin/knowledge/documents?tenant=legal&collection=company')
    ).json()) as any;
    assert.deepEqual(
      list.data.map((d: { id: string }) => d.id),
      ['policies/leave.md'],
    );
    const before = (await stage.revisions('legal', ['company'])).company;
    const del = await app.request(
      `/admin/knowledge/documents/${encodeURIComponent('policies/leave.md')}?tenant=legal&collection=company`,
      {
        method: 'DELETE',
      },
    );
    assert.equal(del.status, 200, await del.clone().text());
    const body = (await del.json()) as any;
    assert.equal(body.deleted, true);
    assert.ok(body.revision > before);
    assert.equal((await stage.revisions('legal', ['company'])).company, body.revision);
    assert.deepEqual(await store.listChunks('company', 'legal'), []);
    const again = await app.request('/admin/knowledge/documents/policies%2Fleave.md?tenant=legal&collection=company', {
      method: 'DELETE',
    });
    assert.equal(again.status, 404);
    assert.equal((await app.request('/admin/knowledge/documents?collection=company')).status, 400);
  });
});
