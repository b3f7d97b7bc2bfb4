/**
 * Tenant isolation, route by route: every way tenant hr could reach legal's adapters, documents, chunks,
 * cached answers, usage, metrics or admin state is tried with hr's key, and each answers exactly like a
 * thing that does not exist (same status, code, param, and message once the name is swapped). One real
 * gateway over a real simulator; legal and hr share the collection `company`, and each has its own one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { keys, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let embedder: RunningSim;
const gw = () => stack.gateway.url;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
  json: any;
  text: string;
}

async function call(key: string | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: string | FormData | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${gw()}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

/** B's thing and a thing that does not exist read the same: status, code, type, param, message with the name swapped. */
function assertSameAsUnknown(theirs: Answer, unknown: Answer, theirName: string, unknownName: string, context: string) {
  assert.ok(theirs.status >= 400, `${context}: ${theirs.status} ${theirs.text.slice(0, 200)}`);
  assert.equal(theirs.status, unknown.status, context);
  assert.deepEqual(
    { ...theirs.json?.error, message: theirs.json?.error?.message?.replaceAll(theirName, 'X') },
    { ...unknown.json?.error, message: unknown.json?.error?.message?.replaceAll(unknownName, 'X') },
    context,
  );
}

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 8,
  temperature: 0,
  messages: [{ role: 'user', content: 'What is the notice period of the Zephyr contract?' }],
  ...extra,
});

async function ingest(tenant: string, collection: string, name: string, text: string) {
  const form = new FormData();
  form.set('tenant', tenant);
  form.set('collection', collection);
  form.set('file', new Blob([text]), name);
  const a = await call(keys.admin, 'POST', '/admin/ingest', form);
  assert.equal(a.status, 200, a.text);
}

let legalChunk = '';

before(async () => {
  embedder = await startSim({ port: 0 });
  stack = await startStack({
    config: {
      embeddings: { kind: 'openai', url: `${embedder.url}/v1`, model: 'tiny-base' },
      cache: { kind: 'memory' },
      knowledge: { revision_poll_ms: 100 },
      telemetry: { metrics: { bearer_token: 'operators-only-token-123' } },
    },
    tenants: {
      legal: {
        collections: ['company', 'contracts'],
        strategy: { default: 'lora', allowed: ['base', 'lora', 'rag', 'hybrid'] },
        limits: { requests_per_minute: 1000 },
      },
      hr: {
        collections: ['company', 'people'],
        strategy: { default: 'lora', allowed: ['base', 'lora', 'rag', 'hybrid'] },
        limits: { requests_per_minute: 1000 },
      },
    },
  });
  await ingest(
    'legal',
    'company',
    'zephyr.md',
    '# Zephyr\n\nThe Zephyr supplier contract needs 45 days of written notice.\n',
  );
  await ingest('legal', 'contracts', 'nda.md', '# NDA\n\nEvery NDA is reviewed by counsel before signature.\n');
  await ingest('hr', 'company', 'leave.md', '# Leave\n\nNew employees get 25 vacation days per year.\n');
  const docs = await call(keys.admin, 'GET', '/admin/knowledge/documents?tenant=legal&collection=company');
  assert.equal(docs.status, 200, docs.text);
  // legal's own RAG answer cites its chunk: that chunk id is what hr will try.
  const answer = await call(keys.legal, 'POST', '/v1/chat/completions', chat('legal', { lorag: { strategy: 'rag' } }));
  assert.equal(answer.status, 200, answer.text);
  legalChunk = answer.json.citations?.[0]?.chunk_id;
  assert.ok(legalChunk, `legal's answer cites a chunk: ${answer.text.slice(0, 300)}`);
});
after(async () => {
  await stack?.close();
  await embedder?.close();
});

