/**
 * @module budgets/headers — the `x-lorag-budget-*` response headers (the tightest line's view: the one with the
 * least share left) and the `insufficient_quota` message.
 */
import { type BudgetLine, fromUnits } from './lines.ts';
import type { LineState } from './store.ts';

export function formatAmount(line: BudgetLine, units: number): string {
  const v = fromUnits(line.spec, units);
  return line.spec.unit === 'cost' ? String(Number(v.toFixed(6))) : String(Math.round(v));
}

const unitLabel = (line: BudgetLine, currency: string) => (line.spec.unit === 'cost' ? currency : 'tokens');

function tightest(lines: BudgetLine[], states: LineState[]): number {
  let best = 0;
  let bestShare = Number.POSITIVE_INFINITY;
  states.forEach((s, i) => {
    const share = s.limit > 0 ? (s.limit - s.used) / s.limit : 0;
    if (share < bestShare) {
      best = i;
      bestShare = share;
    }
  });
  return lines.length ? best : -1;
}

export function budgetHeaders(lines: BudgetLine[], states: LineState[], currency: string): Record<string, string> {
  const i = tightest(lines, states);
  if (i < 0) return {};
  const l = lines[i];
  const s = states[i];
  const h: Record<string, string> = {
    'x-lorag-budget-remaining': formatAmount(l, Math.max(0, s.limit - s.used)),
    'x-lorag-budget-unit': unitLabel(l, currency),
    'x-lorag-budget-reset': new Date(l.window.endMs).toISOString(),
  };
  if (states.some((st, j) => st.used >= lines[j].spec.soft * st.limit)) h['x-lorag-budget-warning'] = 'soft-limit';
  return h;
}

export function quotaMessage(line: BudgetLine, state: LineState, needed: number, currency: string): string {
  const who = line.key === null ? `tenant '${line.tenant}'` : `key '${line.key}' of tenant '${line.tenant}'`;
  const unit = unitLabel(line, currency);
  return (
    `You exceeded your current quota: the ${line.spec.period === 'day' ? 'daily' : `${line.spec.period}ly`} budget of ${who} ` +
    `(${formatAmount(line, state.limit)} ${unit} for ${line.window.label}) has ` +
    `${formatAmount(line, Math.max(0, state.limit - state.used))} ${unit} left and this request may need ` +
    `${formatAmount(line, needed)}. It resets at ${new Date(line.window.endMs).toISOString()}.`
  );
}
