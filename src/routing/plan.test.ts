import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adapterManifestSchema } from '../adapters/manifest.ts';
import { AdapterRegistry } from '../adapters/registry.ts';
import { parseConfig } from '../config/load.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { keywordScores } from './auto-router.ts';
import { bucketOf, pickFromSplit } from './canary.ts';
import { type PlanInput, plan, visibleModels } from './plan.ts';

const manifest = (name: string, versions: string[], extra: Record<string, unknown> = {}) =>
  adapterManifestSchema.parse({
    name,
    description: `${name} department`,
    base_model: 'base',
    rank: 8,
    versions: versions.map((v) => ({ version: v, source: `sim://${name}/${v}` })),
    ...extra,
  });

const registry = () =>
  new AdapterRegistry([
    manifest('legal', ['1', '2'], {
      description: 'contracts NDA liability clauses',
      examples: ['review this contract clause'],
    }),
    manifest('hr', ['1'], { description: 'vacation leave payroll hiring', examples: ['how many vacation days'] }),
  ]);

const config = parseConfig({
  upstreams: { base_models: [{ name: 'base', replicas: [{ url: 'http://127.0.0.1:1' }] }] },
  embeddings: { kind: 'hash' },
  tenants: {
    legal: {
      adapters: ['legal'],
      collections: ['company', 'contracts'],
      strategy: { default: 'hybrid', allowed: ['lora', 'hybrid', 'rag', 'base'] },
      canary: { legal: { 'legal@1': 90, 'legal@2': 10 } },
    },
    hr: { adapters: ['hr'], strategy: { default: 'lora' } },
  },
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  tenantId: 'legal',
  tenant: config.tenants.legal,
  config,
  registry: registry(),
  model: 'legal',
  stickyKey: 'user-1',
  ...over,
});

const notFound = (fn: () => unknown, model: string) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof GatewayError && e.status === 404 && e.message.includes(`\`${model}\``),
  );

describe('plan', () => {
  test('an adapter name resolves through the tenant split; a pinned version pins', () => {
    const p = plan(input());
    assert.ok(p.adapter && ['legal@1', 'legal@2'].includes(p.adapter.id));
    assert.equal(p.upstreamModel, p.adapter.id);
    assert.equal(plan(input({ model: 'legal@2' })).adapter?.id, 'legal@2');
  });

  test('strategy: tenant default, body wins over header; effective strategy follows the adapter', () => {
    assert.equal(plan(input()).strategy, 'hybrid');
    assert.equal(plan(input({ strategyHeader: 'lora' })).strategy, 'lora');
    assert.equal(plan(input({ strategyHeader: 'lora', extension: { strategy: 'hybrid' } })).strategy, 'hybrid');
    const base = plan(input({ model: 'base', extension: { strategy: 'hybrid' } }));
    assert.equal(base.adapter, null);
    assert.equal(base.strategy, 'rag');
    assert.equal(base.adapterLabel, 'base');
    assert.deepEqual(base.collections, ['company', 'contracts']);
  });

  test('collections: the tenant’s by default, a subset on request, others read as not found', () => {
    assert.deepEqual(plan(input({ extension: { collections: ['contracts'] } })).collections, ['contracts']);
    assert.throws(
      () => plan(input({ extension: { collections: ['payroll'] } })),
      (e: unknown) => (e as GatewayError).code === 'collection_not_found',
    );
    assert.equal(plan(input({ strategyHeader: 'lora' })).retrieval, false);
  });

  test('a strategy outside the allowance is refused', () => {
    assert.throws(
      () => plan(input({ tenantId: 'hr', tenant: config.tenants.hr, model: 'hr', extension: { strategy: 'rag' } })),
      (e: unknown) => (e as GatewayError).code === 'strategy_not_allowed',
    );
  });

  test('another tenant’s adapter, an unknown one and an unknown version are the same 404', () => {
    notFound(() => plan(input({ model: 'hr' })), 'hr');
    notFound(() => plan(input({ model: 'nope' })), 'nope');
    notFound(() => plan(input({ model: 'legal@9' })), 'legal@9');
  });

  test('model-name tricks are the same 404: extra @, empty parts, prototype names, case, spaces', () => {
    for (const model of [
      'legal@1@anything',
      'legal@1@',
      'legal@',
      '@1',
      '@',
      'hr@1',
      '__proto__',
      'constructor',
      'legal@__proto__',
      '__proto__@1',
      'Legal',
      'legal ',
      ' legal@1',
      'legal@01',
      'legal@1 ',
    ]) {
      notFound(() => plan(input({ model })), model);
    }
  });

  test('a retired version is not routed to, even when the tenant split still names it', () => {
    const reg = registry();
    reg.retire('legal', '1');
    for (let i = 0; i < 50; i++)
      assert.equal(plan(input({ registry: reg, stickyKey: `u${i}` })).adapter?.id, 'legal@2');
    notFound(() => plan(input({ registry: reg, model: 'legal@1' })), 'legal@1');
  });

  test('auto picks the best-scoring allowed adapter', () => {
    const reg = registry();
    const scores = keywordScores('please review this contract clause', reg.all());
    const p = plan(input({ model: 'auto', autoScores: scores }));
    assert.equal(p.adapter?.name, 'legal');
    // hr scores higher but is not the tenant's: never chosen
    const p2 = plan(
      input({
        model: 'auto',
        autoScores: new Map([
          ['hr', 1],
          ['legal', 0.1],
        ]),
      }),
    );
    assert.equal(p2.adapter?.name, 'legal');
  });

  test('auto without scores never picks a listed adapter the registry lacks (alphabetically first)', () => {
    const tenant = { ...config.tenants.legal, adapters: ['aaa-missing', 'legal'] };
    assert.equal(plan(input({ model: 'auto', tenant })).adapter?.name, 'legal');
  });

  test('models visible to a tenant', () => {
    assert.deepEqual(
      visibleModels(config.tenants.legal, config, registry()).map((m) => m.id),
      ['base', 'auto', 'legal', 'legal@1', 'legal@2'],
    );
  });
});

describe('canary split', () => {
  test('sticky and within ±3 points over 1,000 callers', () => {
    const split = { 'legal@1': 90, 'legal@2': 10 };
    let canary = 0;
    for (let i = 0; i < 1000; i++) {
      const id = pickFromSplit(split, 'legal', `user-${i}`);
      assert.equal(pickFromSplit(split, 'legal', `user-${i}`), id);
      if (id === 'legal@2') canary++;
    }
    assert.ok(canary >= 70 && canary <= 130, `canary share ${canary / 10}%`);
  });
  test('buckets are in [0, 100) and independent of key order', () => {
    const b = bucketOf('legal', 'x');
    assert.ok(b >= 0 && b < 100);
    assert.equal(pickFromSplit({ a: 50, b: 50 }, 'n', 'k'), pickFromSplit({ b: 50, a: 50 }, 'n', 'k'));
  });
});
