/**
 * @module eval/report/build-report — report.json: the run, every system's metrics with intervals, the paired
 * comparisons, forgetting, the decision, online feedback when asked for, and each case's answers side by side.
 */
import type { EvalCase } from '../../data-check/schemas.ts';
import type { AnswerRecord } from '../answer-record.ts';
import type { Analysis } from '../compare.ts';
import type { Decision } from '../decide.ts';

export interface OnlineFeedbackRow {
  adapter: string;
  strategy: string;
  count: number;
  mean: number;
  low: number;
  high: number;
}

export interface OnlineFeedback {
  tenant: string;
  rows: OnlineFeedbackRow[];
  /** Canary vs stable version of one adapter (Welch 95% interval of the mean score difference). */
  comparisons: {
    canary: string;
    stable: string;
    strategy: string;
    delta: number;
    low: number;
    high: number;
    measurable: boolean;
  }[];
}

export interface Report {
  lorag_eval: 1;
  department: string;
  generated_at: string;
  set: { path: string; cases: number; by_kind: Record<string, number> };
  gateway: string;
  base_model: string;
  complete: boolean;
  bleu: Analysis['bleu'];
  k: number;
  systems: Analysis['systems'];
  comparisons: Analysis['comparisons'];
  forgetting: Analysis['forgetting'];
  decision: Decision;
  feedback: OnlineFeedback | null;
  cases: {
    id: string;
    kind: string;
    tags: string[];
    question: string;
    reference: string | string[];
    answers: Record<string, { answer: string; f1: number; cited: string[]; error: string | null }>;
  }[];
}

export function buildReport(input: {
  department: string;
  setPath: string;
  gateway: string;
  baseModel: string;
  cases: EvalCase[];
  answers: AnswerRecord[];
  analysis: Analysis;
  decision: Decision;
  feedback: OnlineFeedback | null;
  complete: boolean;
  now?: Date;
}): Report {
  const { analysis, cases } = input;
  const byKey = new Map(input.answers.map((a) => [`${a.system}\u0000${a.case_id}`, a]));
  const byKind: Record<string, number> = {};
  for (const c of cases) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  return {
    lorag_eval: 1,
    department: input.department,
    generated_at: (input.now ?? new Date()).toISOString(),
    set: { path: input.setPath, cases: cases.length, by_kind: byKind },
    gateway: input.gateway,
    base_model: input.baseModel,
    complete: input.complete,
    bleu: analysis.bleu,
    k: analysis.k,
    systems: analysis.systems,
    comparisons: analysis.comparisons,
    forgetting: analysis.forgetting,
    decision: input.decision,
    feedback: input.feedback,
    cases: cases.map((c) => ({
      id: c.id,
      kind: c.kind,
      tags: c.tags,
      question: c.question ?? c.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '',
      reference: c.reference,
      answers: Object.fromEntries(
        analysis.systems.map((s) => {
          const a = byKey.get(`${s.label}\u0000${c.id}`);
          const score = analysis.scores[s.label]?.find((x) => x.caseId === c.id);
          return [
            s.label,
            {
              answer: a?.answer ?? '',
              f1: score?.f1 ?? 0,
              cited: a?.cited_documents ?? [],
              error: a?.error?.message ?? (a ? null : 'not answered'),
            },
          ];
        }),
      ),
    })),
  };
}
