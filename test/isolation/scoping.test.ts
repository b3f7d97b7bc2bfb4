/**
 * The isolation-critical pure code, tested directly (fast, so StrykerJS can run it per mutant): API keys →
 * tenant, the cache key's tenant scope, the vector stores' tenant filters (a real LanceDB in a temp folder;
 * the Qdrant store against a recording client), and the usage ledger's row filter.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { QdrantClient } from '@qdrant/js-client-rest';
import { Hono } from 'hono';
import { authenticateAdmin, authenticateTenant, bearerToken, buildKeyIndex } from '../../src/auth/authenticate.ts';
import { digestsEqual, generateKey, sha256Hex } from '../../src/auth/keys.ts';
import { cacheKey, keyMaterial } from '../../src/cache/key.ts';
import { parseConfig } from '../../src/config/load.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { adminUsageRoutes } from '../../src/http/routes/admin-usage.ts';
import type { GenerationRequest } from '../../src/openai/requests.ts';
import { createLanceDbStore, type LanceDbStore } from '../../src/rag/lancedb-store.ts';
import { createQdrantStore } from '../../src/rag/qdrant-store.ts';
import type { ChunkRecord } from '../../src/rag/vector-store.ts';
import { rowMatches } from '../../src/usage/ledger.ts';
import { createMemoryLedger } from '../../src/usage/memory-ledger.ts';
import { plan } from '../cache/fixtures.ts';

const config = parseConfig({
  upstreams: { base_models: [{ name: 'b', replicas: [{ url: 'http://127.0.0.1:1' }] }] },
  admin: { keys: [{ sha256: sha256Hex('sk-admin') }] },
  tenants: {
    legal: {
      keys: [
        { sha256: sha256Hex('sk-legal'), name: 'legal-ci' },
        { sha256: sha256Hex('sk-legal-old'), expires_at: '2020-01-01T00:00:00Z' },
        { sha256: sha256Hex('sk-legal-soon'), expires_at: '2100-01-01T00:00:00Z' },
      ],
    },
    hr: { keys: [{ sha256: sha256Hex('sk-hr') }] },
  },
});
const index = buildKeyIndex(config);

const refused = (fn: () => unknown, code: string, message?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });

describe('auth: key → tenant', () => {
  test('each key resolves to its own tenant, with its label or the digest prefix', () => {
    const legal = authenticateTenant(index, 'Bearer sk-legal');
    assert.equal(legal.tenantId, 'legal');
    assert.equal(legal.tenant, config.tenants.legal);
    assert.equal(legal.keyName, 'legal-ci');
    const hr = authenticateTenant(index, 'Bearer sk-hr');
    assert.equal(hr.tenantId, 'hr');
    assert.equal(hr.tenant, config.tenants.hr);
    assert.equal(hr.keyName, sha256Hex('sk-hr').slice(0, 8));
  });

  test('Bearer parsing: case-insensitive scheme, surrounding spaces; anything else is no key', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('BEARER   abc  '), 'abc');
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'abc', 'Bearer a b', 'xBearer abc', 'Bearerabc'])
      assert.equal(bearerToken(h), undefined, `${h}`);
  });

  test('no key, a wrong key, an expired key', () => {
    refused(() => authenticateTenant(index, undefined), 'invalid_api_key', /didn't provide an API key/);
    refused(() => authenticateTenant(index, 'Basic sk-legal'), 'invalid_api_key', /didn't provide/);
    refused(() => authenticateTenant(index, 'Bearer sk-legalx'), 'invalid_api_key', /^Incorrect API key provided\.$/);
    refused(
      () => authenticateTenant(index, 'Bearer sk-legal-old'),
      'expired_api_key',
      /^The API key provided has expired\.$/,
    );
    assert.equal(authenticateTenant(index, 'Bearer sk-legal-soon').tenantId, 'legal');
    const expiry = new Date('2100-01-01T00:00:00Z');
    refused(() => authenticateTenant(index, 'Bearer sk-legal-soon', expiry), 'expired_api_key');
    assert.equal(authenticateTenant(index, 'Bearer sk-legal-soon', new Date(expiry.getTime() - 1)).tenantId, 'legal');
  });

  test('admin keys only on admin routes, tenant keys only on tenant routes', () => {
    refused(() => authenticateTenant(index, 'Bearer sk-admin'), 'permission_denied', /Admin keys cannot/);
    assert.doesNotThrow(() => authenticateAdmin(index, 'Bearer sk-admin'));
    refused(() => authenticateAdmin(index, 'Bearer sk-legal'), 'permission_denied', /needs an admin key/);
    refused(() => authenticateAdmin(index, 'Bearer sk-nope'), 'invalid_api_key');
    refused(() => authenticateAdmin(index, undefined), 'invalid_api_key');
    refused(() => authenticateAdmin(index, 'Bearer sk-legal-old'), 'expired_api_key');
    const expiring = buildKeyIndex(
      parseConfig({
        ...config,
        admin: { keys: [{ sha256: sha256Hex('sk-a2'), name: 'ops', expires_at: '2020-01-01T00:00:00Z' }] },
      }),
    );
    refused(() => authenticateAdmin(expiring, 'Bearer sk-a2'), 'expired_api_key');
    assert.equal(expiring.entries.get(sha256Hex('sk-a2'))?.name, 'ops');
    assert.equal(index.entries.get(sha256Hex('sk-admin'))?.name, 'admin');
    assert.equal(index.entries.get(sha256Hex('sk-admin'))?.owner, null);
  });

  test('digests compare in constant time and exactly', () => {
    const d = sha256Hex('x');
    assert.equal(d, '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    assert.equal(digestsEqual(d, d), true);
    assert.equal(digestsEqual(d, sha256Hex('y')), false);
    assert.equal(digestsEqual(d, d.slice(0, 62)), false);
    assert.equal(digestsEqual('', ''), true);
    const k = generateKey('hr');
    assert.match(k, /^sk-lorag-hr-[A-Za-z0-9_-]{40}$/);
    assert.notEqual(generateKey('hr'), k);
  });
});

describe('cache key: scoped by tenant', () => {
  const body = { model: 'legal', messages: [{ role: 'user', content: 'x' }] } as GenerationRequest;
  const input = (tenantId: string) => ({ tenantId, plan: plan(), endpoint: 'chat' as const, body, revisions: {} });
  test('the same request of two tenants never shares a key', () => {
    assert.notEqual(cacheKey(input('legal')), cacheKey(input('hr')));
    assert.match(keyMaterial(input('legal')), /"tenant":"legal"/);
    assert.equal(cacheKey(input('legal')), cacheKey(input('legal')));
  });
  test('a `__proto__` member in the body cannot smuggle fields past the key', () => {
    const plain = JSON.parse('{"model":"legal","messages":[{"role":"user","content":"x"}]}');
    const smuggled = JSON.parse(
      '{"model":"legal","messages":[{"role":"user","content":"x"}],"__proto__":{"temperature":0.3}}',
    );
    assert.notEqual(cacheKey({ ...input('legal'), body: smuggled }), cacheKey({ ...input('legal'), body: plain }));
  });
});

describe('vector stores: every read and delete carries the tenant filter', () => {
  let dir: string;
  let store: LanceDbStore;
  const chunk = (tenant: string, id: string, text: string): ChunkRecord => ({
    chunkId: id,
    tenant,
    documentId: `${tenant}-doc`,
    contentHash: id,
    title: `${tenant} doc`,
    url: null,
    section: null,
    position: 0,
    text,
    dense: [1, 0, 0, 0],
    sparse: { indices: [1], values: [1] },
    terms: text,
  });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lorag-scoping-'));
    store = await createLanceDbStore(dir);
    await store.ensureCollection('company', 4);
    await store.upsert('company', [
      chunk('legal', '00000000-0000-4000-8000-000000000001', "legal o'brien secret"),
      chunk('hr', '00000000-0000-4000-8000-000000000002', 'hr vacation'),
      chunk("o'brien", '00000000-0000-4000-8000-000000000003', 'quoted tenant'),
    ]);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('lancedb: get, list, search and delete see only the caller’s rows (quotes in values are escaped)', async () => {
    assert.equal(await store.getChunk('company', 'hr', '00000000-0000-4000-8000-000000000001'), null);
    assert.equal((await store.getChunk('company', 'legal', '00000000-0000-4000-8000-000000000001'))?.tenant, 'legal');
    assert.deepEqual(
      (await store.listChunks('company', 'hr')).map((c) => c.tenant),
      ['hr'],
    );
    assert.deepEqual(await store.listChunks('company', 'hr', 'legal-doc'), []);
    assert.equal((await store.listChunks('company', 'legal', 'legal-doc')).length, 1);
    const req = { dense: [1, 0, 0, 0], sparse: { indices: [1], values: [1] }, terms: 'secret vacation', limit: 5 };
    assert.deepEqual(
      (await store.search('company', { ...req, tenant: 'hr' })).map((h) => h.chunk.tenant),
      ['hr'],
    );
    assert.deepEqual(await store.search('company', { ...req, tenant: "hr' OR tenant = 'legal" }), []);
    assert.deepEqual(await store.listChunks('company', "x' OR '1'='1"), []);
    assert.deepEqual(
      (await store.listChunks('company', "o'brien")).map((c) => c.tenant),
      ["o'brien"],
      'a quote in a value is escaped, not dropped',
    );
    assert.deepEqual(await store.listChunks('company', 'obrien'), []);
    await store.deleteChunks('company', 'hr', ['00000000-0000-4000-8000-000000000001']);
    assert.ok(
      await store.getChunk('company', 'legal', '00000000-0000-4000-8000-000000000001'),
      'hr cannot delete legal’s chunk',
    );
  });

  test('qdrant: every scroll, query and delete has `must: tenant = <caller>`', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: request bodies as the client would send them
    const calls: { op: string; body: any }[] = [];
    const record = (op: string, answer: unknown) => async (_collection: string, body: unknown) => {
      calls.push({ op, body });
      return answer;
    };
    const fake = {
      scroll: record('scroll', { points: [], next_page_offset: null }),
      query: record('query', { points: [] }),
      delete: record('delete', {}),
    } as unknown as QdrantClient;
    const q = createQdrantStore({ kind: 'qdrant', url: 'http://127.0.0.1:1' } as never, fake);
    await q.getChunk('company', 'hr', '00000000-0000-4000-8000-000000000001');
    await q.listChunks('company', 'hr');
    await q.listChunks('company', 'hr', 'doc-1');
    await q.search('company', { tenant: 'hr', dense: [1], sparse: { indices: [1], values: [1] }, terms: '', limit: 3 });
    await q.deleteChunks('company', 'hr', ['a', 'b']);
    const many = Array.from({ length: 600 }, (_, i) => `id-${i}`);
    await q.deleteChunks('company', 'hr', many);
    const batches = calls.splice(5).map((c) => c.body.filter.must[1].has_id.length);
    assert.deepEqual(batches, [512, 88], 'deletes go in batches of 512, each with the tenant filter');
    const tenantMust = { key: 'tenant', match: { value: 'hr' } };
    assert.equal(calls.length, 5);
    for (const { op, body } of calls) {
      assert.deepEqual(body.filter.must[0], tenantMust, op);
      for (const leg of body.prefetch ?? []) assert.deepEqual(leg.filter.must[0], tenantMust, `${op} prefetch`);
    }
    assert.deepEqual(calls[0].body.filter.must, [tenantMust, { has_id: ['00000000-0000-4000-8000-000000000001'] }]);
    assert.deepEqual(calls[1].body.filter.must, [tenantMust]);
    assert.deepEqual(calls[2].body.filter.must, [tenantMust, { key: 'document_id', match: { value: 'doc-1' } }]);
    assert.equal(calls[3].body.prefetch.length, 2);
    assert.deepEqual(calls[4].body.filter.must, [tenantMust, { has_id: ['a', 'b'] }]);
  });
});

describe('usage ledger: rows filtered by tenant, adapter and key', () => {
  test('GET /admin/usage passes tenant, adapter and key through as filters', async () => {
    const ledger = createMemoryLedger();
    for (const [tenantId, adapter, keyName] of [
      ['legal', 'legal@1', 'ci'],
      ['legal', 'legal@2', 'ci'],
      ['legal', 'legal@1', 'web'],
      ['hr', 'hr@1', 'ci'],
    ])
      ledger.record({ tenantId, adapter, keyName, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    const app = new Hono<AppEnv>();
    app.route('/admin', adminUsageRoutes({ ledger }));
    const rows = async (q: string) =>
      (
        (await (await app.request(`/admin/usage?${q}`)).json()) as {
          data: { tenant: string; adapter: string; key: string }[];
        }
      ).data
        .map((r) => `${r.tenant}/${r.adapter}/${r.key}`)
        .sort();
    assert.deepEqual(await rows('tenant=hr'), ['hr/hr@1/ci']);
    assert.deepEqual(await rows('adapter=legal@2'), ['legal/legal@2/ci']);
    assert.deepEqual(await rows('key=web'), ['legal/legal@1/web']);
    assert.deepEqual(await rows('tenant=legal&adapter=legal@1&key=ci'), ['legal/legal@1/ci']);
    assert.equal((await rows('')).length, 4);
  });

  const row = { tenant: 'legal', adapter: 'legal@1', key: 'ci' };
  test('each filter field must match when given, and is ignored when absent', () => {
    assert.equal(rowMatches(row, {} as never), true);
    assert.equal(rowMatches(row, { tenant: 'legal' } as never), true);
    assert.equal(rowMatches(row, { tenant: 'hr' } as never), false);
    assert.equal(rowMatches(row, { adapter: 'legal@1' } as never), true);
    assert.equal(rowMatches(row, { adapter: 'legal@2' } as never), false);
    assert.equal(rowMatches(row, { key: 'ci' } as never), true);
    assert.equal(rowMatches(row, { key: 'web' } as never), false);
    assert.equal(rowMatches(row, { tenant: 'legal', adapter: 'legal@1', key: 'web' } as never), false);
    assert.equal(rowMatches(row, { tenant: 'hr', adapter: 'legal@1', key: 'ci' } as never), false);
  });
});
