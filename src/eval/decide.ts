/**
 * @module eval/decide — the recommendation for one department, following the seed article's decision tree
 * with measured numbers instead of opinions:
 * 1. Knowledge that must stay current or answers that must be traceable → retrieval first (`rag`/`hybrid`
 *    only, when the department says so with `requireCitations`).
 * 2. Otherwise the system with the best domain F1 — unless a cheaper one (fewer tokens per answer; base <
 *    lora < rag < hybrid at equal tokens) is not measurably worse: a difference inside its paired 95%
 *    interval is "no measurable difference", never a win.
 * 3. An adapter that made the model measurably worse on general questions (forgetting) loses to the best
 *    alternative without forgetting that is not measurably worse; otherwise the forgetting is stated.
 * Full fine-tuning is not something lorag serves; it is suggested only when even the best system stays low.
 */
import type { Analysis, Comparison, SystemSummary } from './compare.ts';

export interface Decision {
  department: string;
  recommended: string | null;
  strategy: string | null;
  /** One line: "hybrid(legal@1): +0.31 F1 over rag [0.18, 0.44] at +12 tokens per answer; no forgetting measurable". */
  text: string;
  notes: string[];
}

const COST_ORDER: Record<string, number> = { base: 0, lora: 1, rag: 2, hybrid: 3 };
const WHY: Record<string, string> = {
  base: 'neither the adapter nor retrieval measurably helps; serve the base model',
  lora: 'LoRA: the department’s stable knowledge and style at the lowest token cost (the seed’s “LoRA是最优解”)',
  rag: 'RAG: current, traceable knowledge without training (the seed’s “首选RAG”)',
  hybrid: 'RAG + LoRA: retrieval for the facts, the adapter for the department’s way of answering (the seed’s hybrid)',
};

const f = (x: number, digits = 2) => (x >= 0 ? `+${x.toFixed(digits)}` : x.toFixed(digits));
const iv = (c: { low: number; high: number }) => `[${c.low.toFixed(2)}, ${c.high.toFixed(2)}]`;

export function decide(
  analysis: Analysis,
  options: { department: string; requireCitations?: boolean; lowQuality?: number },
): Decision {
  const cmp = (a: string, b: string): Comparison | undefined =>
    analysis.comparisons.find((c) => c.system === a && c.against === b && c.metric === 'f1');
  const forgot = (s: string) => analysis.forgetting.find((c) => c.system === s);
  const notes: string[] = [];
  let candidates = analysis.systems.filter((s) => s.quality.f1.n > 0);
  if (options.requireCitations) {
    candidates = candidates.filter((s) => s.strategy === 'rag' || s.strategy === 'hybrid');
    notes.push('The department needs current or traceable answers: only retrieval strategies are considered.');
  }
  if (candidates.length === 0)
    return {
      department: options.department,
      recommended: null,
      strategy: null,
      text: 'no system could be scored',
      notes,
    };
  const byF1 = [...candidates].sort((a, b) => b.quality.f1.value - a.quality.f1.value);
  const cost = (s: SystemSummary) => [s.tokens_per_answer, COST_ORDER[s.strategy] ?? 9] as const;
  const cheaper = (a: SystemSummary, b: SystemSummary) => {
    const [ta, oa] = cost(a);
    const [tb, ob] = cost(b);
    return Math.round(ta) !== Math.round(tb) ? ta - tb : oa - ob;
  };
  const notWorseThan = (best: SystemSummary) => (s: SystemSummary) =>
    s === best || !cmp(best.label, s.label)?.measurable;
  let chosen = [...byF1.filter(notWorseThan(byF1[0]))].sort(cheaper)[0];
  const forgetting = forgot(chosen.label);
  if (forgetting?.measurable && forgetting.delta < 0) {
    const clean = byF1.filter((s) => !(forgot(s.label)?.measurable && forgot(s.label)!.delta < 0));
    const alternative = clean.filter(notWorseThan(chosen)).sort(cheaper)[0];
    if (alternative) {
      notes.push(
        `${chosen.label} made general answers worse (${f(forgetting.delta)} F1 ${iv(forgetting)}); ${alternative.label} is not measurably worse on the domain.`,
      );
      chosen = alternative;
    }
  }
  const others = byF1.filter((s) => s !== chosen);
  let text: string;
  if (others.length === 0)
    text = `${chosen.label}: the only system evaluated (F1 ${chosen.quality.f1.value.toFixed(2)})`;
  else {
    const better = others.find((s) => s.quality.f1.value > chosen.quality.f1.value);
    const runnerUp = better ?? others[0];
    const c = cmp(chosen.label, runnerUp.label)!;
    const tokens = chosen.tokens_per_answer - runnerUp.tokens_per_answer;
    const verdict = c.measurable
      ? `${f(c.delta)} F1 over ${runnerUp.label} ${iv(c)}`
      : `no measurable difference from ${runnerUp.label} (${f(c.delta)} F1 ${iv(c)})`;
    const cost = (t: number) =>
      Math.round(t) === 0 ? 'at the same tokens per answer' : `at ${f(t, 0)} tokens per answer`;
    text = `${chosen.label}: ${verdict} ${cost(tokens)}`;
    // Inside the interval of a costlier rival: also say what it measurably beats.
    const beaten = c.measurable
      ? undefined
      : others.find(
          (s) => s !== runnerUp && cmp(chosen.label, s.label)?.measurable && cmp(chosen.label, s.label)!.delta > 0,
        );
    if (beaten) {
      const b = cmp(chosen.label, beaten.label)!;
      text += `; ${f(b.delta)} F1 over ${beaten.label} ${iv(b)} ${cost(chosen.tokens_per_answer - beaten.tokens_per_answer)}`;
    }
  }
  const fg = forgot(chosen.label);
  if (fg)
    text +=
      fg.measurable && fg.delta < 0
        ? `; forgetting measurable: ${f(fg.delta)} F1 on general questions ${iv(fg)} vs ${fg.against}`
        : `; no forgetting measurable (${f(fg.delta)} F1 on general ${iv(fg)} vs ${fg.against})`;
  else if (chosen.strategy === 'lora' || chosen.strategy === 'hybrid')
    text += '; forgetting not measured (no general cases or no baseline)';
  notes.unshift(WHY[chosen.strategy] ?? chosen.strategy);
  if (byF1[0].quality.f1.value < (options.lowQuality ?? 0.3))
    notes.push(
      `Even the best system stays low (F1 ${byF1[0].quality.f1.value.toFixed(2)}): improve the data or retrieval first; full fine-tuning (not served by lorag) only with deep-reasoning needs and GPU budget.`,
    );
  return { department: options.department, recommended: chosen.label, strategy: chosen.strategy, text, notes };
}
