/**
 * Bad input through app.request(): each gets OpenAI's error envelope with the right status and `param`,
 * never a 500, never a hang. The upstream is unreachable on purpose: none of these may reach it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { sha256Hex } from '../../src/auth/keys.ts';
import { parseConfig } from '../../src/config/load.ts';
import { type Built, buildDeps } from '../../src/deps.ts';
import { keys, testConfig } from '../helpers/stack.ts';

let built: Built;
let app: ReturnType<typeof createApp>;

before(async () => {
  const raw = testConfig(['http://127.0.0.1:9']) as any;
  raw.server.body_limit_bytes = 4096;
  raw.tenants.legal.keys.push({ sha256: sha256Hex('sk-expired'), expires_at: '2020-01-01T00:00:00Z' });
  built = await buildDeps(parseConfig(raw));
  app = createApp(built.deps, built.extra);
});
after(() => built.close());

async function call(
  body: unknown,
  init: { key?: string | null; raw?: string; headers?: Record<string, string>; path?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  const key = init.key === undefined ? keys.legal : init.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await app.request(init.path ?? '/v1/chat/completions', {
    method: 'POST',
    headers,
    body: init.raw ?? JSON.stringify(body),
  });
  const json = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string } };
  assert.ok(json.error && typeof json.error.message === 'string', 'OpenAI error envelope');
  assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message', 'param', 'type']);
  return { status: res.status, error: json.error, headers: res.headers };
}

const ok = { model: 'legal', messages: [{ role: 'user', content: 'hi' }] };

describe('bad input', () => {
  test('malformed JSON → 400 invalid_json', async () => {
    const r = await call(null, { raw: '{"model": "legal", "messages": [' });
    assert.equal(r.status, 400);
    assert.equal(r.error.code, 'invalid_json');
    assert.equal(r.error.type, 'invalid_request_error');
  });
  test('a JSON array is not a request', async () => {
    const r = await call([1, 2]);
    assert.equal(r.status, 400);
  });
  test('missing messages → 400 naming the param', async () => {
    const r = await call({ model: 'legal' });
    assert.equal(r.status, 400);
    assert.equal(r.error.param, 'messages');
    assert.equal(r.error.code, 'missing_required_parameter');
  });
  test('wrong types → 400 naming the param', async () => {
    const r = await call({ ...ok, temperature: 'hot' });
    assert.equal(r.status, 400);
    assert.equal(r.error.param, 'temperature');
    const m = await call({ ...ok, messages: [{ role: 'wizard', content: 'x' }] });
    assert.equal(m.error.param, 'messages.0.role');
  });
  test('n and max_tokens out of range → 400', async () => {
    assert.equal((await call({ ...ok, n: 0 })).error.param, 'n');
    assert.equal((await call({ ...ok, n: 1000 })).error.param, 'n');
    assert.equal((await call({ ...ok, max_tokens: -5 })).error.param, 'max_tokens');
    assert.equal((await call({ ...ok, max_tokens: 1.5 })).status, 400);
  });
  test('stream_options without stream → 400 as vLLM', async () => {
    const r = await call({ ...ok, stream_options: { include_usage: true } });
    assert.equal(r.status, 400);
    assert.equal(r.error.param, 'stream_options');
  });
  test('unknown model and another tenant’s model → the same 404', async () => {
    const a = await call({ ...ok, model: 'hr' });
    const b = await call({ ...ok, model: 'nothing' });
    assert.equal(a.status, 404);
    assert.equal(b.status, 404);
    assert.equal(a.error.code, 'model_not_found');
    assert.equal(a.error.message, 'The model `hr` does not exist or you do not have access to it.');
    assert.equal(a.error.param, 'model');
  });
  test('a retired or unknown version is unknown too', async () => {
    assert.equal((await call({ ...ok, model: 'legal@99' })).status, 404);
  });
  test('a strategy the tenant may not use → 400; a collection it may not use → 404', async () => {
    const s = await call({ ...ok, lorag: { strategy: 'nope' } });
    assert.equal(s.status, 400);
    const c = await call({ ...ok, lorag: { strategy: 'rag', collections: ['secret'] } });
    assert.equal(c.status, 404);
    assert.equal(c.error.code, 'collection_not_found');
    const h = await call(ok, { headers: { 'x-lorag-strategy': 'bogus' } });
    assert.equal(h.status, 400);
  });
  test('no key, wrong key, expired key → 401', async () => {
    const none = await call(ok, { key: null });
    assert.equal(none.status, 401);
    assert.equal(none.error.type, 'authentication_error');
    assert.equal((await call(ok, { key: 'sk-wrong' })).error.code, 'invalid_api_key');
    const expired = await call(ok, { key: 'sk-expired' });
    assert.equal(expired.status, 401);
    assert.equal(expired.error.code, 'expired_api_key');
  });
  test('an admin key cannot call inference; a tenant key cannot call admin', async () => {
    assert.equal((await call(ok, { key: keys.admin })).status, 403);
    const res = await app.request('/admin/anything', { headers: { authorization: `Bearer ${keys.legal}` } });
    assert.equal(res.status, 403);
  });
  test('oversized body → 413 (declared and chunked)', async () => {
    const big = { ...ok, messages: [{ role: 'user', content: 'x'.repeat(10_000) }] };
    const r = await call(big);
    assert.equal(r.status, 413);
    assert.equal(r.error.code, 'request_too_large');
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        c.close();
      },
    });
    const res = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  });
  test('wrong content type → 415', async () => {
    const r = await call(ok, { headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 415);
  });
  test('upstream unreachable → 503 with retry hints, not a 500', async () => {
    const r = await call(ok);
    assert.equal(r.status, 503);
    assert.equal(r.error.type, 'server_error');
    assert.equal(r.headers.get('x-should-retry'), 'true');
  });
  test('unknown route → 404 envelope', async () => {
    const r = await call(ok, { path: '/v1/nothing' });
    assert.equal(r.status, 404);
  });
});