describe('adapters', () => {
  test('/v1/models lists only the caller’s adapters; another tenant’s model id reads as unknown', async () => {
    const list = await call(keys.hr, 'GET', '/v1/models');
    const ids: string[] = list.json.data.map((m: { id: string }) => m.id);
    assert.ok(ids.includes('hr') && ids.includes('hr@1'));
    assert.ok(!ids.some((id) => id.startsWith('legal')), ids.join());
    for (const id of ['legal', 'legal@1']) {
      assertSameAsUnknown(
        await call(keys.hr, 'GET', `/v1/models/${id}`),
        await call(keys.hr, 'GET', '/v1/models/nosuch'),
        id,
        'nosuch',
        `GET /v1/models/${id}`,
      );
    }
  });

  for (const model of ['legal', 'legal@1', 'legal@2']) {
    for (const path of ['/v1/chat/completions', '/v1/completions']) {
      test(`${path} with model ${model} under hr's key = unknown model`, async () => {
        const body = path === '/v1/completions' ? { model, prompt: 'hi', max_tokens: 2 } : chat(model);
        const unknown = path === '/v1/completions' ? { model: 'nosuch', prompt: 'hi', max_tokens: 2 } : chat('nosuch');
        assertSameAsUnknown(
          await call(keys.hr, 'POST', path, body),
          await call(keys.hr, 'POST', path, unknown),
          model,
          'nosuch',
          `${path} ${model}`,
        );
      });
    }
  }

  test('auto never routes hr to legal’s adapter, even for a legal question', async () => {
    const a = await call(keys.hr, 'POST', '/v1/chat/completions', chat('auto'));
    assert.equal(a.status, 200, a.text);
    assert.match(a.headers.get('x-lorag-adapter') ?? '', /^(hr@\d+|base)$/);
  });
});

describe('documents and chunks', () => {
  test('legal’s chunk id under hr’s key = unknown chunk', async () => {
    const own = await call(keys.legal, 'GET', `/v1/knowledge/chunks/${encodeURIComponent(legalChunk)}`);
    assert.equal(own.status, 200, 'the owner reads it');
    assertSameAsUnknown(
      await call(keys.hr, 'GET', `/v1/knowledge/chunks/${encodeURIComponent(legalChunk)}`),
      await call(keys.hr, 'GET', '/v1/knowledge/chunks/nosuch'),
      legalChunk,
      'nosuch',
      'chunk',
    );
  });

  test('legal’s own collection under hr’s key = unknown collection', async () => {
    assertSameAsUnknown(
      await call(
        keys.hr,
        'POST',
        '/v1/chat/completions',
        chat('hr', { lorag: { strategy: 'rag', collections: ['contracts'] } }),
      ),
      await call(
        keys.hr,
        'POST',
        '/v1/chat/completions',
        chat('hr', { lorag: { strategy: 'rag', collections: ['nosuch'] } }),
      ),
      'contracts',
      'nosuch',
      'collection',
    );
  });

  test('retrieval in the shared collection returns only hr’s documents to hr', async () => {
    for (const strategy of ['rag', 'hybrid']) {
      const a = await call(
        keys.hr,
        'POST',
        '/v1/chat/completions',
        chat(strategy === 'rag' ? 'tiny-base' : 'hr', { lorag: { strategy } }),
      );
      assert.equal(a.status, 200, a.text);
      for (const c of a.json.citations ?? []) {
        assert.notEqual(c.chunk_id, legalChunk);
        assert.doesNotMatch(c.text, /Zephyr|NDA/, `hr got legal's passage: ${c.text}`);
      }
    }
  });
});

describe('cached answers', () => {
  test('the same base-model request by hr never hits legal’s cached answer', async () => {
    const body = {
      model: 'tiny-base',
      max_tokens: 8,
      temperature: 0,
      messages: [{ role: 'user', content: 'cache isolation probe' }],
      lorag: { strategy: 'base' },
    };
    const first = await call(keys.legal, 'POST', '/v1/chat/completions', body);
    assert.equal(first.status, 200, first.text);
    let hit = '';
    for (let i = 0; i < 50 && hit !== 'hit'; i++) {
      hit = (await call(keys.legal, 'POST', '/v1/chat/completions', body)).headers.get('x-lorag-cache') ?? '';
    }
    assert.equal(hit, 'hit', 'legal’s second ask is a hit (the cache works)');
    const hr = await call(keys.hr, 'POST', '/v1/chat/completions', body);
    assert.equal(hr.status, 200);
    assert.notEqual(hr.headers.get('x-lorag-cache'), 'hit');
  });
});

