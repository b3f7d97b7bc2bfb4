/** @module rag/create-vector-store — the vector store the config asks for (`none`: no retrieval at all). */
import type { VectorStoreConfig } from './config.ts';
import { createLanceDbStore } from './lancedb-store.ts';
import { createQdrantStore } from './qdrant-store.ts';
import type { VectorStore } from './vector-store.ts';

export async function createVectorStore(config: { vector_store: VectorStoreConfig }): Promise<VectorStore | null> {
  const vs = config.vector_store;
  switch (vs.kind) {
    case 'lancedb':
      return createLanceDbStore(vs.path);
    case 'qdrant':
      return createQdrantStore(vs);
    case 'none':
      return null;
  }
}
