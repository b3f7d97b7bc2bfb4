/**
 * @module routing/auto-scores — similarity of the last user message to each candidate adapter, computed
 * before planning so that plan() stays pure. Embeddings when an embedder is configured (adapter profiles are
 * embedded once and remembered); keyword overlap otherwise, or when the embedder fails.
 */
import type { AdapterManifest } from '../adapters/manifest.ts';
import type { Embedder } from '../embeddings/types.ts';
import { adapterProfileText, cosine, keywordScores } from './auto-router.ts';

const profileVectors = new WeakMap<Embedder, Map<string, number[]>>();

export async function autoScores(
  query: string,
  manifests: AdapterManifest[],
  embedder: Embedder | null,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  if (!embedder || manifests.length === 0) return keywordScores(query, manifests);
  try {
    const known = profileVectors.get(embedder) ?? new Map<string, number[]>();
    profileVectors.set(embedder, known);
    const missing = manifests.filter((m) => !known.has(profileKey(m)));
    const texts = [query, ...missing.map(adapterProfileText)];
    const vectors = await embedder.embed(texts, signal);
    for (const [i, m] of missing.entries()) known.set(profileKey(m), vectors[i + 1]);
    return new Map(manifests.map((m) => [m.name, cosine(vectors[0], known.get(profileKey(m))!)]));
  } catch {
    return keywordScores(query, manifests);
  }
}

function profileKey(m: AdapterManifest): string {
  return `${m.name}\n${adapterProfileText(m)}`;
}
