/**
 * @module eval/metrics/rouge-l — ROUGE-L F-measure (longest common subsequence, β = 1) as Google's
 * rouge-score computes it: lower-cased, everything but letters and digits is a separator. CJK characters are
 * tokens of their own (rouge-score would drop them; LLaMA-Factory segments Chinese before scoring). 0..1.
 */
import { segmentCjk } from '../../embeddings/answer-normalize.ts';

export function rougeTokens(text: string): string[] {
  return segmentCjk(
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .split(' ')
      .filter(Boolean),
  );
}

export function rougeL(prediction: string, reference: string | string[]): number {
  const pred = rougeTokens(prediction);
  const refs = Array.isArray(reference) ? reference : [reference];
  return Math.max(...refs.map((r) => fMeasure(pred, rougeTokens(r))));
}

function fMeasure(pred: string[], ref: string[]): number {
  if (pred.length === 0 || ref.length === 0) return 0;
  const lcs = lcsLength(pred, ref);
  if (lcs === 0) return 0;
  const p = lcs / pred.length;
  const r = lcs / ref.length;
  return (2 * p * r) / (p + r);
}

function lcsLength(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++)
      row[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    prev = row;
  }
  return prev[b.length];
}
