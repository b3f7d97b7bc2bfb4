/**
 * @module rag/tokenize — the one tokenizer behind BM25 sparse vectors, the hash embedder and LanceDB's
 * pre-segmented full-text column: `Intl.Segmenter` word segmentation (dictionary-based for Chinese and
 * Japanese, so `年假有多少天` → `年假 有 多少 天`), lower-cased, word-like segments only, stop words dropped.
 * No stemming: documents and queries go through the same function, which is all that BM25 needs.
 */
import { stopWords } from './stop-words.ts';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/** Qdrant's BM25 skips tokens longer than 40 characters; so do we. */
const maxTokenLength = 40;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const seg of segmenter.segment(text.normalize('NFKC'))) {
    if (!seg.isWordLike) continue;
    const token = seg.segment.toLowerCase();
    if (token.length > maxTokenLength || stopWords.has(token)) continue;
    out.push(token);
  }
  return out;
}
