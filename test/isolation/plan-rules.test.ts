/**
 * The routing plan's rules, each asserted exactly (kills the mutants `npm run test:mutation` found alive in
 * src/routing/plan.ts and src/cache/key.ts): strategy header parsing and refusals with their messages and
 * params, the canary split without retired/zero-weight versions, auto within the tenant's adapters only, the
 * base-model check, the plan's fields; the cache key's irrelevant fields and defaults.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adapterManifestSchema } from '../../src/adapters/manifest.ts';
import { AdapterRegistry } from '../../src/adapters/registry.ts';
import { cacheKey, canonicalJson, normalizeRequest } from '../../src/cache/key.ts';
import { parseConfig } from '../../src/config/load.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { GenerationRequest } from '../../src/openai/requests.ts';
import { allowedStrategies, type PlanInput, plan, visibleModels } from '../../src/routing/plan.ts';
import { plan as planFixture } from '../cache/fixtures.ts';

const manifest = (name: string, versions: string[], base = 'base') =>
  adapterManifestSchema.parse({
    name,
    description: name,
    base_model: base,
    rank: 8,
    versions: versions.map((v) => ({ version: v, source: `sim://${name}/${v}` })),
  });
const registry = () =>
  new AdapterRegistry([
    manifest('legal', ['1', '2', '3']),
    manifest('hr', ['1']),
    manifest('orphan', ['1'], 'elsewhere'),
    manifest('other', ['1'], 'other-base'),
  ]);
const config = parseConfig({
  upstreams: {
    base_models: [
      { name: 'base', replicas: [{ url: 'http://127.0.0.1:1' }] },
      { name: 'other-base', replicas: [{ url: 'http://127.0.0.1:2' }] },
    ],
  },
  embeddings: { kind: 'hash' },
  tenants: {
    legal: {
      adapters: ['legal', 'orphan', 'other', 'ghost'],
      collections: ['company', 'contracts'],
      strategy: { default: 'lora', allowed: ['lora', 'hybrid', 'rag', 'base'] },
      canary: { legal: { 'legal@1': 0, 'legal@2': 100 } },
      rag: { top_k: 7 },
    },
    hr: { adapters: ['hr'] },
    none: { adapters: [] },
  },
});
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  tenantId: 'legal',
  tenant: config.tenants.legal,
  config,
  registry: registry(),
  model: 'legal',
  stickyKey: 'u',
  ...over,
});
const refusal = (fn: () => unknown, expected: { code: string; param: string | null; message: string }) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.deepEqual({ code: e.code, param: e.param, message: e.message }, expected);
    return true;
  });

describe('plan: strategy', () => {
  test('the header is trimmed and case-folded; each of the four names is accepted', () => {
    for (const s of ['base', 'lora', 'rag', 'hybrid'] as const) {
      const p = plan(input({ strategyHeader: ` ${s.toUpperCase()} ` }));
      assert.equal(p.strategy, s === 'base' || s === 'lora' ? 'lora' : 'hybrid', s);
      assert.equal(p.retrieval, s === 'rag' || s === 'hybrid', s);
    }
    assert.equal(plan(input({ model: 'base', strategyHeader: 'rag' })).strategy, 'rag');
    assert.equal(plan(input({ model: 'base', strategyHeader: 'base' })).strategy, 'base');
  });

  test('an unknown header value is a 400 naming the header', () => {
    for (const h of ['bases', 'x', 'rag,lora', '__proto__']) {
      refusal(() => plan(input({ strategyHeader: h })), {
        code: 'invalid_value',
        param: 'x-lorag-strategy',
        message: `x-lorag-strategy must be one of base, lora, rag, hybrid; got '${h.toLowerCase()}'.`,
      });
    }
  });

  test('a strategy outside the allowance: 400 with the allowed list; default-only tenants allow just the default', () => {
    const two = parseConfig({
      ...config,
      tenants: { t: { adapters: ['legal'], strategy: { default: 'lora', allowed: ['lora', 'base'] } } },
    }).tenants.t;
    refusal(() => plan(input({ tenant: two, extension: { strategy: 'hybrid' } })), {
      code: 'strategy_not_allowed',
      param: 'lorag.strategy',
      message: "Strategy 'hybrid' is not allowed for this key; allowed: lora, base.",
    });
    assert.deepEqual(allowedStrategies(config.tenants.hr), ['lora']);
    refusal(
      () => plan(input({ tenantId: 'hr', tenant: config.tenants.hr, model: 'hr', extension: { strategy: 'rag' } })),
      {
        code: 'strategy_not_allowed',
        param: 'lorag.strategy',
        message: "Strategy 'rag' is not allowed for this key; allowed: lora.",
      },
    );
  });
});

describe('plan: collections and fields', () => {
  test('a collection outside the tenant’s: 404 naming it', () => {
    refusal(() => plan(input({ extension: { strategy: 'rag', collections: ['company', 'payroll'] } })), {
      code: 'collection_not_found',
      param: 'lorag.collections',
      message: 'The collection `payroll` does not exist or you do not have access to it.',
    });
  });

  test('retrieval only with collections; no collections listed without retrieval; top_k from request or tenant', () => {
    const rag = plan(input({ extension: { strategy: 'rag' } }));
    assert.deepEqual([rag.retrieval, rag.collections, rag.topK], [true, ['company', 'contracts'], 7]);
    const empty = plan(input({ extension: { strategy: 'rag', collections: [] } }));
    assert.deepEqual([empty.retrieval, empty.collections], [false, []]);
    const lora = plan(input());
    assert.deepEqual([lora.retrieval, lora.collections], [false, []]);
    assert.equal(plan(input({ extension: { strategy: 'hybrid', top_k: 2 } })).topK, 2);
    assert.equal(lora.tenantId, 'legal');
    assert.equal(lora.requestedModel, 'legal');
    assert.equal(lora.baseModel, 'base');
    assert.equal(lora.upstreamModel, 'legal@2');
    assert.equal(lora.adapterLabel, 'legal@2');
    const base = plan(input({ model: 'base' }));
    assert.deepEqual(
      [base.adapter, base.upstreamModel, base.adapterLabel, base.baseModel],
      [null, 'base', 'base', 'base'],
    );
  });

  test('an adapter on another configured base model is served there; on an unconfigured one it reads as unknown', () => {
    const p = plan(input({ model: 'other@1' }));
    assert.equal(p.baseModel, 'other-base');
    assert.equal(p.upstreamModel, 'other@1');
    refusal(() => plan(input({ model: 'orphan' })), {
      code: 'model_not_found',
      param: 'model',
      message: 'The model `orphan` does not exist or you do not have access to it.',
    });
  });
});

describe('plan: versions, split and auto', () => {
  test('the tenant split drops 0-weight and retired versions and renormalises; nothing left → the manifest default', () => {
    for (let i = 0; i < 40; i++) assert.equal(plan(input({ stickyKey: `k${i}` })).adapter?.id, 'legal@2', '0% never');
    const reg = registry();
    reg.retire('legal', '2');
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add(plan(input({ registry: reg, stickyKey: `k${i}` })).adapter?.id ?? '');
    assert.ok(!seen.has('legal@2') && !seen.has('legal@1'), `only live, non-zero or the default: ${[...seen]}`);
    const split = parseConfig({
      ...config,
      tenants: { t: { adapters: ['legal'], canary: { legal: { 'legal@1': 25, 'legal@3': 75 } } } },
    }).tenants.t;
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const id = plan(input({ tenant: split, stickyKey: `s${i}` })).adapter?.id ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), ['legal@1', 'legal@3']);
    const share = (counts.get('legal@1') ?? 0) / 400;
    assert.ok(share > 0.15 && share < 0.35, `legal@1 share ${share} of a 25% split`);
  });

  test('every version retired: the adapter name reads as unknown (no crash on an empty split)', () => {
    const reg = registry();
    for (const v of ['1', '2', '3']) reg.retire('legal', v);
    const noSplit = parseConfig({ ...config, tenants: { t: { adapters: ['legal'] } } }).tenants.t;
    refusal(() => plan(input({ registry: reg, tenant: noSplit })), {
      code: 'model_not_found',
      param: 'model',
      message: 'The model `legal` does not exist or you do not have access to it.',
    });
  });

  test('a pinned version: exactly one @, a live version of an allowed adapter', () => {
    assert.equal(plan(input({ model: 'legal@3' })).adapter?.id, 'legal@3');
    for (const m of ['legal@9', 'legal@1@2', 'ghost', 'ghost@1', 'hr@1']) {
      refusal(() => plan(input({ model: m })), {
        code: 'model_not_found',
        param: 'model',
        message: `The model \`${m}\` does not exist or you do not have access to it.`,
      });
    }
  });

  test('auto: the best score among the tenant’s adapters, else the first; none → 404', () => {
    assert.equal(
      plan(
        input({
          model: 'auto',
          autoScores: new Map([
            ['hr', 9],
            ['legal', 0.1],
          ]),
        }),
      ).adapter?.name,
      'legal',
    );
    assert.equal(
      plan(
        input({
          model: 'auto',
          autoScores: new Map([
            ['other', 0.9],
            ['legal', 0.1],
          ]),
        }),
      ).adapter?.name,
      'other',
    );
    assert.equal(plan(input({ tenantId: 'hr', tenant: config.tenants.hr, model: 'auto' })).adapter?.name, 'hr');
    refusal(() => plan(input({ tenantId: 'none', tenant: config.tenants.none, model: 'auto' })), {
      code: 'model_not_found',
      param: 'model',
      message: 'The model `auto` does not exist or you do not have access to it.',
    });
  });

  test('visibleModels: base, auto only with adapters, each registered adapter and live version', () => {
    assert.deepEqual(visibleModels(config.tenants.none, config, registry()), [{ id: 'base', parent: null }]);
    const ids = visibleModels(config.tenants.legal, config, registry()).map((m) => m.id);
    assert.deepEqual(ids, [
      'base',
      'auto',
      'legal',
      'legal@1',
      'legal@2',
      'legal@3',
      'orphan',
      'orphan@1',
      'other',
      'other@1',
    ]);
  });
});

describe('cache key: what counts', () => {
  const body = (over: Record<string, unknown> = {}) =>
    ({ model: 'legal', messages: [{ role: 'user', content: 'q' }], ...over }) as GenerationRequest;
  const key = (b: GenerationRequest) =>
    cacheKey({ tenantId: 't', plan: planFixture(), endpoint: 'chat', body: b, revisions: {} });

  test('fields that cannot change the answer are not in the key', () => {
    const k = key(body());
    for (const [f, v] of Object.entries({
      model: 'legal@1',
      user: 'u',
      stream: true,
      stream_options: { include_usage: true },
      lorag: { top_k: 1 },
      metadata: { a: 1 },
      store: true,
      service_tier: 'flex',
    }))
      assert.equal(key(body({ [f]: v })), k, f);
  });

  test('a parameter at its default is the same as absent; off its default it is not', () => {
    const k = key(body());
    const defaults = {
      temperature: 1,
      top_p: 1,
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
      echo: false,
      top_k: -1,
      min_p: 0,
      repetition_penalty: 1,
      ignore_eos: false,
      skip_special_tokens: true,
    };
    const off = {
      temperature: 0.5,
      top_p: 0.5,
      n: 2,
      presence_penalty: 1,
      frequency_penalty: 1,
      logprobs: true,
      echo: true,
      top_k: 1,
      min_p: 0.1,
      repetition_penalty: 1.1,
      ignore_eos: true,
      skip_special_tokens: false,
    };
    for (const [f, v] of Object.entries(defaults)) assert.equal(key(body({ [f]: v })), k, `${f} at its default`);
    for (const [f, v] of Object.entries(off)) assert.notEqual(key(body({ [f]: v })), k, `${f} off its default`);
  });

  test('empty stop/tools lists are absent; a stop string is a one-element list; null members are absent', () => {
    const k = key(body());
    assert.equal(key(body({ stop: [] })), k);
    assert.equal(key(body({ tools: [] })), k);
    assert.equal(key(body({ stop: null, seed: null })), k);
    assert.equal(key(body({ stop: 'x' })), key(body({ stop: ['x'] })));
    assert.notEqual(key(body({ stop: ['x'] })), k);
    assert.deepEqual(
      { ...normalizeRequest(body({ user: 'u', temperature: 1, stop: 'x' })) },
      {
        messages: [{ role: 'user', content: 'q' }],
        stop: ['x'],
      },
    );
  });

  test('canonical JSON: null/undefined and non-finite numbers are null; arrays keep holes as null', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson(Number.POSITIVE_INFINITY), 'null');
    assert.equal(canonicalJson(Number.NaN), 'null');
    assert.equal(canonicalJson([1, undefined, null, 'a']), '[1,null,null,"a"]');
    assert.equal(canonicalJson({ a: undefined, b: null, c: 0, d: false, e: '' }), '{"c":0,"d":false,"e":""}');
  });
});
