/**
 * @module rag/bm25 — BM25 sparse vectors the way Qdrant's `lib/bm25` builds them: token index =
 * |murmur3(token)| (see murmur3.ts), document value = BM25 term frequency
 * `tf·(k1+1) / (tf + k1·(1 − b + b·len/avg_len))`, query value = 1 per unique token. IDF is not in the
 * vectors: the collection's sparse vector has `modifier: idf` and the server applies it at query time.
 */
import { tokenId } from '../embeddings/murmur3.ts';
import { tokenize } from '../embeddings/tokenize.ts';

export interface SparseVector {
  indices: number[];
  values: number[];
}

export interface Bm25Params {
  k1: number;
  b: number;
  avgLen: number;
}

/** Qdrant's defaults (lib/bm25). */
export const defaultBm25: Bm25Params = { k1: 1.2, b: 0.75, avgLen: 256 };

function counts(tokens: string[]): Map<number, number> {
  const tf = new Map<number, number>();
  for (const t of tokens) {
    const id = tokenId(t);
    tf.set(id, (tf.get(id) ?? 0) + 1);
  }
  return tf;
}

function sorted(map: Map<number, number>): SparseVector {
  const indices = [...map.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => map.get(i)!) };
}

export function encodeDocument(text: string, params: Bm25Params = defaultBm25): SparseVector {
  const tokens = tokenize(text);
  const norm = params.k1 * (1 - params.b + (params.b * tokens.length) / params.avgLen);
  const weights = new Map<number, number>();
  for (const [id, tf] of counts(tokens)) weights.set(id, (tf * (params.k1 + 1)) / (tf + norm));
  return sorted(weights);
}

export function encodeQuery(text: string): SparseVector {
  const ones = new Map<number, number>();
  for (const id of counts(tokenize(text)).keys()) ones.set(id, 1);
  return sorted(ones);
}
