/**
 * @module budgets/service — what the admin API and `lorag budgets` show and change: every configured budget
 * line in its current period (used, remaining, period end), and raising (an override of the limit for the
 * current period, shared through the store so every gateway enforces it on its next request) or resetting it.
 */
import { z } from 'zod';
import { budgetPeriodSchema, budgetUnitSchema } from '../config/budgets-schema.ts';
import type { BudgetConfigView } from './budget-stage.ts';
import { allLines, type BudgetLine, fromUnits, toUnits } from './lines.ts';
import type { BudgetStore } from './store.ts';

export interface BudgetStateRow {
  tenant: string;
  key: string | null;
  unit: 'tokens' | 'cost';
  /** `tokens`, or the price currency. */
  unit_label: string;
  period: 'day' | 'week' | 'month';
  period_label: string;
  period_start: string;
  period_end: string;
  limit: number;
  configured_limit: number;
  overridden: boolean;
  used: number;
  remaining: number;
  soft: number;
  on_store_failure: 'open' | 'closed';
}

export async function budgetState(
  config: BudgetConfigView,
  store: BudgetStore,
  now: number,
  tenant?: string,
): Promise<BudgetStateRow[]> {
  const lines = allLines(config.budgets, now, tenant);
  const states = await store.read(lines.map((l) => l.id));
  return lines.map((l, i) => {
    const limitUnits = states[i].override ?? l.limit;
    const round = (n: number) => Number(n.toFixed(6));
    return {
      tenant: l.tenant,
      key: l.key,
      unit: l.spec.unit,
      unit_label: l.spec.unit === 'cost' ? config.prices.currency : 'tokens',
      period: l.spec.period,
      period_label: l.window.label,
      period_start: new Date(l.window.startMs).toISOString(),
      period_end: new Date(l.window.endMs).toISOString(),
      limit: round(fromUnits(l.spec, limitUnits)),
      configured_limit: l.spec.amount,
      overridden: states[i].override !== null,
      used: round(fromUnits(l.spec, states[i].used)),
      remaining: round(fromUnits(l.spec, Math.max(0, limitUnits - states[i].used))),
      soft: l.spec.soft,
      on_store_failure: config.budgets.tenants[l.tenant]?.on_store_failure ?? 'open',
    };
  });
}

export const budgetChangeSchema = z
  .object({
    /** A key budget of the tenant; absent or null: the tenant's own budget lines. */
    key: z.string().min(1).nullable().optional(),
    period: budgetPeriodSchema.optional(),
    unit: budgetUnitSchema.optional(),
    /** New hard limit for the current period (tokens, or currency); null: back to the configured one. */
    limit: z.number().positive().nullable().optional(),
    /** Spent back to 0 for the current period. */
    reset: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.limit !== undefined || c.reset === true, { message: 'give `limit` (or null) and/or `reset: true`' });
export type BudgetChange = z.infer<typeof budgetChangeSchema>;

/** The lines a change applies to; empty when the tenant (or key, period, unit) has no such budget. */
export function linesForChange(
  config: BudgetConfigView,
  tenant: string,
  change: BudgetChange,
  now: number,
): BudgetLine[] {
  return allLines(config.budgets, now, tenant).filter(
    (l) =>
      l.key === (change.key ?? null) &&
      (change.period === undefined || l.spec.period === change.period) &&
      (change.unit === undefined || l.spec.unit === change.unit),
  );
}

export async function applyBudgetChange(store: BudgetStore, lines: BudgetLine[], change: BudgetChange): Promise<void> {
  for (const l of lines) {
    if (change.limit !== undefined) {
      await store.setOverride(l.id, change.limit === null ? null : toUnits(l.spec, change.limit), l.expireAtMs);
    }
    if (change.reset) await store.reset(l.id);
  }
}
