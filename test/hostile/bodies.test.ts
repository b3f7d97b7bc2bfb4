/**
 * Property tests over every public route's body: random and adversarial JSON (depth, size, types, NUL,
 * lone surrogates, `__proto__`, huge numbers, model-name tricks), valid requests with one field swapped, and
 * raw bytes. Every answer is a 2xx or a 4xx with OpenAI's envelope (never a 5xx, never a hang: each request
 * has a deadline), nothing internal in the text, and afterwards another tenant is still served.
 */
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { anyValue, modelName, mutatedChat, mutatedCompletion, mutatedEmbedding, rawJson } from './arbitraries.ts';
import { assertClean, assertOtherTenantServed, type HostileStand, keys, send, startHostileStand } from './stand.ts';

let stand: HostileStand;
const statuses = new Map<number, number>();
before(async () => {
  stand = await startHostileStand({
    tenants: { legal: { limits: { tokens_per_minute: 5_000_000, requests_per_minute: 100_000 } } },
  });
});
after(async () => {
  await stand.close();
  const histogram = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
  process.stderr.write(`hostile bodies: status histogram ${histogram.join(' ')}\n`);
});

const RUNS = Number(process.env.LORAG_HOSTILE_RUNS ?? 250);

async function post(
  path: string,
  body: string | Uint8Array,
  key: string = keys.legal,
  headers: Record<string, string> = {},
) {
  const a = await send(`${stand.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body,
  });
  statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
  return assertClean(a, `POST ${path} ${typeof body === 'string' ? body.slice(0, 160) : `<${body.length} bytes>`}`);
}

describe('hostile bodies', () => {
  test('chat: valid requests with one hostile field', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedChat('legal'), async (body) => {
        await post('/chat/completions', body);
      }),
      { numRuns: RUNS },
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('chat: whole bodies of random JSON', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (body) => {
        await post('/chat/completions', body);
      }),
      { numRuns: RUNS },
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('completions: valid requests with one hostile field', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedCompletion('legal'), async (body) => {
        await post('/completions', body);
      }),
      { numRuns: RUNS },
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('embeddings: valid requests with one hostile field', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedEmbedding(), async (body) => {
        await post('/embeddings', body);
      }),
      { numRuns: RUNS },
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('model-name tricks on every generation route', async () => {
    await fc.assert(
      fc.asyncProperty(modelName, fc.constantFrom('/chat/completions', '/completions'), async (model, path) => {
        const body =
          path === '/completions'
            ? { model, prompt: 'hi', max_tokens: 2 }
            : { model, max_tokens: 2, messages: [{ role: 'user', content: 'hi' }] };
        await post(path, JSON.stringify(body));
      }),
      { numRuns: RUNS },
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('raw bytes: invalid UTF-8, binary, truncated JSON, with and without a content-encoding', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      rawJson.map((s) => {
        const b = Buffer.from(s);
        return b.subarray(0, Math.max(0, b.length - 1));
      }),
      fc.constant(Uint8Array.from([0xff, 0xfe, 0x7b, 0x7d])),
      fc.constant(Uint8Array.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])),
    );
    const encoding = fc.constantFrom(
      undefined,
      'gzip',
      'deflate',
      'br',
      'identity',
      'compress',
      'gzip, br',
      'GZIP',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        bytes,
        encoding,
        fc.constantFrom('/chat/completions', '/completions', '/embeddings'),
        async (b, enc, path) => {
          await post(path, b, keys.legal, enc === undefined ? {} : { 'content-encoding': enc });
        },
      ),
      { numRuns: RUNS },
    );
    await assertOtherTenantServed(stand, 'hr');
  });

  test('admin JSON routes (unknown and prototype-named targets, so nothing real changes)', async () => {
    const route = fc.constantFrom(
      ['POST', '/admin/adapters/nosuch/versions'],
      ['POST', '/admin/adapters/__proto__/versions'],
      ['PUT', '/admin/adapters/constructor/split'],
      ['PUT', '/admin/adapters/nosuch/split'],
      ['POST', '/admin/adapters/__proto__/versions/1/retire'],
      ['POST', '/admin/replicas/__proto__/load'],
      ['POST', '/admin/replicas/nosuch/unload'],
      ['POST', '/admin/cache/purge'],
      ['PUT', '/admin/budgets/__proto__'],
    );
    await fc.assert(
      fc.asyncProperty(route, anyValue, async ([method, p], body) => {
        const a = await send(`${stand.gateway.url}${p}`, {
          method,
          headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
          body,
        });
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        assertClean(a, `${method} ${p} ${body.slice(0, 120)}`);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    await assertOtherTenantServed(stand, 'hr');
  });
});
