/**
 * @module data-check/leakage — exact and near-duplicate detection between prompts, by n-gram overlap over
 * SQuAD-normalised tokens (CJK per character, so Chinese is compared in 4-character grams, English in
 * 3-word grams). Overlap = shared grams / grams of the shorter text: a short question copied inside a longer
 * training instruction still counts.
 */
import { answerTokens, mostlyCjk, normalizeAnswer } from '../embeddings/answer-normalize.ts';

export function ngrams(text: string): Set<string> {
  const tokens = answerTokens(text);
  const n = mostlyCjk(text) ? 4 : 3;
  const out = new Set<string>();
  for (let i = 0; i + n <= tokens.length; i++) out.add(tokens.slice(i, i + n).join('\u0001'));
  return out;
}

export interface LeakIndexEntry<T> {
  ref: T;
  normalized: string;
  grams: Set<string>;
}

export interface LeakMatch<T> {
  ref: T;
  kind: 'exact' | 'near';
  overlap: number;
}

/** An index over one side's prompts; `find` gives the best match of another prompt against it. */
export function leakIndex<T>(items: { ref: T; text: string }[]) {
  const entries: LeakIndexEntry<T>[] = items.map((it) => ({
    ref: it.ref,
    normalized: normalizeAnswer(it.text),
    grams: ngrams(it.text),
  }));
  const exact = new Map<string, LeakIndexEntry<T>>();
  const byGram = new Map<string, number[]>();
  entries.forEach((e, i) => {
    if (e.normalized && !exact.has(e.normalized)) exact.set(e.normalized, e);
    for (const g of e.grams) {
      const list = byGram.get(g);
      if (list) list.push(i);
      else byGram.set(g, [i]);
    }
  });
  return {
    find(text: string, threshold: number): LeakMatch<T> | null {
      const normalized = normalizeAnswer(text);
      const hit = normalized ? exact.get(normalized) : undefined;
      if (hit) return { ref: hit.ref, kind: 'exact', overlap: 1 };
      const grams = ngrams(text);
      // Fewer than 3 grams: too short for overlap to mean anything; only an exact match counts.
      if (grams.size < 3) return null;
      const shared = new Map<number, number>();
      for (const g of grams) for (const i of byGram.get(g) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
      let best: LeakMatch<T> | null = null;
      for (const [i, count] of shared) {
        const other = entries[i].grams.size;
        if (other < 3) continue;
        const overlap = count / Math.min(grams.size, other);
        if (overlap >= threshold && (!best || overlap > best.overlap))
          best = { ref: entries[i].ref, kind: 'near', overlap };
      }
      return best;
    },
  };
}
