/**
 * @module eval/metrics/squad — exact match and token F1 as SQuAD v1.1's official script computes them
 * (normalised answers; F1 over the bag of tokens; the best over several references), with CJK text scored per
 * character (see normalize.ts). Both return 0..1.
 */
import { answerTokens, normalizeAnswer } from '../../embeddings/answer-normalize.ts';

const refsOf = (reference: string | string[]) => (Array.isArray(reference) ? reference : [reference]);

export function exactMatch(prediction: string, reference: string | string[]): number {
  const p = normalizeAnswer(prediction);
  return refsOf(reference).some((r) => normalizeAnswer(r) === p) ? 1 : 0;
}

export function tokenF1(prediction: string, reference: string | string[]): number {
  const pred = answerTokens(prediction);
  return Math.max(...refsOf(reference).map((r) => f1(pred, answerTokens(r))));
}

function f1(pred: string[], gold: string[]): number {
  // SQuAD v2's rule for empty answers: both empty is a match, one empty is 0.
  if (pred.length === 0 || gold.length === 0) return pred.length === gold.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of gold) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of pred) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / pred.length;
  const recall = common / gold.length;
  return (2 * precision * recall) / (precision + recall);
}
