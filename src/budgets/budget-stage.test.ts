import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BudgetsConfig } from '../config/budgets-schema.ts';
import type { GatewayError } from '../errors/gateway-error.ts';
import { type BudgetConfigView, createBudgetStage } from './budget-stage.ts';
import { createMemoryBudgetStore } from './memory-store.ts';
import type { BudgetStore } from './store.ts';

const NOW = Date.parse('2026-12-10T12:00:00Z');

function view(budgets: Partial<BudgetsConfig['tenants'][string]>): BudgetConfigView {
  return {
    prices: {
      currency: 'EUR',
      cached_factor: 0,
      models: { base: { prompt_per_million: 1_000_000, completion_per_million: 2_000_000 } },
      adapters: {},
    },
    budgets: {
      kind: 'memory',
      time_zone: 'UTC',
      tenants: { legal: { limits: [], on_store_failure: 'open', keys: {}, ...budgets } },
    },
    upstreams: { base_models: [{ name: 'base' }] },
    tenants: { legal: { adapters: [] } },
  };
}

const usage = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });
const settled = () => new Promise((r) => setImmediate(r));

test('reserve the estimate, settle with real usage, refund on failure; refused when the estimate does not fit', async () => {
  const store = createMemoryBudgetStore(() => NOW);
  const config = view({ limits: [{ period: 'month', unit: 'tokens', amount: 100, soft: 0.8 }] });
  const stage = createBudgetStage({ current: () => ({ config }), local: store, now: () => NOW });
  const a = await stage.admit({ tenantId: 'legal', estimatedTokens: 60 });
  assert.equal(a.headers['x-lorag-budget-remaining'], '40');
  assert.equal(a.headers['x-lorag-budget-reset'], '2027-01-01T00:00:00.000Z');
  await assert.rejects(stage.admit({ tenantId: 'legal', estimatedTokens: 41 }), (e: GatewayError) => {
    assert.equal(e.code, 'insufficient_quota');
    assert.equal(e.status, 429);
    assert.equal(e.retryable, false);
    return true;
  });
  a.settle(usage(10, 20));
  a.settle(usage(99, 99)); // idempotent
  await settled();
  const [line] = await store.read(['t:legal:tokens:month:2026-12']);
  assert.equal(line.used, 30);
  const b = await stage.admit({ tenantId: 'legal', estimatedTokens: 70 });
  b.settle(null);
  await settled();
  assert.equal((await store.read(['t:legal:tokens:month:2026-12']))[0].used, 30);
});

test('key budgets apply with the key name; cost lines are charged at the requested model price', async () => {
  const store = createMemoryBudgetStore(() => NOW);
  const config = view({
    limits: [{ period: 'month', unit: 'cost', amount: 1000, soft: 0.8 }],
    keys: { bot: [{ period: 'day', unit: 'tokens', amount: 50, soft: 0.5 }] },
  });
  const crossings: string[] = [];
  const stage = createBudgetStage({
    current: () => ({ config }),
    local: store,
    now: () => NOW,
    events: { softCrossed: (l) => crossings.push(l.id) },
  });
  const a = await stage.admit({ tenantId: 'legal', estimatedTokens: 30, keyName: 'bot', model: 'base' });
  assert.deepEqual(crossings, ['k:legal:bot:tokens:day:2026-12-10']);
  a.settle(usage(10, 5));
  await settled();
  const [cost, tokens] = await store.read(['t:legal:cost:month:2026-12', 'k:legal:bot:tokens:day:2026-12-10']);
  assert.equal(cost.used, 10 * 1_000_000 + 5 * 2_000_000); // micro-units: 20 EUR
  assert.equal(tokens.used, 15);
  await assert.rejects(stage.admit({ tenantId: 'legal', estimatedTokens: 36, keyName: 'bot' }), /key 'bot'/);
  // Another key of the same tenant is not held back by bot's budget.
  (await stage.admit({ tenantId: 'legal', estimatedTokens: 36, keyName: 'laptop' })).settle(null);
});

test('on_store_failure: open counts in this process and flags degraded; closed refuses with 503', async () => {
  const broken: BudgetStore = {
    ...createMemoryBudgetStore(),
    reserve: () => Promise.reject(new Error('redis down')),
  };
  const limits = [{ period: 'day' as const, unit: 'tokens' as const, amount: 100, soft: 0.8 }];
  const open = createBudgetStage({
    current: () => ({ config: view({ limits, on_store_failure: 'open' }) }),
    local: createMemoryBudgetStore(),
    shared: { store: broken, available: () => true },
  });
  const a = await open.admit({ tenantId: 'legal', estimatedTokens: 60 });
  assert.equal(a.degraded, true);
  await assert.rejects(open.admit({ tenantId: 'legal', estimatedTokens: 60 }), /exceeded your current quota/);
  const closed = createBudgetStage({
    current: () => ({ config: view({ limits, on_store_failure: 'closed' }) }),
    local: createMemoryBudgetStore(),
    shared: { store: broken, available: () => true },
  });
  await assert.rejects(closed.admit({ tenantId: 'legal', estimatedTokens: 1 }), (e: GatewayError) => {
    assert.equal(e.code, 'budget_unavailable');
    assert.equal(e.status, 503);
    return true;
  });
  // A tenant without budgets never touches a store.
  const none = await closed.admit({ tenantId: 'hr', estimatedTokens: 1 });
  assert.deepEqual(none.headers, {});
});
