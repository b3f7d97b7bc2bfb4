/**
 * @module embeddings/hash-embedder — deterministic hashed bag-of-words vectors (signed feature hashing over
 * the BM25 tokenizer's tokens, L2-normalised). Lexical, not semantic: for tests and demos only, and only
 * when `embeddings.kind: hash` is chosen explicitly in the config.
 */
import { murmur3 } from './murmur3.ts';
import { tokenize } from './tokenize.ts';
import type { Embedder } from './types.ts';

export function createHashEmbedder(dimensions: number): Embedder {
  return {
    model: `lorag-hash-${dimensions}`,
    dimensions,
    async embed(texts) {
      return texts.map((t) => hashVector(t, dimensions));
    },
  };
}

export function hashVector(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const token of tokenize(text)) {
    const h = murmur3(token, 0x9747b28c);
    // The top bit chooses the sign, so unrelated tokens that share a bucket tend to cancel out.
    v[h % dimensions] += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}
