/**
 * @module eval/metrics/retrieval — citation precision/recall against a case's `gold_documents`, retrieval
 * recall@k and MRR over the documents retrieval supplied (in source order, which is rank order), and
 * answer-in-context (was a reference answer inside the supplied passages at all?). `null` = not applicable.
 */
import { normalizeAnswer } from '../../embeddings/answer-normalize.ts';

/** Documents the answer cited (each once) vs the gold ones. Nothing cited: precision is not defined. */
export function citationPrecisionRecall(
  cited: string[],
  gold: string[],
): { precision: number | null; recall: number | null } {
  const c = new Set(cited);
  const g = new Set(gold);
  if (g.size === 0) return { precision: null, recall: null };
  const hit = [...c].filter((d) => g.has(d)).length;
  return { precision: c.size ? hit / c.size : null, recall: hit / g.size };
}

/** Distinct documents in the order they were first supplied. */
function ranked(retrieved: string[]): string[] {
  return [...new Set(retrieved)];
}

export function recallAtK(retrieved: string[], gold: string[], k: number): number | null {
  const g = new Set(gold);
  if (g.size === 0) return null;
  return (
    ranked(retrieved)
      .slice(0, k)
      .filter((d) => g.has(d)).length / g.size
  );
}

export function reciprocalRank(retrieved: string[], gold: string[]): number | null {
  const g = new Set(gold);
  if (g.size === 0) return null;
  const i = ranked(retrieved).findIndex((d) => g.has(d));
  return i < 0 ? 0 : 1 / (i + 1);
}

export function answerInContext(passages: string[], reference: string | string[]): number | null {
  const refs = (Array.isArray(reference) ? reference : [reference]).map(normalizeAnswer).filter(Boolean);
  if (refs.length === 0) return null;
  const context = normalizeAnswer(passages.join(' '));
  return refs.some((r) => context.includes(r)) ? 1 : 0;
}
