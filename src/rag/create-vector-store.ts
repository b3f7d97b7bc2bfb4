/**
 * @module rag/create-vector-store — the vector store the config asks for (`none`: no retrieval at all).
 * Each backend is imported only when chosen: LanceDB's native module alone adds ~30 MB to a process that
 * uses Qdrant or no retrieval.
 */
import type { VectorStoreConfig } from '../config/rag-section.ts';
import type { VectorStore } from './vector-store.ts';

export async function createVectorStore(config: { vector_store: VectorStoreConfig }): Promise<VectorStore | null> {
  const vs = config.vector_store;
  switch (vs.kind) {
    case 'lancedb':
      return (await import('./lancedb-store.ts')).createLanceDbStore(vs.path);
    case 'qdrant':
      return (await import('./qdrant-store.ts')).createQdrantStore(vs);
    case 'none':
      return null;
  }
}
