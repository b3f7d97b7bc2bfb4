/**
 * @module rag/qdrant-store — the vector store on Qdrant (shared/reference/qdrant.md). One collection per
 * knowledge base: a named dense vector `dense` (cosine) and a named sparse vector `bm25` with
 * `modifier: idf` (the server applies IDF; rag/bm25 sends term frequencies). Tenants share a collection,
 * partitioned by a keyword payload index on `tenant` with `is_tenant: true`; every query, scroll and delete
 * carries the tenant filter, added here and nowhere else. Hybrid search is two prefetches fused by RRF,
 * the score floor on the dense prefetch only (a fused score is not a similarity), `with_payload` explicit.
 * Knowledge revisions live in a small `lorag_meta` collection, one point per (collection, tenant).
 */
import { QdrantClient } from '@qdrant/js-client-rest';
import type { VectorStoreConfig } from '../config/rag-section.ts';
import { uuidv5 } from './point-id.ts';
import {
  type ChunkMeta,
  CollectionDimensionError,
  legLimit,
  nextRevision,
  type Revision,
  type SearchHit,
  type VectorStore,
} from './vector-store.ts';

type QdrantConfig = Extract<VectorStoreConfig, { kind: 'qdrant' }>;
type Filter = { must: Record<string, unknown>[] };
type Payload = Record<string, unknown> | null | undefined;

const metaCollection = 'lorag_meta';

function tenantFilter(tenant: string, ...more: Record<string, unknown>[]): Filter {
  return { must: [{ key: 'tenant', match: { value: tenant } }, ...more] };
}

function toMeta(id: string | number, payload: Payload): ChunkMeta {
  const p = payload ?? {};
  return {
    chunkId: String(id),
    tenant: String(p.tenant),
    documentId: String(p.document_id),
    contentHash: String(p.content_hash),
    position: Number(p.position),
    title: (p.title as string | null) ?? null,
    url: (p.url as string | null) ?? null,
    section: (p.section as string | null) ?? null,
    text: String(p.text ?? ''),
  };
}

function isStatus(err: unknown, status: number): boolean {
  return typeof err === 'object' && err !== null && (err as { status?: number }).status === status;
}

