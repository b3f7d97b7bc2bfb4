/**
 * Property tests over headers and paths of every public route: random methods, percent-encoded and dotted
 * paths, prototype names in path segments and query strings, hostile authorization / content-type /
 * content-encoding / x-lorag-strategy / cache-control / x-request-id / origin headers. Same rule as the
 * bodies: a 2xx, 204 or a 4xx with OpenAI's envelope, nothing internal, another tenant still served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { nastyString } from './arbitraries.ts';
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
  stand = await startHostileStand({ config: { server: { cors: { allowed_origins: ['https://app.example'] } } } });
});
after(() => stand.close());

const RUNS = Number(process.env.LORAG_HOSTILE_RUNS ?? 250);

const segment = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '..',
    '.',
    '%2e%2e',
    '%00',
    '%2F',
    'legal',
    'hr',
    'sim-0',
    'x'.repeat(3000),
    '%ZZ',
    '%',
    '',
  ),
  // Lone surrogates cannot be percent-encoded as UTF-8: those go as their UTF-16 code units in hex.
  nastyString
    .map((s) => s.replace(/[\ud800-\udfff]/g, (u) => `%${u.charCodeAt(0).toString(16)}`))
    .map((s) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return s;
      }
    }),
);
const routes = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/models',
  '/v1/models/{x}',
  '/v1/knowledge/chunks/{x}',
  '/v1/{x}',
  '/{x}',
  '/admin/adapters',
  '/admin/adapters/{x}/versions',
  '/admin/replicas/{x}',
  '/admin/usage?tenant={x}&from={x}&to={x}',
  '/admin/usage?from=99999999999999999999',
  '/admin/knowledge/documents?tenant={x}&collection={x}',
  '/admin/knowledge/documents/{x}?tenant={x}&collection={x}',
  '/admin/cache/stats?tenant={x}',
  '/admin/budgets',
  '/admin/audit?limit={x}',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '//v1//models',
  '/v1/../admin/adapters',
];
const path = fc.tuple(fc.constantFrom(...routes), segment).map(([r, s]) => r.replaceAll('{x}', s));
const method = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD');

const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(`Bearer ${keys.legal}`, `Bearer ${keys.hr}`, `Bearer ${keys.admin}`) },
  fc.constantFrom(
    `Bearer ${keys.legal}`,
    `Bearer ${keys.hr}`,
    `Bearer ${keys.admin}`,
    `bearer ${keys.legal}`,
    `Bearer  ${keys.legal} `,
    `Basic ${Buffer.from('a:b').toString('base64')}`,
    'Bearer',
    'Bearer ',
    `Bearer ${keys.legal},Bearer ${keys.hr}`,
    `Bearer ${'k'.repeat(8000)}`,
    '',
  ),
  nastyString.map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '?').slice(0, 4000)}`),
);

/** Header values must be Latin-1 without CR/LF/NUL for fetch to send them; the rest is fair game. */
const headerValue = nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 4000));

const headers = fc.record(
  {
    authorization,
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/vnd.api+json',
      ),
      headerValue,
    ),
    'content-encoding': fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'zstd', 'identity'), headerValue),
    'x-lorag-strategy': fc.oneof(fc.constantFrom('base', 'lora', 'rag', 'hybrid', '__proto__'), headerValue),
    'cache-control': fc.oneof(
      fc.constantFrom('no-cache', 'no-store', 'max-age=-1', 'max-age=99999999999999999999'),
      headerValue,
    ),
    'x-request-id': headerValue,
    origin: fc.constantFrom('https://app.example', 'https://evil.example', 'null'),
    'access-control-request-method': fc.constantFrom('POST', 'GET', 'DELETE'),
  },
  { requiredKeys: [] },
);

const bodyFor = (m: string) => (m === 'GET' || m === 'HEAD' ? undefined : JSON.stringify(normalChat('legal')));

describe('hostile headers and paths', () => {
  test('every route × method × hostile headers', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(method, path, headers, async (m, p, h) => {
        const a = await send(`${stand.gateway.url}${p}`, { method: m, headers: h, body: bodyFor(m) });
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (m === 'HEAD' || a.status === 204) {
          assert.ok(a.status < 500, `${m} ${p}: ${a.status}`);
          return;
        }
        // The simulator's own answers (stream or JSON) pass through on 200; everything else is checked.
        assertClean(a, `${m} ${p.slice(0, 120)} ${JSON.stringify(h).slice(0, 200)}`, {
          // as the URL is resolved (`/v1/../admin` is `/admin`)
          operator: /^\/+(admin|metrics)\b/.test(new URL(`${stand.gateway.url}${p}`).pathname),
        });
      }),
      { numRuns: RUNS },
    );
    process.stderr.write(
      `hostile headers/paths: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}:${n}`)
        .join(' ')}\n`,
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('CORS: an allowed origin gets its preflight before auth and the allow header on answers', async () => {
    const pre = await send(`${stand.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-stainless-os',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-stainless-os/);
    assert.equal(pre.headers.get('access-control-allow-credentials'), null, 'keys travel in a header, never cookies');
    const ok = await send(`${stand.baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        origin: 'https://app.example',
        authorization: `Bearer ${keys.legal}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(normalChat('legal')),
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
    const refused = await send(`${stand.baseURL}/models`, { headers: { origin: 'https://app.example' } });
    assert.equal(refused.status, 401);
    assert.equal(
      refused.headers.get('access-control-allow-origin'),
      'https://app.example',
      'a browser can read the 401',
    );
    const evil = await send(`${stand.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.status, 204);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });
});
