/** Ingestion and retrieval end to end on the Qdrant store (stand-in), with the real JS client: idempotent, tenant-isolated, cited. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHashEmbedder } from '../../src/embeddings/hash-embedder.ts';
import { ingestPaths } from '../../src/ingest/ingest.ts';
import type { ChatCompletionRequest } from '../../src/openai/requests.ts';
import { createRetrievalStage } from '../../src/rag/index.ts';
import { createQdrantStore } from '../../src/rag/qdrant-store.ts';
import type { VectorStore } from '../../src/rag/vector-store.ts';
import { ragConfig, tempDir } from '../ingest/fixtures.ts';
import { type QdrantStandin, standinMissing, startQdrantStandin } from '../qdrant-standin/start.ts';

if (standinMissing) console.log(`# skipping Qdrant retrieval: ${standinMissing}`);

if (standinMissing) test('ingestion and retrieval on Qdrant (stand-in)', { skip: standinMissing }, () => {});
else
  describe('ingestion and retrieval on Qdrant (stand-in)', () => {
    let standin: QdrantStandin;
    let tmp: { path: string; remove(): Promise<void> };
    let store: VectorStore;
    let config: ReturnType<typeof ragConfig>;

    before(async () => {
      standin = await startQdrantStandin();
      tmp = await tempDir('lorag-qret-');
      config = ragConfig(join(tmp.path, 'unused'), { vector_store: { kind: 'qdrant', url: standin.url } });
      store = createQdrantStore({ kind: 'qdrant', url: standin.url, timeout_ms: 10_000 });
      await mkdir(join(tmp.path, 'docs'));
      await writeFile(
        join(tmp.path, 'docs', 'merger.md'),
        '# Merger\n\nThe merger with Globex closes on March 3rd under codename bluebird.',
      );
      await writeFile(
        join(tmp.path, 'docs', 'appeals.md'),
        '# Appeals\n\nAppeals must be filed within thirty days of the judgment.',
      );
    });
    after(async () => {
      await standin?.stop();
      await tmp?.remove();
    });

    test('ingest twice (0 added / 0 updated the second time), then retrieve with citations, isolated per tenant', async () => {
      const paths = [join(tmp.path, 'docs')];
      const first = await ingestPaths({ config, store, tenant: 'legal', collection: 'company', paths });
      assert.equal(first.chunks.added, 2);
      const second = await ingestPaths({ config, store, tenant: 'legal', collection: 'company', paths });
      assert.deepEqual([second.chunks.added, second.chunks.updated, second.revision], [0, 0, null]);

      const stage = createRetrievalStage(config, { store, embedder: createHashEmbedder(128) });
      const plan = {
        tenantId: 'legal',
        requestedModel: 'b',
        adapter: null,
        baseModel: 'tiny-base',
        strategy: 'rag' as const,
        retrieval: true,
        collections: ['company'],
        topK: 2,
        upstreamModel: 'b',
        adapterLabel: 'base',
      };
      const body = {
        model: 'b',
        messages: [{ role: 'user', content: 'When does the Globex merger close?' }],
      } as ChatCompletionRequest;
      const legal = await stage.retrieve({
        tenantId: 'legal',
        tenant: config.tenants.legal,
        plan,
        endpoint: 'chat',
        body,
      });
      assert.equal(legal.citations[0]?.document_id, 'merger.md');
      assert.equal((await stage.revisions('legal', ['company'])).company, first.revision);
      const hr = await stage.retrieve({
        tenantId: 'hr',
        tenant: config.tenants.hr,
        plan: { ...plan, tenantId: 'hr' },
        endpoint: 'chat',
        body,
      });
      assert.deepEqual(hr.citations, []);
      await stage.close();
    });
  });
