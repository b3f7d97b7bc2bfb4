/**
 * @module rag — the retrieval stage the request path calls (design.md step 4): embed the query, hybrid
 * search each of the plan's collections with the tenant filter, drop duplicates, fit the passages into the
 * token budget, compose them into the body as numbered sources, and return the citations in source order.
 * An embedder or store failure follows the tenant's `rag.on_failure`: answer without context (degraded) or
 * 503 `retrieval_unavailable`.
 */
import type { Config } from '../config/schema.ts';
import { createEmbedder } from '../embeddings/create-embedder.ts';
import { tokenize } from '../embeddings/tokenize.ts';
import type { Embedder } from '../embeddings/types.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Citation } from '../openai/responses.ts';
import { encodeQuery } from './bm25.ts';
import { canCompose, composeBody, fitSources, passageBudget, retrievalQuery } from './compose.ts';
import { createVectorStore } from './create-vector-store.ts';
import { type CachedHit, createQueryCache, type QueryCache } from './query-cache.ts';
import { createRevisionCache, type RevisionCache } from './revision-cache.ts';
import type { RetrievalStage, RetrieveInput } from './types.ts';
import type { SearchHit, VectorStore } from './vector-store.ts';

export interface RetrievalDeps {
  /** Shared with the knowledge service and admin routes; created from the config when absent. */
  store?: VectorStore | null | Promise<VectorStore | null>;
  embedder?: Embedder | null;
}

export interface RetrievalStageWithRevisions extends RetrievalStage {
  /** The in-memory revision cache (the admin routes note their own bumps in it). */
  readonly revisionCache: RevisionCache;
  /** Hits of recent retrievals per (tenant, revisions, query, top_k, floor): rag/query-cache. */
  readonly queryCache: QueryCache;
  close(): Promise<void>;
}

/** The citation URL: the document's own, else `lorag://<collection>/<document_id>#<chunk_id>` (path segments URI-encoded). */
export function citationUrl(collection: string, hit: SearchHit): string {
  if (hit.chunk.url) return hit.chunk.url;
  const doc = hit.chunk.documentId.split('/').map(encodeURIComponent).join('/');
  return `lorag://${encodeURIComponent(collection)}/${doc}#${hit.chunk.chunkId}`;
}

export function createRetrievalStage(config: Config, deps: RetrievalDeps = {}): RetrievalStageWithRevisions {
  let storePromise: Promise<VectorStore | null> | null = null;
  const store = () => {
    storePromise ??= Promise.resolve(deps.store !== undefined ? deps.store : createVectorStore(config)).catch((err) => {
      storePromise = null; // retried on the next request
      throw err;
    });
    return storePromise;
  };
  const embedder = deps.embedder !== undefined ? deps.embedder : createEmbedder(config);
  const revisionCache = createRevisionCache(store, config.knowledge.revision_poll_ms);
  const queryCache = createQueryCache(config.knowledge.query_cache_entries);

  function baseModelLen(name: string): number | undefined {
    return config.upstreams.base_models.find((b) => b.name === name)?.max_model_len;
  }

  async function search(input: RetrieveInput, query: string): Promise<CachedHit[]> {
    const key = {
      tenant: input.tenantId,
      // Served from memory (the request path has just read them for the response cache's key).
      revisions: await revisionCache.get(input.tenantId, input.plan.collections),
      collections: input.plan.collections,
      query,
      topK: input.plan.topK,
      scoreFloor: input.tenant.rag.score_floor,
    };
    const cached = queryCache.get(key);
    if (cached) return cached;
    const hits = await searchStores(input, query);
    queryCache.set(key, hits);
    return hits;
  }

  async function searchStores(input: RetrieveInput, query: string): Promise<CachedHit[]> {
    const s = await store();
    if (!s) throw new Error('no vector store is configured (vector_store.kind: none)');
    if (!embedder) throw new Error('no embedder is configured (embeddings.kind: none)');
    const [dense] = await embedder.embed([query], input.signal);
    const request = {
      tenant: input.tenantId,
      dense,
      sparse: encodeQuery(query),
      terms: tokenize(query).join(' '),
      limit: input.plan.topK,
      scoreFloor: input.tenant.rag.score_floor,
    };
    const perCollection = await Promise.all(
      input.plan.collections.map(async (collection) =>
        (await s.search(collection, request)).map((hit) => ({ collection, hit })),
      ),
    );
    const merged = perCollection.flat().sort((a, b) => b.hit.score - a.hit.score);
    const seen = new Set<string>();
    return merged
      .filter(({ hit }) => {
        const k = hit.chunk.text.replace(/\s+/g, ' ').trim();
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .slice(0, input.plan.topK);
  }

  return {
    revisionCache,
    queryCache,

    revisions(tenantId, collections) {
      return revisionCache.get(tenantId, collections);
    },

    async retrieve(input) {
      const unchanged = { body: input.body, citations: [], degraded: false };
      if (!input.plan.retrieval || input.plan.collections.length === 0 || !canCompose(input.endpoint, input.body))
        return unchanged;
      const query = retrievalQuery(input.body, input.tenant.rag.history_turns);
      if (!query) return unchanged;
      let hits: { collection: string; hit: SearchHit }[];
      try {
        hits = await search(input, query);
      } catch (err) {
        if (input.signal?.aborted) throw err;
        if (input.tenant.rag.on_failure === 'error') {
          throw new GatewayError('retrieval_unavailable', 'Retrieval is unavailable right now; try again later.', {
            cause: err,
          });
        }
        return { body: input.body, citations: [], degraded: true };
      }
      const budget = passageBudget({
        body: input.body,
        rag: input.tenant.rag,
        maxModelLen: input.maxModelLen ?? baseModelLen(input.plan.baseModel),
      });
      const passages = fitSources(
        hits.map(({ collection, hit }) => ({
          collection,
          hit,
          title: hit.chunk.title,
          section: hit.chunk.section,
          text: hit.chunk.text,
        })),
        budget,
      );
      const citations: Citation[] = passages.map((p, i) => ({
        index: i + 1,
        document_id: p.hit.chunk.documentId,
        chunk_id: p.hit.chunk.chunkId,
        title: p.hit.chunk.title,
        url: citationUrl(p.collection, p.hit),
        score: p.hit.score,
        text: p.hit.chunk.text,
      }));
      const sources = passages.map((p, i) => ({ index: i + 1, title: p.title, section: p.section, text: p.text }));
      return {
        body: composeBody(input.endpoint, input.body, input.tenant.rag.template, sources),
        citations,
        degraded: false,
      };
    },

    async close() {
      revisionCache.stop();
      if (deps.store === undefined && storePromise) await (await storePromise)?.close();
    },
  };
}

export { ragConfigProblems } from '../config/rag-check.ts';

// The public face of rag/ for ingestion and the knowledge service (ingest/ imports nothing else of rag/).
export { encodeDocument } from './bm25.ts';
export { createVectorStore } from './create-vector-store.ts';
export { chunkId, contentHash } from './point-id.ts';
export type { RevisionCache } from './revision-cache.ts';
export type { ChunkMeta, ChunkRecord, DocumentSummary, VectorStore } from './vector-store.ts';
export { summariseDocuments } from './vector-store.ts';