export function createQdrantStore(config: QdrantConfig, client?: QdrantClient): VectorStore {
  const qdrant =
    client ??
    new QdrantClient({
      url: config.url,
      apiKey: config.api_key,
      timeout: config.timeout_ms,
      checkCompatibility: false,
    });
  const ensured = new Map<string, number>();

  async function create(name: string, body: Parameters<QdrantClient['createCollection']>[1]): Promise<void> {
    try {
      await qdrant.createCollection(name, body);
    } catch (err) {
      if (!isStatus(err, 409)) throw err; // created concurrently by another process: fine
    }
  }

  async function ensureMeta(): Promise<void> {
    if (ensured.has(metaCollection)) return;
    if (!(await qdrant.collectionExists(metaCollection)).exists) {
      await create(metaCollection, { vectors: { rev: { size: 1, distance: 'Dot' } } });
    }
    ensured.set(metaCollection, 1);
  }

  async function scrollAll(collection: string, filter: Filter): Promise<ChunkMeta[]> {
    const out: ChunkMeta[] = [];
    let offset: string | number | undefined;
    for (;;) {
      const page = await qdrant.scroll(collection, {
        filter,
        limit: 256,
        offset,
        with_payload: true,
        with_vector: false,
      });
      for (const p of page.points) out.push(toMeta(p.id, p.payload));
      const next = page.next_page_offset;
      if (next === null || next === undefined || typeof next === 'object') break;
      offset = next;
    }
    return out;
  }

  return {
    kind: 'qdrant',

    async ensureCollection(collection, dimensions) {
      const known = ensured.get(collection);
      if (known === undefined) {
        if (!(await qdrant.collectionExists(collection)).exists) {
          await create(collection, {
            vectors: { dense: { size: dimensions, distance: 'Cosine' } },
            sparse_vectors: { bm25: { modifier: 'idf' } },
          });
        }
        // Creating an existing index with the same schema is a no-op, so this is safe to repeat.
        await qdrant.createPayloadIndex(collection, {
          field_name: 'tenant',
          field_schema: { type: 'keyword', is_tenant: true },
          wait: true,
        });
        await qdrant.createPayloadIndex(collection, { field_name: 'document_id', field_schema: 'keyword', wait: true });
        const info = await qdrant.getCollection(collection);
        const vectors = info.config.params.vectors as Record<string, { size?: number }> | undefined;
        ensured.set(collection, vectors?.dense?.size ?? 0);
      }
      const size = ensured.get(collection)!;
      if (size !== dimensions) throw new CollectionDimensionError(collection, size, dimensions);
    },

    async upsert(collection, chunks) {
      // Batched by count with small payloads; Qdrant's default request limit is 32 MiB.
      for (let i = 0; i < chunks.length; i += 128) {
        const points = chunks.slice(i, i + 128).map((c) => ({
          id: c.chunkId,
          vector: { dense: c.dense, bm25: c.sparse },
          payload: {
            tenant: c.tenant,
            document_id: c.documentId,
            content_hash: c.contentHash,
            position: c.position,
            title: c.title,
            url: c.url,
            section: c.section,
            text: c.text,
          },
        }));
        await qdrant.upsert(collection, { wait: true, points });
      }
    },

    async deleteChunks(collection, tenant, chunkIds) {
      if (chunkIds.length === 0) return;
      for (let i = 0; i < chunkIds.length; i += 512) {
        const filter = tenantFilter(tenant, { has_id: chunkIds.slice(i, i + 512) });
        await qdrant.delete(collection, { wait: true, filter });
      }
    },

    async listChunks(collection, tenant, documentId) {
      try {
        const more = documentId === undefined ? [] : [{ key: 'document_id', match: { value: documentId } }];
        const chunks = await scrollAll(collection, tenantFilter(tenant, ...more));
        return chunks.sort((a, b) => a.documentId.localeCompare(b.documentId) || a.position - b.position);
      } catch (err) {
        if (isStatus(err, 404)) return [];
        throw err;
      }
    },

    async getChunk(collection, tenant, chunkId) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(chunkId)) return null;
      try {
        const page = await qdrant.scroll(collection, {
          filter: tenantFilter(tenant, { has_id: [chunkId] }),
          limit: 1,
          with_payload: true,
          with_vector: false,
        });
        const p = page.points[0];
        return p ? toMeta(p.id, p.payload) : null;
      } catch (err) {
        if (isStatus(err, 404)) return null;
        throw err;
      }
    },

    async search(collection, req): Promise<SearchHit[]> {
      const filter = tenantFilter(req.tenant);
      const depth = legLimit(req.limit);
      const dense = {
        query: req.dense,
        using: 'dense',
        filter,
        limit: depth,
        ...(req.scoreFloor === undefined ? {} : { score_threshold: req.scoreFloor }),
      };
      const prefetch: Record<string, unknown>[] = [dense];
      // Under a score floor the keyword leg ranks only the points the dense leg let through (a nested prefetch):
      // a passage that matches words but not meaning is not used.
      const lexical = { query: req.sparse, using: 'bm25', filter, limit: depth };
      if (req.sparse.indices.length)
        prefetch.push(req.scoreFloor === undefined ? lexical : { ...lexical, prefetch: [dense] });
      try {
        const res = await qdrant.query(collection, {
          prefetch: prefetch as never,
          query: { fusion: 'rrf' },
          filter,
          limit: req.limit,
          with_payload: true,
          with_vector: false,
        });
        return res.points.map((p) => ({ chunk: toMeta(p.id, p.payload), score: p.score }));
      } catch (err) {
        if (isStatus(err, 404)) return []; // nothing ingested into this collection yet
        throw err;
      }
    },

    async revisions(): Promise<Revision[]> {
      try {
        const out: Revision[] = [];
        let offset: string | number | undefined;
        for (;;) {
          const page = await qdrant.scroll(metaCollection, {
            limit: 256,
            offset,
            with_payload: true,
            with_vector: false,
          });
          for (const p of page.points) {
            const pl = p.payload ?? {};
            out.push({ collection: String(pl.collection), tenant: String(pl.tenant), revision: Number(pl.revision) });
          }
          const next = page.next_page_offset;
          if (next === null || next === undefined || typeof next === 'object') return out;
          offset = next;
        }
      } catch (err) {
        if (isStatus(err, 404)) return [];
        throw err;
      }
    },

    async bumpRevision(collection, tenant) {
      await ensureMeta();
      const id = uuidv5(JSON.stringify(['revision', collection, tenant]));
      const [current] = await qdrant.retrieve(metaCollection, { ids: [id], with_payload: true, with_vector: false });
      const revision = nextRevision(Number(current?.payload?.revision ?? 0));
      await qdrant.upsert(metaCollection, {
        wait: true,
        points: [{ id, vector: { rev: [1] }, payload: { collection, tenant, revision } }],
      });
      return revision;
    },

    async close() {},
  };
}
