import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from './load.ts';

const base = {
  upstreams: { base_models: [{ name: 'tiny', replicas: [{ url: 'http://127.0.0.1:1' }] }] },
  tenants: { legal: { keys: [{ sha256: 'a'.repeat(64), name: 'laptop' }], adapters: ['legal'] } },
};

function problems(extra: Record<string, unknown>): string[] {
  try {
    parseConfig({ ...base, ...extra });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

test('negative or non-numeric prices and budgets are listed by path', () => {
  const p = problems({
    prices: { models: { tiny: { prompt_per_million: -1, completion_per_million: 'x' } } },
    budgets: { tenants: { legal: { limits: [{ period: 'month', unit: 'tokens', amount: -5 }] } } },
  });
  assert.ok(
    p.some((x) => x.startsWith('prices.models.tiny.prompt_per_million:')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('prices.models.tiny.completion_per_million:')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('budgets.tenants.legal.limits.0.amount:')),
    p.join('\n'),
  );
});

test('unknown tenants, keys and models, overlapping periods, a bad time zone and cost without prices', () => {
  const p = problems({
    prices: { models: { huge: { prompt_per_million: 1, completion_per_million: 1 } } },
    budgets: {
      time_zone: 'Mars/Olympus',
      tenants: {
        nobody: { limits: [{ period: 'day', unit: 'tokens', amount: 5 }] },
        legal: {
          limits: [
            { period: 'month', unit: 'tokens', amount: 5 },
            { period: 'month', unit: 'tokens', amount: 9 },
          ],
          keys: { stranger: [{ period: 'day', unit: 'tokens', amount: 1 }] },
        },
      },
    },
  });
  assert.ok(
    p.some((x) => x.startsWith('budgets.time_zone:')),
    p.join('\n'),
  );
  const q = problems({
    prices: { models: { huge: { prompt_per_million: 1, completion_per_million: 1 } } },
    budgets: {
      tenants: {
        nobody: { limits: [{ period: 'day', unit: 'tokens', amount: 5 }] },
        legal: {
          limits: [
            { period: 'month', unit: 'tokens', amount: 5 },
            { period: 'month', unit: 'tokens', amount: 9 },
          ],
          keys: { stranger: [{ period: 'day', unit: 'tokens', amount: 1 }] },
        },
      },
    },
  });
  assert.deepEqual(q, [
    'prices.models.huge: unknown base model',
    'budgets.tenants.nobody: unknown tenant',
    "budgets.tenants.legal.limits.1: overlaps budgets.tenants.legal.limits.0 (same period 'month' and unit 'tokens')",
    "budgets.tenants.legal.keys.stranger: unknown key of tenant 'legal'",
  ]);
  assert.deepEqual(
    problems({ budgets: { tenants: { legal: { limits: [{ period: 'day', unit: 'cost', amount: 1 }] } } } }),
    ['budgets.tenants.legal: a cost budget needs prices (prices.models or prices.adapters)'],
  );
  assert.deepEqual(
    problems({
      budgets: { tenants: { legal: { keys: { laptop: [{ period: 'week', unit: 'tokens', amount: 1 }] } } } },
    }),
    [],
  );
});
