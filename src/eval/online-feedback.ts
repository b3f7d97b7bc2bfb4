/**
 * @module eval/online-feedback — `lorag eval --feedback`: reads the gateway's online feedback aggregates
 * (GET /admin/feedback?tenant=) and turns them into the report's rows with 95% intervals (normal
 * approximation from count, sum and sum of squares), plus each canary version against the stable one
 * (Welch interval of the difference of means).
 */
import type { OnlineFeedback, OnlineFeedbackRow } from './report/build-report.ts';
import { EvalInputError } from './systems.ts';

interface AggregateRow {
  tenant: string;
  adapter: string;
  strategy: string;
  count: number;
  sum: number;
  sum_squares: number;
}

function stats(r: AggregateRow) {
  const mean = r.count ? r.sum / r.count : Number.NaN;
  const variance = r.count > 1 ? Math.max(0, (r.sum_squares - r.count * mean * mean) / (r.count - 1)) : Number.NaN;
  return { mean, variance };
}

export function feedbackFigures(tenant: string, rows: AggregateRow[]): OnlineFeedback {
  const out: OnlineFeedbackRow[] = rows.map((r) => {
    const { mean, variance } = stats(r);
    const half = 1.96 * Math.sqrt(variance / r.count);
    return { adapter: r.adapter, strategy: r.strategy, count: r.count, mean, low: mean - half, high: mean + half };
  });
  const comparisons: OnlineFeedback['comparisons'] = [];
  // Versions of one adapter under one strategy: the highest version is the canary, each other one a stable.
  const groups = new Map<string, AggregateRow[]>();
  for (const r of rows) {
    if (!r.adapter.includes('@')) continue;
    const key = `${r.adapter.split('@')[0]}\u0000${r.strategy}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => a.adapter.localeCompare(b.adapter, 'en', { numeric: true }));
    const canary = sorted.at(-1)!;
    for (const stable of sorted.slice(0, -1)) {
      const a = stats(canary);
      const b = stats(stable);
      const se = Math.sqrt(a.variance / canary.count + b.variance / stable.count);
      const delta = a.mean - b.mean;
      const low = delta - 1.96 * se;
      const high = delta + 1.96 * se;
      comparisons.push({
        canary: canary.adapter,
        stable: stable.adapter,
        strategy: canary.strategy,
        delta,
        low,
        high,
        measurable: low > 0 || high < 0,
      });
    }
  }
  return { tenant, rows: out, comparisons };
}

export async function fetchOnlineFeedback(
  gatewayUrl: string,
  adminKey: string,
  tenant: string,
): Promise<OnlineFeedback> {
  const res = await fetch(`${gatewayUrl}/admin/feedback?tenant=${encodeURIComponent(tenant)}`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  if (!res.ok) throw new EvalInputError(`GET /admin/feedback answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { data: AggregateRow[] };
  return feedbackFigures(tenant, body.data);
}
