/**
 * @module ingest/knowledge-service — knowledge management behind the HTTP routes: a cited chunk for its own
 * tenant, documents of a (collection, tenant), deleting a document (bumps the revision), and ingestion of
 * uploaded files. Revisions this process writes are noted in the retrieval stage's cache at once.
 */
import type { Config } from '../config/schema.ts';
import type { Embedder } from '../embeddings/types.ts';
import {
  type ChunkMeta,
  type DocumentSummary,
  type RevisionCache,
  summariseDocuments,
  type VectorStore,
} from '../rag/index.ts';
import { type IngestSummary, ingestSources } from './ingest.ts';

export interface UploadedFile {
  /** File name from the upload; its path segments become the document id (`..` and leading `/` removed). */
  name: string;
  data: Uint8Array;
}

export interface KnowledgeService {
  /** Looks the chunk up in each of the tenant's collections, always filtered by the tenant. */
  getChunk(
    tenantId: string,
    collections: string[],
    chunkId: string,
  ): Promise<{ collection: string; chunk: ChunkMeta } | null>;
  listDocuments(tenantId: string, collection: string): Promise<DocumentSummary[]>;
  /** Null when the tenant has no such document in the collection. */
  deleteDocument(
    tenantId: string,
    collection: string,
    documentId: string,
  ): Promise<{ chunksRemoved: number; revision: number } | null>;
  ingestFiles(
    config: Config,
    tenantId: string,
    collection: string,
    files: UploadedFile[],
    options?: { urlBase?: string },
  ): Promise<IngestSummary>;
}

export function uploadDocumentId(name: string): string {
  return name
    .replaceAll('\\', '/')
    .split('/')
    .filter((s) => s && s !== '.' && s !== '..')
    .join('/');
}

export function createKnowledgeService(deps: {
  store: () => Promise<VectorStore | null>;
  embedder: Embedder | null;
  revisionCache?: RevisionCache;
}): KnowledgeService {
  const need = async (): Promise<VectorStore> => {
    const s = await deps.store();
    if (!s) throw new Error('no vector store is configured (vector_store.kind: none)');
    return s;
  };
  return {
    async getChunk(tenantId, collections, chunkId) {
      // A tenant with no collections has no chunk to find: a 404, not "store unavailable" (no store is opened).
      if (collections.length === 0) return null;
      const s = await need();
      for (const collection of collections) {
        const chunk = await s.getChunk(collection, tenantId, chunkId);
        if (chunk) return { collection, chunk };
      }
      return null;
    },
    async listDocuments(tenantId, collection) {
      return summariseDocuments(await (await need()).listChunks(collection, tenantId));
    },
    async deleteDocument(tenantId, collection, documentId) {
      const s = await need();
      const chunks = await s.listChunks(collection, tenantId, documentId);
      if (chunks.length === 0) return null;
      await s.deleteChunks(
        collection,
        tenantId,
        chunks.map((c) => c.chunkId),
      );
      const revision = await s.bumpRevision(collection, tenantId);
      deps.revisionCache?.note({ collection, tenant: tenantId, revision });
      return { chunksRemoved: chunks.length, revision };
    },
    async ingestFiles(config, tenantId, collection, files, options = {}) {
      if (!deps.embedder) throw new Error('no embedder is configured (embeddings.kind: none)');
      const sources = files.map((f) => ({
        documentId: uploadDocumentId(f.name) || 'upload',
        name: f.name,
        size: f.data.byteLength,
        read: async () => f.data,
      }));
      const summary = await ingestSources(
        {
          config,
          tenant: tenantId,
          collection,
          store: await need(),
          embedder: deps.embedder,
          urlBase: options.urlBase,
        },
        sources,
      );
      if (summary.revision !== null)
        deps.revisionCache?.note({ collection, tenant: tenantId, revision: summary.revision });
      return summary;
    },
  };
}
