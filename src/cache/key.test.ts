import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan } from '../../test/cache/fixtures.ts';
import type { ResolvedAdapter } from '../adapters/registry.ts';
import type { GenerationRequest } from '../openai/requests.ts';
import { type CacheKeyInput, cacheKey, canonicalJson, keyMaterial } from './key.ts';

const legal = (version: string): ResolvedAdapter => ({
  name: 'legal',
  version,
  id: `legal@${version}`,
  source: `/adapters/legal/${version}`,
  baseModel: 'qwen',
  rank: 8,
});

const body = (over: Record<string, unknown> = {}) =>
  ({
    model: 'legal',
    messages: [{ role: 'user', content: 'What is a tort?' }],
    temperature: 0,
    ...over,
  }) as GenerationRequest;

const input = (over: Partial<CacheKeyInput> = {}): CacheKeyInput => ({
  tenantId: 'acme',
  plan: plan(),
  endpoint: 'chat',
  body: body(),
  revisions: {},
  ...over,
});

test('canonicalJson sorts keys at every depth and drops null/undefined members', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: null }], c: undefined } }),
    '{"a":{"d":[1,{"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
});

test('the key is stable: 64 hex digits, same input → same key, key order irrelevant', () => {
  const k = cacheKey(input());
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(cacheKey(input()), k);
  const reordered = {
    temperature: 0,
    messages: [{ content: 'What is a tort?', role: 'user' }],
    model: 'legal',
  } as GenerationRequest;
  assert.equal(cacheKey(input({ body: reordered })), k);
});

test('defaults filled: an explicit default equals the absent parameter', () => {
  const k = cacheKey(input());
  assert.equal(cacheKey(input({ body: body({ top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0 }) })), k);
  assert.equal(cacheKey(input({ body: body({ top_p: null, seed: null }) })), k);
  assert.equal(
    cacheKey(input({ body: body({ max_tokens: 50 }) })),
    cacheKey(input({ body: body({ max_completion_tokens: 50 }) })),
  );
  assert.equal(cacheKey(input({ body: body({ stop: 'x' }) })), cacheKey(input({ body: body({ stop: ['x'] }) })));
  // temperature 1 is the default: a missing temperature and an explicit 1 are the same request.
  assert.equal(
    cacheKey(input({ body: body({ temperature: 1, seed: 7 }) })),
    cacheKey(input({ body: body({ temperature: undefined, seed: 7 }) })),
  );
});

test('fields that cannot change the answer are excluded', () => {
  const k = cacheKey(input());
  const noise = {
    user: 'bob',
    stream: true,
    stream_options: { include_usage: true },
    lorag: { strategy: 'lora' },
    model: 'legal@3',
  };
  assert.equal(cacheKey(input({ body: body(noise) })), k);
});

test('every output-affecting parameter changes the key', () => {
  const k = cacheKey(input());
  const variants: Record<string, unknown>[] = [
    { temperature: 0.5 },
    { top_p: 0.9 },
    { seed: 1 },
    { max_tokens: 10 },
    { n: 2 },
    { stop: ['\n'] },
    { response_format: { type: 'json_object' } },
    { tools: [{ type: 'function', function: { name: 'f' } }] },
    { messages: [{ role: 'user', content: 'What is a contract?' }] },
    { logit_bias: { '50256': -100 } },
  ];
  const keys = new Set(variants.map((v) => cacheKey(input({ body: body(v) }))));
  assert.equal(keys.size, variants.length);
  assert.ok(!keys.has(k));
});

test('tenant isolation: the same request for two tenants has two keys', () => {
  assert.notEqual(cacheKey(input({ tenantId: 'acme' })), cacheKey(input({ tenantId: 'globex' })));
});

test('a new adapter version, another strategy or the base model changes the key', () => {
  const k = cacheKey(input());
  assert.notEqual(
    cacheKey(input({ plan: plan({ adapter: legal('4'), adapterLabel: 'legal@4', upstreamModel: 'legal@4' }) })),
    k,
  );
  assert.notEqual(cacheKey(input({ plan: plan({ adapter: null, adapterLabel: 'base', strategy: 'base' }) })), k);
  assert.notEqual(cacheKey(input({ endpoint: 'completions' })), k);
});

test('a new knowledge revision of a used collection changes the key; an unused one does not', () => {
  const rag = plan({ strategy: 'hybrid', retrieval: true, collections: ['contracts', 'hr'] });
  const k = cacheKey(input({ plan: rag, revisions: { contracts: 3, hr: 1 } }));
  assert.notEqual(cacheKey(input({ plan: rag, revisions: { contracts: 4, hr: 1 } })), k);
  assert.equal(cacheKey(input({ plan: rag, revisions: { hr: 1, contracts: 3, other: 9 } })), k);
  assert.notEqual(cacheKey(input({ plan: { ...rag, topK: 8 }, revisions: { contracts: 3, hr: 1 } })), k);
  assert.notEqual(
    cacheKey(input({ plan: { ...rag, collections: ['contracts'] }, revisions: { contracts: 3, hr: 1 } })),
    k,
  );
  assert.match(
    keyMaterial(input({ plan: rag, revisions: { contracts: 3, hr: 1 } })),
    /"revisions":\{"contracts":3,"hr":1\}/,
  );
});
