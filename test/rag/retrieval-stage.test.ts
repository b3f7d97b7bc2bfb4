import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHashEmbedder } from '../../src/embeddings/hash-embedder.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { ingestPaths } from '../../src/ingest/ingest.ts';
import type { ChatCompletionRequest } from '../../src/openai/requests.ts';
import { createRetrievalStage } from '../../src/rag/index.ts';
import { createLanceDbStore } from '../../src/rag/lancedb-store.ts';
import type { VectorStore } from '../../src/rag/vector-store.ts';
import type { Plan } from '../../src/routing/plan.ts';
import { ragConfig, tempDir } from '../ingest/fixtures.ts';

const plan = (tenantId: string, topK = 3): Plan => ({
  tenantId,
  requestedModel: 'tiny-base',
  adapter: null,
  baseModel: 'tiny-base',
  strategy: 'rag',
  retrieval: true,
  collections: ['company'],
  topK,
  upstreamModel: 'tiny-base',
  adapterLabel: 'base',
});
const ask = (text: string, system?: string): ChatCompletionRequest =>
  ({
    model: 'tiny-base',
    messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: text }],
  }) as ChatCompletionRequest;

describe('retrieval stage (LanceDB)', () => {
  let tmp: { path: string; remove(): Promise<void> };
  let config: ReturnType<typeof ragConfig>;
  let store: VectorStore;
  let stage: ReturnType<typeof createRetrievalStage>;
  const input = (tenantId: 'legal' | 'hr', body: ChatCompletionRequest, extra: Record<string, unknown> = {}) => ({
    tenantId,
    tenant: config.tenants[tenantId],
    plan: plan(tenantId),
    endpoint: 'chat' as const,
    body,
    ...extra,
  });

  before(async () => {
    tmp = await tempDir('lorag-retrieval-');
    config = ragConfig(join(tmp.path, 'db'), { knowledge: { revision_poll_ms: 50 } });
    const legal = join(tmp.path, 'legal');
    const hr = join(tmp.path, 'hr');
    await mkdir(legal);
    await mkdir(hr);
    await writeFile(
      join(legal, 'merger.md'),
      '# Merger\n\nThe merger with Globex closes on March 3rd under codename bluebird.',
    );
    await writeFile(
      join(legal, 'appeals.md'),
      '---\nurl: https://law.example/appeals\n---\n# Appeals\n\nAppeals must be filed within thirty days of the judgment.',
    );
    await writeFile(join(hr, '年假.md'), '# 年假\n\n员工每年享有十五天带薪年假，需提前两周申请。');
    await writeFile(join(hr, '报销.md'), '# 报销\n\n差旅费用报销须在出差结束后三十天内提交发票。');
    store = await createLanceDbStore(join(tmp.path, 'db'));
    await ingestPaths({ config, store, tenant: 'legal', collection: 'company', paths: [legal] });
    await ingestPaths({ config, store, tenant: 'hr', collection: 'company', paths: [hr] });
    stage = createRetrievalStage(config, { store, embedder: createHashEmbedder(128) });
  });
  after(async () => {
    await stage.close();
    await store.close();
    await tmp.remove();
  });

  test('the passage that answers comes first, cited with its document, chunk and lorag:// url', async () => {
    const out = await stage.retrieve(input('legal', ask('When does the Globex merger close?', 'You are terse.')));
    assert.equal(out.degraded, false);
    const [first] = out.citations;
    assert.equal(first.index, 1);
    assert.equal(first.document_id, 'merger.md');
    assert.equal(first.title, 'Merger');
    assert.equal(first.url, `lorag://company/merger.md#${first.chunk_id}`);
    assert.match(first.text, /March 3rd/);
    const system = (out.body as ChatCompletionRequest).messages[0].content as string;
    assert.ok(system.startsWith('You are terse.\n\n'));
    assert.match(system, /\n\[1\] Merger: The merger with Globex closes on March 3rd/);
    assert.deepEqual(
      out.citations.map((c) => c.index),
      out.citations.map((_, i) => i + 1),
    );
  });

  test('a document ingested with a url is cited by that url', async () => {
    const out = await stage.retrieve(input('legal', ask('How many days to file an appeal?')));
    assert.equal(out.citations[0].url, 'https://law.example/appeals');
  });

  test("tenant B sharing the collection gets nothing of tenant A's documents", async () => {
    const out = await stage.retrieve(input('hr', ask('When does the Globex merger close? codename bluebird')));
    assert.ok(
      out.citations.every((c) => c.document_id === '年假.md' || c.document_id === '报销.md'),
      JSON.stringify(out.citations),
    );
    const system = (out.body as ChatCompletionRequest).messages.find((m) => m.role === 'system')?.content ?? '';
    assert.ok(!String(system).includes('Globex closes'));
  });

  test('Chinese question, Chinese template: the right passage first', async () => {
    const out = await stage.retrieve(input('hr', ask('年假有多少天？')));
    assert.equal(out.citations[0]?.document_id, '年假.md');
    assert.match((out.body as ChatCompletionRequest).messages[0].content as string, /^请根据下面编号的资料/);
  });

  test('the context window bounds the passages (max_model_len − max_tokens)', async () => {
    const body = { ...ask('When does the Globex merger close?'), max_tokens: 4000 } as ChatCompletionRequest;
    const out = await stage.retrieve(input('legal', body, { maxModelLen: 4096 }));
    assert.deepEqual(out.citations, []);
    assert.equal(out.body, body);
  });

  test('store or embedder down: answer without context (degraded) or 503, per tenant', async () => {
    const broken: VectorStore = {
      ...store,
      search: async () => {
        throw new Error('connection refused');
      },
    };
    const s1 = createRetrievalStage(config, { store: broken, embedder: createHashEmbedder(128) });
    const body = ask('When does the Globex merger close?');
    const out = await s1.retrieve(input('legal', body));
    assert.deepEqual(out, { body, citations: [], degraded: true });
    const strict = { ...config.tenants.legal, rag: { ...config.tenants.legal.rag, on_failure: 'error' as const } };
    await assert.rejects(s1.retrieve({ ...input('legal', body), tenant: strict }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'retrieval_unavailable');
      assert.equal(err.status, 503);
      return true;
    });
    const s2 = createRetrievalStage(config, {
      store,
      embedder: {
        model: 'x',
        dimensions: 128,
        embed: async () => {
          throw new Error('embedder 500');
        },
      },
    });
    assert.equal((await s2.retrieve(input('legal', body))).degraded, true);
    await s1.close();
    await s2.close();
  });

  test('revisions come from memory and follow an ingestion made by another process (another store handle)', async () => {
    const before = await stage.revisions('legal', ['company', 'other']);
    assert.ok(before.company > 0);
    assert.equal(before.other, 0);
    const cli = await createLanceDbStore(join(tmp.path, 'db'));
    const dir = join(tmp.path, 'more');
    await mkdir(dir);
    await writeFile(join(dir, 'new.md'), '# New\n\nA brand new policy on bicycles.');
    const s = await ingestPaths({ config, store: cli, tenant: 'legal', collection: 'company', paths: [dir] });
    await cli.close();
    let seen = before.company;
    for (let i = 0; i < 100 && seen !== s.revision; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await stage.revisions('legal', ['company'])).company;
    }
    assert.equal(seen, s.revision);
    assert.equal((await stage.revisions('hr', ['company'])).company > 0, true);
  });

  test('a repeated question costs no embedding and no search until the revision moves (query cache)', async () => {
    const counts = { embed: 0, search: 0 };
    const hash = createHashEmbedder(128);
    const counting = (entries: number) =>
      createRetrievalStage(
        { ...config, knowledge: { ...config.knowledge, query_cache_entries: entries } },
        {
          store: {
            ...store,
            search: (c, r) => {
              counts.search++;
              return store.search(c, r);
            },
          },
          embedder: {
            ...hash,
            embed: (texts, signal) => {
              counts.embed++;
              return hash.embed(texts, signal);
            },
          },
        },
      );
    const s = counting(100);
    const q = ask('What is the policy on electric scooters?');
    await s.revisions('legal', ['company']);
    const first = await s.retrieve(input('legal', q));
    assert.ok(!first.citations.some((c) => c.document_id === 'scooters.md'));
    assert.deepEqual(await s.retrieve(input('legal', q)), first);
    assert.deepEqual(counts, { embed: 1, search: 1 });
    // Another tenant asking the same question is another entry.
    await s.retrieve(input('hr', q));
    assert.deepEqual(counts, { embed: 2, search: 2 });
    // An ingestion bumps the revision: the next ask searches again and finds the new document.
    const dir = join(tmp.path, 'scooters');
    await mkdir(dir);
    await writeFile(join(dir, 'scooters.md'), '# Scooters\n\nElectric scooters may be parked in the basement only.');
    const ingested = await ingestPaths({ config, store, tenant: 'legal', collection: 'company', paths: [dir] });
    assert.ok(ingested.revision !== null);
    s.revisionCache.note({ collection: 'company', tenant: 'legal', revision: ingested.revision });
    const after = await s.retrieve(input('legal', q));
    assert.equal(counts.search, 3);
    assert.equal(after.citations[0]?.document_id, 'scooters.md');
    await s.close();
    // query_cache_entries: 0 turns it off.
    const off = counting(0);
    await off.revisions('legal', ['company']);
    await off.retrieve(input('legal', q));
    await off.retrieve(input('legal', q));
    assert.equal(counts.search, 5);
    await off.close();
  });

  test('no retrieval in the plan, or nothing to ask: body unchanged', async () => {
    const body = ask('hello');
    const out = await stage.retrieve({
      ...input('legal', body),
      plan: { ...plan('legal'), retrieval: false, collections: [] },
    });
    assert.equal(out.body, body);
    const empty = { model: 'm', messages: [{ role: 'system', content: 's' }] } as ChatCompletionRequest;
    assert.equal((await stage.retrieve(input('legal', empty))).body, empty);
  });
});
