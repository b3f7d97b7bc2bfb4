/**
 * @module adapters/promotion-gate — `lorag adapters promote NAME@V --require report.json`: reads `lorag eval`'s
 * report and refuses when the new version is *measurably* worse than a version that serves now on a gated
 * metric (adapters.promotion.metrics; `max_drop` tolerates a drop up to that much). Quality metrics use the
 * report's paired comparisons (95% interval of the difference excludes 0); `general_f1` (forgetting) uses the
 * two systems' intervals (worse when they do not overlap). Systems are matched by the model they asked for
 * (`legal@2`) and compared strategy by strategy. A report that does not contain both versions is a refusal:
 * a gate that cannot measure does not let through.
 */
import { z } from 'zod';

const interval = z.object({ value: z.number(), low: z.number(), high: z.number() }).passthrough();
export const evalReportSchema = z
  .object({
    lorag_eval: z.literal(1),
    systems: z.array(
      z
        .object({
          label: z.string(),
          strategy: z.string(),
          model: z.string(),
          quality: z.record(z.string(), interval),
          general_f1: interval.nullable(),
        })
        .passthrough(),
    ),
    comparisons: z.array(
      z
        .object({
          system: z.string(),
          against: z.string(),
          metric: z.string(),
          delta: z.number(),
          low: z.number(),
          high: z.number(),
          measurable: z.boolean(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
export type EvalReport = z.infer<typeof evalReportSchema>;

export interface GateResult {
  ok: boolean;
  /** One line per gated metric and strategy compared. */
  checked: string[];
  reasons: string[];
}

const f = (x: number) => (x >= 0 ? `+${x.toFixed(3)}` : x.toFixed(3));

export function promotionGate(
  report: EvalReport,
  candidate: string,
  current: string[],
  metrics: Partial<Record<string, { max_drop: number }>>,
): GateResult {
  const out: GateResult = { ok: false, checked: [], reasons: [] };
  const cands = report.systems.filter((s) => s.model === candidate);
  if (cands.length === 0) out.reasons.push(`the report has no system for ${candidate}`);
  const others = current.filter((c) => c !== candidate);
  for (const cur of others) {
    const pairs = cands
      .map((a) => [a, report.systems.find((b) => b.model === cur && b.strategy === a.strategy)] as const)
      .filter((p) => p[1]);
    if (cands.length && pairs.length === 0) out.reasons.push(`the report has no system for ${cur} to compare with`);
    for (const [a, b] of pairs) {
      for (const [metric, gate] of Object.entries(metrics)) {
        const maxDrop = gate?.max_drop ?? 0;
        if (metric === 'general_f1') {
          if (!a.general_f1 || !b!.general_f1) continue;
          const delta = a.general_f1.value - b!.general_f1.value;
          const worse = a.general_f1.high < b!.general_f1.low && -delta > maxDrop;
          out.checked.push(`${a.label} vs ${b!.label} general_f1 ${f(delta)}${worse ? ' (measurably worse)' : ''}`);
          if (worse) out.reasons.push(`${a.label} is measurably worse than ${b!.label} on general_f1: ${f(delta)}`);
          continue;
        }
        const c = report.comparisons.find((x) => x.system === a.label && x.against === b!.label && x.metric === metric);
        if (!c) continue;
        const worse = c.measurable && c.high < 0 && -c.delta > maxDrop;
        out.checked.push(
          `${a.label} vs ${b!.label} ${metric} ${f(c.delta)} [${c.low.toFixed(3)}, ${c.high.toFixed(3)}]${worse ? ' (measurably worse)' : ''}`,
        );
        if (worse)
          out.reasons.push(
            `${a.label} is measurably worse than ${b!.label} on ${metric}: ${f(c.delta)} [${c.low.toFixed(3)}, ${c.high.toFixed(3)}]` +
              (maxDrop ? ` (allowed drop ${maxDrop})` : ''),
          );
      }
    }
  }
  if (others.length && out.checked.length === 0 && out.reasons.length === 0)
    out.reasons.push('no gated metric could be compared in the report');
  out.ok = out.reasons.length === 0;
  return out;
}
