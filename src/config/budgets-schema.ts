/**
 * @module config/budgets-schema — the `prices` and `budgets` sections of lorag.yaml, and the checks that span
 * them and the tenants (called from config/load's cross-check, so every problem is listed by path at start
 * and on SIGHUP, where a bad config is refused and the old one kept).
 */
import { z } from 'zod';

export const priceSchema = z
  .object({
    /** Price of one million prompt tokens, in `prices.currency`. */
    prompt_per_million: z.number().min(0),
    /** Price of one million completion tokens. */
    completion_per_million: z.number().min(0),
  })
  .strict();
export type Price = z.infer<typeof priceSchema>;

export const pricesConfigSchema = z
  .object({
    /** A label only (`EUR`, `USD`, `GPU-h`); lorag converts nothing. */
    currency: z.string().min(1).max(12).default('USD'),
    /** Share of the price a cache hit costs (it costs no GPU work): 0 … 1, default 0. */
    cached_factor: z.number().min(0).max(1).default(0),
    /** Per base model name (`upstreams.base_models[].name`). */
    models: z.record(z.string(), priceSchema).default({}),
    /** Per adapter name: wins over its base model's price. */
    adapters: z.record(z.string(), priceSchema).default({}),
  })
  .strict()
  .default({ currency: 'USD', cached_factor: 0, models: {}, adapters: {} });
export type PricesConfig = z.infer<typeof pricesConfigSchema>;

export const budgetPeriodSchema = z.enum(['day', 'week', 'month']);
export type BudgetPeriod = z.infer<typeof budgetPeriodSchema>;
export const budgetUnitSchema = z.enum(['tokens', 'cost']);
export type BudgetUnit = z.infer<typeof budgetUnitSchema>;

export const budgetLimitSchema = z
  .object({
    period: budgetPeriodSchema,
    /** `tokens` (prompt + completion) or `cost` (in `prices.currency`). */
    unit: budgetUnitSchema,
    /** The hard limit per period; a request that would pass it is refused with 429 `insufficient_quota`. */
    amount: z.number().positive(),
    /** Share of `amount` past which a warning is logged once and counted (`lorag_budget_soft_crossings_total`). */
    soft: z.number().gt(0).max(1).default(0.8),
  })
  .strict();
export type BudgetLimit = z.infer<typeof budgetLimitSchema>;

export const tenantBudgetSchema = z
  .object({
    limits: z.array(budgetLimitSchema).default([]),
    /**
     * While the shared budget store (Redis) is unreachable: `open` admits on this process's own counters
     * (flagged `x-lorag-degraded: budget`; N gateways may then spend up to N budgets during the outage),
     * `closed` refuses with 503 `budget_unavailable`.
     */
    on_store_failure: z.enum(['open', 'closed']).default('open'),
    /** Per API key name (`tenants.<t>.keys[].name`, or the first 8 hex digits of its sha256). */
    keys: z.record(z.string(), z.array(budgetLimitSchema).min(1)).default({}),
  })
  .strict();
export type TenantBudget = z.infer<typeof tenantBudgetSchema>;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const budgetsConfigSchema = z
  .object({
    /** `redis`: one count shared by every gateway replica (atomic Lua); `memory`: per process. */
    kind: z.enum(['memory', 'redis']).default('memory'),
    /** IANA time zone in which days, weeks (Monday first) and months begin. */
    time_zone: z.string().refine(validTimeZone, { message: 'unknown IANA time zone' }).default('UTC'),
    tenants: z.record(z.string(), tenantBudgetSchema).default({}),
  })
  .strict()
  .default({ kind: 'memory', time_zone: 'UTC', tenants: {} });
export type BudgetsConfig = z.infer<typeof budgetsConfigSchema>;

/** The parts of the whole config the cross-check reads (structural, so this file imports no other section). */
export interface BudgetCheckInput {
  prices: PricesConfig;
  budgets: BudgetsConfig;
  redis: { url?: string };
  upstreams: { base_models: { name: string }[] };
  tenants: Record<string, { keys: { sha256: string; name?: string }[]; adapters: string[] }>;
}

function overlaps(limits: BudgetLimit[], path: string): string[] {
  const problems: string[] = [];
  limits.forEach((l, i) => {
    const j = limits.findIndex((o) => o.period === l.period && o.unit === l.unit);
    if (j < i) problems.push(`${path}.${i}: overlaps ${path}.${j} (same period '${l.period}' and unit '${l.unit}')`);
  });
  return problems;
}

export function budgetConfigProblems(config: BudgetCheckInput): string[] {
  const problems: string[] = [];
  const bases = new Set(config.upstreams.base_models.map((b) => b.name));
  const adapters = new Set(Object.values(config.tenants).flatMap((t) => t.adapters));
  for (const name of Object.keys(config.prices.models)) {
    if (!bases.has(name)) problems.push(`prices.models.${name}: unknown base model`);
  }
  for (const name of Object.keys(config.prices.adapters)) {
    if (!adapters.has(name)) problems.push(`prices.adapters.${name}: no tenant lists this adapter`);
  }
  if (config.budgets.kind === 'redis' && !config.redis.url) problems.push('budgets.kind: redis needs redis.url');
  const priced = Object.keys(config.prices.models).length > 0 || Object.keys(config.prices.adapters).length > 0;
  for (const [id, budget] of Object.entries(config.budgets.tenants)) {
    const path = `budgets.tenants.${id}`;
    const tenant = config.tenants[id];
    if (!tenant) {
      problems.push(`${path}: unknown tenant`);
      continue;
    }
    problems.push(...overlaps(budget.limits, `${path}.limits`));
    const keyNames = new Set(tenant.keys.map((k) => k.name ?? k.sha256.slice(0, 8)));
    for (const [key, limits] of Object.entries(budget.keys)) {
      if (!keyNames.has(key)) problems.push(`${path}.keys.${key}: unknown key of tenant '${id}'`);
      problems.push(...overlaps(limits, `${path}.keys.${key}`));
    }
    const all = [...budget.limits, ...Object.values(budget.keys).flat()];
    if (all.some((l) => l.unit === 'cost') && !priced) {
      problems.push(`${path}: a cost budget needs prices (prices.models or prices.adapters)`);
    }
  }
  return problems;
}
