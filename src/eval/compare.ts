/**
 * @module eval/compare — from per-case scores to the report's numbers: each system's metrics with 95%
 * bootstrap intervals, paired bootstrap comparisons between every two systems on the same cases, and the
 * forgetting delta (an adapter against the same strategy without it, on the `general` cases).
 */
import type { EvalCase } from '../data-check/schemas.ts';
import { mostlyCjk } from '../embeddings/answer-normalize.ts';
import type { AnswerRecord, EvalSystem } from './answer-record.ts';
import type { Judgment } from './judge.ts';
import { bleuFromStats, sumStats } from './metrics/bleu.ts';
import { bootstrapInterval, mean, type PairedComparison, pairedBootstrap, percentile } from './metrics/stats.ts';
import { type CaseScore, scoreCase } from './score.ts';

export interface Interval {
  value: number;
  low: number;
  high: number;
  n: number;
}

export const qualityMetrics = ['f1', 'em', 'rouge_l', 'bleu'] as const;
export type QualityMetric = (typeof qualityMetrics)[number];

export interface SystemSummary {
  label: string;
  strategy: string;
  model: string;
  /** What the gateway said served (x-lorag-adapter), e.g. a canary's versions. */
  served: string[];
  quality: Record<QualityMetric, Interval>;
  citation_precision: Interval | null;
  citation_recall: Interval | null;
  recall_at_k: Interval | null;
  mrr: Interval | null;
  answer_in_context: Interval | null;
  /** Share of retrieval answers the optional LLM judge found supported by their passages. */
  groundedness: Interval | null;
  refusal_accuracy: Interval | null;
  false_refusal_rate: Interval | null;
  general_f1: Interval | null;
  latency_p50_ms: number;
  latency_p95_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  tokens_per_answer: number;
  errors: number;
  per_tag: Record<string, number>;
}

export interface Comparison extends PairedComparison {
  system: string;
  against: string;
  metric: QualityMetric | 'general_f1';
}

export interface Analysis {
  k: number;
  bleu: 'corpus-13a' | 'char';
  systems: SystemSummary[];
  comparisons: Comparison[];
  forgetting: Comparison[];
  scores: Record<string, CaseScore[]>;
}

const nonNull = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

function interval(xs: number[], seed: number): Interval | null {
  if (xs.length === 0) return null;
  return { ...bootstrapInterval(xs, mean, { seed }), n: xs.length };
}

function aggregator(metric: QualityMetric, bleu: Analysis['bleu']): (xs: CaseScore[]) => number {
  if (metric === 'bleu' && bleu === 'corpus-13a')
    return (xs) => bleuFromStats(sumStats(xs.map((x) => x.bleuStats))).score;
  const field = metric === 'rouge_l' ? 'rougeL' : metric;
  return (xs) => mean(xs.map((x) => x[field] as number));
}

