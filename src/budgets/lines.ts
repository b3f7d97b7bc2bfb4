/**
 * @module budgets/lines — the budget lines that apply to a request (its tenant's and its key's, one per
 * configured period and unit) in the period that contains `now`, with the store id of each line's counter.
 * Limits are integers in the counter's unit: tokens, or cost micro-units.
 */
import type { BudgetLimit, BudgetsConfig } from '../config/budgets-schema.ts';
import { type PeriodWindow, periodAt } from './periods.ts';

/** Counters outlive their period by this much, so the admin view and the CLI can still read the last one. */
export const KEEP_AFTER_PERIOD_MS = 7 * 86_400_000;

export interface BudgetLine {
  tenant: string;
  /** The API key name for a key budget; null for the tenant's own. */
  key: string | null;
  spec: BudgetLimit;
  window: PeriodWindow;
  /** Store id of this line's counter in this period. */
  id: string;
  /** The configured hard limit in counter units (an admin override may replace it). */
  limit: number;
  expireAtMs: number;
}

export const toUnits = (spec: BudgetLimit, amount: number): number =>
  Math.round(spec.unit === 'cost' ? amount * 1_000_000 : amount);
export const fromUnits = (spec: BudgetLimit, units: number): number =>
  spec.unit === 'cost' ? units / 1_000_000 : units;

function line(tenant: string, key: string | null, spec: BudgetLimit, now: number, tz: string): BudgetLine {
  const window = periodAt(spec.period, now, tz);
  const subject = key === null ? `t:${tenant}` : `k:${tenant}:${encodeURIComponent(key)}`;
  return {
    tenant,
    key,
    spec,
    window,
    id: `${subject}:${spec.unit}:${spec.period}:${window.label}`,
    limit: toUnits(spec, spec.amount),
    expireAtMs: window.endMs + KEEP_AFTER_PERIOD_MS,
  };
}

/** The lines a request of `tenant` with API key `key` is charged to. */
export function linesFor(budgets: BudgetsConfig, tenant: string, key: string | undefined, now: number): BudgetLine[] {
  const b = budgets.tenants[tenant];
  if (!b) return [];
  const out = b.limits.map((spec) => line(tenant, null, spec, now, budgets.time_zone));
  const keyLimits = key === undefined ? undefined : b.keys[key];
  if (keyLimits && key !== undefined)
    out.push(...keyLimits.map((spec) => line(tenant, key, spec, now, budgets.time_zone)));
  return out;
}

/** Every configured line (admin view, CLI), optionally of one tenant. */
export function allLines(budgets: BudgetsConfig, now: number, tenant?: string): BudgetLine[] {
  const out: BudgetLine[] = [];
  for (const [id, b] of Object.entries(budgets.tenants)) {
    if (tenant !== undefined && id !== tenant) continue;
    out.push(...b.limits.map((spec) => line(id, null, spec, now, budgets.time_zone)));
    for (const [key, specs] of Object.entries(b.keys)) {
      out.push(...specs.map((spec) => line(id, key, spec, now, budgets.time_zone)));
    }
  }
  return out;
}
