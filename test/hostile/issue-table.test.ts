/**
 * Issue 13's defect table, one test per row, against a real gateway over a real simulator: each failed
 * before its fix. (Raw-socket rows — slow clients, parser errors, SIGTERM — are in raw-socket.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  assertClean,
  assertOtherTenantServed,
  type HostileStand,
  keys,
  normalChat,
  send,
  startHostileStand,
} from './stand.ts';

let stand: HostileStand;
before(async () => {
  stand = await startHostileStand({
    tenants: { hr: { limits: { tokens_per_minute: 20_000 } } },
    config: { upstreams: { circuit_breaker: { failures: 1, cooldown_ms: 5000 } } },
  });
});
after(() => stand.close());

const post = (path: string, body: string | Uint8Array, key = keys.legal, headers: Record<string, string> = {}) =>
  send(`${stand.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body,
  });

/** `{"a":{"a":…}}` nested `n` deep, built as text (JSON.stringify could not build it). */
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('issue 13 table', () => {
  test('D1: nesting 10,000 deep in a pass-through field is a 400 at parse time, and hr keeps its model server', async () => {
    // Inside a message (the token estimate used to throw: 500) and top-level (the upstream call used to throw:
    // a replica failure, and the breaker opened for every tenant).
    for (let i = 0; i < 3; i++) {
      const body = `{"model":"legal","messages":[{"role":"user","content":"hi","x":${deepObject(10_000)}}]}`;
      const a = assertClean(await post('/chat/completions', body), 'deep chat');
      assert.equal(a.status, 400);
      assert.equal(a.json.error.type, 'invalid_request_error');
      assert.match(a.json.error.param, /^messages\[0\]\.x(\.a)*$/);
      const top = `{"model":"legal","messages":[{"role":"user","content":"hi"}],"x":${deepObject(10_000)}}`;
      const b = assertClean(await post('/chat/completions', top), 'deep top-level field');
      assert.equal(b.status, 400);
      assert.match(b.json.error.param, /^x(\.a)*$/);
    }
    await assertOtherTenantServed(stand, 'hr');
  });

  test('D2: the same nesting on completions, embeddings and the cache key path is a 400 naming the field', async () => {
    const cases: [string, string, RegExp][] = [
      [
        '/chat/completions',
        `{"model":"legal","messages":[{"role":"user","content":"hi","x":${deepArray(5000)}}]}`,
        /^messages\[0\]\.x/,
      ],
      ['/completions', `{"model":"legal","prompt":"hi","logit_bias":${deepObject(6000)}}`, /^logit_bias/],
      ['/embeddings', `{"model":"tiny-base","input":"hi","extra":${deepArray(5000)}}`, /^extra/],
      [
        '/chat/completions',
        `{"model":"legal","messages":[{"role":"user","content":"hi"}],"metadata":${deepObject(65)}}`,
        /^metadata/,
      ],
    ];
    for (const [path, body, param] of cases) {
      const a = assertClean(await post(path, body), `deep ${path}`);
      assert.equal(a.status, 400, `${path}: ${a.text.slice(0, 200)}`);
      assert.match(a.json.error.param, param);
    }
    // 64 levels (the default bound) still parse: the request is judged on its content, not refused for depth.
    const ok = await post('/chat/completions', JSON.stringify({ ...normalChat('legal'), metadata: undefined }));
    assert.equal(ok.status, 200);
  });

  test('F1: a request over the whole TPM budget is a non-retryable 429 and does not lock the tenant out', async () => {
    const big = assertClean(
      await post('/chat/completions', JSON.stringify({ ...normalChat(), max_tokens: 250_000 }), keys.hr),
      'F1',
    );
    assert.equal(big.status, 429);
    assert.equal(big.headers.get('x-should-retry'), 'false');
    assert.equal(big.headers.get('retry-after'), null);
    // Refused by the model server (max_tokens beyond its context): 400, and the estimate is refunded.
    for (let i = 0; i < 4; i++) {
      const refused = assertClean(
        await post('/chat/completions', JSON.stringify({ ...normalChat(), max_tokens: 8000 }), keys.hr),
        'F1 upstream 400',
      );
      assert.equal(refused.status, 400, refused.text);
    }
    await assertOtherTenantServed(stand, 'hr');
  });

  test('D5: /metrics without a token answers loopback only; hr is not listed to anyone else (see metrics-guard.test.ts)', async () => {
    const a = await send(`${stand.gateway.url}/metrics`);
    assert.equal(a.status, 200, 'a loopback scrape still works by default');
  });

  test('D6: /readyz carries states, not error strings or addresses', async () => {
    const a = await send(`${stand.gateway.url}/readyz`);
    assert.equal(a.status, 200);
    assert.deepEqual(Object.keys(a.json).sort(), ['dependencies', 'replicas', 'status']);
    assert.doesNotMatch(a.text, /http:|127\.0\.0\.1|error/i);
  });

  test('D10: legal@1@anything is model_not_found', async () => {
    const a = assertClean(await post('/chat/completions', JSON.stringify(normalChat('legal@1@anything'))), 'D10');
    assert.equal(a.status, 404);
    assert.equal(a.json.error.code, 'model_not_found');
  });

  test('F2: gzip, deflate and br bodies are decoded; an unknown encoding is a 415; a bomb stops at the limit', async () => {
    const { deflateSync, brotliCompressSync } = await import('node:zlib');
    const body = Buffer.from(JSON.stringify(normalChat('legal')));
    for (const [enc, data] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['br', brotliCompressSync(body)],
    ] as const) {
      const a = await post('/chat/completions', data, keys.legal, { 'content-encoding': enc });
      assert.equal(a.status, 200, `${enc}: ${a.text.slice(0, 200)}`);
    }
    const unknown = assertClean(
      await post('/chat/completions', body, keys.legal, { 'content-encoding': 'zstd' }),
      'zstd',
    );
    assert.equal(unknown.status, 415);
    const garbage = assertClean(
      await post('/chat/completions', body, keys.legal, { 'content-encoding': 'gzip' }),
      'not gzip',
    );
    assert.equal(garbage.status, 400);
    // 64 MiB of spaces compress to ~64 KiB: decoding stops at the 1 MiB body limit.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const b = assertClean(await post('/chat/completions', bomb, keys.legal, { 'content-encoding': 'gzip' }), 'bomb');
    assert.equal(b.status, 413);
    await assertOtherTenantServed(stand, 'hr');
  });

  test('CORS: without allowed origins a preflight is a 204 without allow headers, never a 401', async () => {
    const a = await send(`${stand.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(a.status, 204);
    assert.equal(a.headers.get('access-control-allow-origin'), null);
  });
});