export function analyse(
  cases: EvalCase[],
  systems: EvalSystem[],
  answers: AnswerRecord[],
  k: number,
  judgments: Judgment[] = [],
): Analysis {
  const verdicts = new Map(judgments.map((j) => [`${j.system}\u0000${j.case_id}`, j.grounded]));
  const byKey = new Map(answers.map((a) => [`${a.system}\u0000${a.case_id}`, a]));
  const scores: Record<string, CaseScore[]> = {};
  for (const s of systems)
    scores[s.label] = cases.flatMap((c) => {
      const a = byKey.get(`${s.label}\u0000${c.id}`);
      return a ? [scoreCase(c, a, k, verdicts.get(`${s.label}\u0000${c.id}`) ?? null)] : [];
    });
  const domainCases = cases.filter((c) => c.kind === 'domain');
  const refs = domainCases.map((c) => (Array.isArray(c.reference) ? c.reference[0] : c.reference));
  const bleu: Analysis['bleu'] = refs.filter(mostlyCjk).length * 2 > refs.length ? 'char' : 'corpus-13a';
  const domain = (xs: CaseScore[]) => xs.filter((x) => x.kind === 'domain');
  const general = (xs: CaseScore[]) => xs.filter((x) => x.kind === 'general');

  const summaries = systems.map((s, i): SystemSummary => {
    const all = scores[s.label];
    const d = domain(all);
    const seed = 1000 + i;
    const quality = Object.fromEntries(
      qualityMetrics.map((m) => {
        const agg = aggregator(m, bleu);
        return [
          m,
          d.length
            ? { ...bootstrapInterval(d, agg, { seed }), n: d.length }
            : { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 },
        ];
      }),
    ) as Record<QualityMetric, Interval>;
    const answered = all.filter((x) => x.kind !== 'unanswerable');
    const tags = new Map<string, number[]>();
    for (const x of all.filter((x) => x.kind !== 'unanswerable'))
      for (const t of x.tags) tags.set(t, [...(tags.get(t) ?? []), x.f1]);
    const prompt = mean(nonNull(all.map((x) => x.promptTokens)));
    const completion = mean(nonNull(all.map((x) => x.completionTokens)));
    return {
      label: s.label,
      strategy: s.strategy,
      model: s.model,
      served: [...new Set(answers.filter((a) => a.system === s.label && a.adapter).map((a) => a.adapter!))].sort(),
      quality,
      citation_precision: interval(nonNull(d.map((x) => x.citationPrecision)), seed),
      citation_recall: interval(nonNull(d.map((x) => x.citationRecall)), seed),
      recall_at_k: interval(nonNull(d.map((x) => x.recallAtK)), seed),
      mrr: interval(nonNull(d.map((x) => x.mrr)), seed),
      answer_in_context: interval(nonNull(d.map((x) => x.answerInContext)), seed),
      groundedness: interval(nonNull(all.map((x) => x.grounded)), seed),
      refusal_accuracy: interval(
        all.filter((x) => x.kind === 'unanswerable').map((x) => (x.refused ? 1 : 0)),
        seed,
      ),
      false_refusal_rate: interval(
        answered.map((x) => (x.refused ? 1 : 0)),
        seed,
      ),
      general_f1: interval(
        general(all).map((x) => x.f1),
        seed,
      ),
      latency_p50_ms: percentile(
        all.map((x) => x.latencyMs),
        50,
      ),
      latency_p95_ms: percentile(
        all.map((x) => x.latencyMs),
        95,
      ),
      prompt_tokens: prompt,
      completion_tokens: completion,
      tokens_per_answer: (Number.isNaN(prompt) ? 0 : prompt) + (Number.isNaN(completion) ? 0 : completion),
      errors: all.filter((x) => x.error).length,
      per_tag: Object.fromEntries([...tags].sort().map(([t, xs]) => [t, mean(xs)])),
    };
  });

  const comparisons: Comparison[] = [];
  for (let i = 0; i < systems.length; i++)
    for (let j = 0; j < systems.length; j++) {
      if (i === j) continue;
      const [a, b] = paired(domain(scores[systems[i].label]), domain(scores[systems[j].label]));
      for (const m of qualityMetrics)
        comparisons.push({
          system: systems[i].label,
          against: systems[j].label,
          metric: m,
          ...pairedBootstrap(a, b, aggregator(m, bleu), { seed: 7 }),
        });
    }

  // Forgetting: an adapter against the same serving without it — lora vs base, hybrid vs rag — on general cases.
  const forgetting: Comparison[] = [];
  for (const s of systems) {
    const without = s.strategy === 'lora' ? 'base' : s.strategy === 'hybrid' ? 'rag' : null;
    if (!without || !scores[without]) continue;
    const [a, b] = paired(general(scores[s.label]), general(scores[without]));
    if (a.length === 0) continue;
    forgetting.push({
      system: s.label,
      against: without,
      metric: 'general_f1',
      ...pairedBootstrap(a, b, (xs) => mean(xs.map((x) => x.f1)), { seed: 11 }),
    });
  }
  return { k, bleu, systems: summaries, comparisons, forgetting, scores };
}

/** The cases both systems answered, in the same order. */
function paired(a: CaseScore[], b: CaseScore[]): [CaseScore[], CaseScore[]] {
  const other = new Map(b.map((x) => [x.caseId, x]));
  const left = a.filter((x) => other.has(x.caseId));
  return [left, left.map((x) => other.get(x.caseId)!)];
}
