/**
 * @module routing/auto-router — for `model: "auto"`: ranks the tenant's adapters by how well the last user
 * message matches each adapter's description and examples. With an embedder, cosine similarity of
 * embeddings (computed before planning, so the plan stays pure); without one, keyword overlap.
 */
import type { AdapterManifest } from '../adapters/manifest.ts';

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

export function keywords(text: string): Set<string> {
  const out = new Set<string>();
  for (const s of wordSegmenter.segment(text.toLowerCase())) {
    if (s.isWordLike && (s.segment.length > 2 || /[^\p{ASCII}]/u.test(s.segment))) out.add(stem(s.segment));
  }
  return out;
}

/** A crude English stem so that "contracts" meets "contract" and "terminating" meets "terminate". */
function stem(word: string): string {
  return word.replace(/(ing|ed|es|s)$/u, '').slice(0, 8);
}

export function adapterProfileText(m: AdapterManifest): string {
  return [m.description, ...m.examples].join('\n');
}

/** Share of the query's keywords found in the adapter's profile, in [0, 1]. */
export function keywordScores(query: string, manifests: AdapterManifest[]): Map<string, number> {
  const q = keywords(query);
  const scores = new Map<string, number>();
  for (const m of manifests) {
    const profile = keywords(adapterProfileText(m));
    let hits = 0;
    for (const w of q) if (profile.has(w)) hits++;
    scores.set(m.name, q.size ? hits / q.size : 0);
  }
  return scores;
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** The best-scoring adapter; ties and all-zero scores go to the first name in sorted order. */
export function bestAdapter(scores: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  for (const name of [...scores.keys()].sort()) {
    const s = scores.get(name)!;
    if (s > bestScore) {
      best = name;
      bestScore = s;
    }
  }
  return best;
}
