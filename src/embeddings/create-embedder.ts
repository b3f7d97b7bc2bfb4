/**
 * @module embeddings/create-embedder — the embedder the config asks for. `none` gives null: retrieval then
 * refuses to start (see rag/config-check.ts) rather than silently degrading to lexical-only search, and the
 * hash embedder is only ever used when `embeddings.kind: hash` is written down.
 */
import type { Dispatcher } from 'undici';
import type { EmbeddingsConfig } from '../config/rag-section.ts';
import { createHashEmbedder } from './hash-embedder.ts';
import { createOpenAIEmbedder } from './openai-embedder.ts';
import type { Embedder } from './types.ts';

export function createEmbedder(config: { embeddings: EmbeddingsConfig }, dispatcher?: Dispatcher): Embedder | null {
  const e = config.embeddings;
  switch (e.kind) {
    case 'openai':
      return createOpenAIEmbedder(e, dispatcher);
    case 'hash':
      return createHashEmbedder(e.dimensions);
    case 'none':
      return null;
  }
}
