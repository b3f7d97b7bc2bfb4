/**
 * @module budgets/metrics — budget and chargeback metrics in a prom-client registry of their own, appended to
 * GET /metrics by the composition root. Labels are bounded: tenants and key names come from the budgets config
 * (others read `other` past a cap), adapters are capped like the gateway's own metrics. Names are a contract
 * with deploy/grafana/lorag.json.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { labelGuard } from '../telemetry/label-guard.ts';
import { type BudgetLine, fromUnits } from './lines.ts';

export interface BudgetMetrics {
  observed(line: BudgetLine, used: number, limit: number): void;
  softCrossed(line: BudgetLine): void;
  refused(line: BudgetLine): void;
  storeFailed(tenant: string): void;
  /** One finished generation request: `cost` in currency units. */
  chargeback(tenant: string, adapter: string, cached: boolean, cost: number): void;
  render(): Promise<string>;
}

export function createBudgetMetrics(known: { tenants: string[]; keys: string[]; currency: string }): BudgetMetrics {
  const register = new Registry();
  const tenant = labelGuard(100, ['none', ...known.tenants]);
  const key = labelGuard(200, ['', ...known.keys]);
  const adapter = labelGuard(300, ['base']);
  const lineLabels = ['tenant', 'key', 'unit', 'period'] as const;
  const used = new Gauge({
    name: 'lorag_budget_used',
    help: 'Spent in the current period (tokens, or cost in the price currency), as last seen by this gateway; key="" is the tenant budget.',
    labelNames: lineLabels,
    registers: [register],
  });
  const limit = new Gauge({
    name: 'lorag_budget_limit',
    help: 'Hard limit of the budget line in its current period (an admin override included).',
    labelNames: lineLabels,
    registers: [register],
  });
  const soft = new Counter({
    name: 'lorag_budget_soft_crossings_total',
    help: 'Times a budget line crossed its soft threshold.',
    labelNames: ['tenant', 'key'] as const,
    registers: [register],
  });
  const refusals = new Counter({
    name: 'lorag_budget_refused_total',
    help: 'Requests refused with 429 insufficient_quota.',
    labelNames: ['tenant', 'key'] as const,
    registers: [register],
  });
  const failures = new Counter({
    name: 'lorag_budget_store_failures_total',
    help: 'Budget store (Redis) calls that failed; on_store_failure decided.',
    labelNames: ['tenant'] as const,
    registers: [register],
  });
  const requests = new Counter({
    name: 'lorag_chargeback_requests_total',
    help: 'Finished generation requests per tenant and adapter; cache="hit" for answers from the cache.',
    labelNames: ['tenant', 'adapter', 'cache'] as const,
    registers: [register],
  });
  const cost = new Counter({
    name: 'lorag_chargeback_cost_total',
    help: `Cost of answered requests at the configured prices, in ${known.currency}.`,
    labelNames: ['tenant', 'adapter', 'currency'] as const,
    registers: [register],
  });
  const labelsOf = (l: BudgetLine) => ({
    tenant: tenant(l.tenant),
    key: key(l.key ?? ''),
    unit: l.spec.unit,
    period: l.spec.period,
  });
  return {
    observed(l, u, lim) {
      used.set(labelsOf(l), fromUnits(l.spec, u));
      limit.set(labelsOf(l), fromUnits(l.spec, lim));
    },
    softCrossed: (l) => soft.inc({ tenant: tenant(l.tenant), key: key(l.key ?? '') }),
    refused: (l) => refusals.inc({ tenant: tenant(l.tenant), key: key(l.key ?? '') }),
    storeFailed: (t) => failures.inc({ tenant: tenant(t) }),
    chargeback(t, a, cached, c) {
      requests.inc({ tenant: tenant(t), adapter: adapter(a), cache: cached ? 'hit' : 'miss' });
      if (c > 0) cost.inc({ tenant: tenant(t), adapter: adapter(a), currency: known.currency }, c);
    },
    render: () => register.metrics(),
  };
}