describe('usage, metrics and admin state', () => {
  const adminRoutes: [string, string][] = [
    ['GET', '/admin/usage?tenant=legal'],
    ['GET', '/admin/adapters'],
    ['GET', '/admin/replicas'],
    ['GET', '/admin/audit'],
    ['GET', '/admin/cache/stats'],
    ['POST', '/admin/cache/purge'],
    ['GET', '/admin/knowledge/documents?tenant=legal&collection=company'],
    ['DELETE', '/admin/knowledge/documents/zephyr.md?tenant=legal&collection=company'],
    ['POST', '/admin/ingest'],
    ['POST', '/admin/adapters/legal/versions'],
    ['PUT', '/admin/adapters/legal/split'],
    ['POST', '/admin/adapters/legal/versions/1/retire'],
    ['POST', '/admin/replicas/sim-0/drain'],
    ['GET', '/admin/budgets'],
  ];
  for (const [method, path] of adminRoutes) {
    test(`${method} ${path}: a tenant key is 403, no key 401, and nothing changes`, async () => {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const withKey = await call(keys.hr, method, path, body);
      assert.equal(withKey.status, 403, `${withKey.status} ${withKey.text.slice(0, 200)}`);
      assert.equal(withKey.json.error.type, 'permission_error');
      assert.doesNotMatch(withKey.text, /legal|zephyr/i, 'the refusal names nothing of legal’s');
      assert.equal((await call(null, method, path, body)).status, 401);
    });
  }

  test('the document hr tried to delete is still there for legal', async () => {
    const docs = await call(keys.admin, 'GET', '/admin/knowledge/documents?tenant=legal&collection=company');
    assert.ok(
      docs.json.data.some((d: { id: string }) => d.id.includes('zephyr')),
      docs.text,
    );
  });

  test('/metrics (with a token configured) is closed to tenant keys', async () => {
    for (const key of [keys.hr, keys.legal]) {
      const a = await call(key, 'GET', '/metrics');
      assert.equal(a.status, 401);
      assert.doesNotMatch(a.text, /tenant="/);
    }
  });

  test('a tenant’s own rate limit never spends another’s: legal at its limit, hr still served', async () => {
    const limited = await startStack({ tenants: { legal: { limits: { requests_per_minute: 2 } } } });
    try {
      const ask = (key: string, model: string) =>
        fetch(`${limited.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(chat(model)),
        }).then((r) => r.status);
      assert.deepEqual(
        [await ask(keys.legal, 'legal'), await ask(keys.legal, 'legal'), await ask(keys.legal, 'legal')],
        [200, 200, 429],
      );
      assert.equal(await ask(keys.hr, 'hr'), 200);
    } finally {
      await limited.close();
    }
  });

  test('a request for a model the tenant cannot use is refused before the limiter: it spends nothing', async () => {
    const limited = await startStack({ tenants: { legal: { limits: { requests_per_minute: 1 } } } });
    try {
      const ask = (model: string) =>
        fetch(`${limited.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
          body: JSON.stringify(chat(model)),
        }).then((r) => r.status);
      assert.deepEqual(
        [await ask('no-such-model'), await ask('hr'), await ask('legal'), await ask('legal')],
        [404, 404, 200, 429],
      );
    } finally {
      await limited.close();
    }
  });

  test('response headers carry only the caller’s own names', async () => {
    const a = await call(keys.hr, 'POST', '/v1/chat/completions', chat('hr'));
    for (const [k, v] of a.headers) assert.doesNotMatch(`${k}: ${v}`, /legal/i);
  });
});
