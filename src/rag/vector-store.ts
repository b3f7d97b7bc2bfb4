/**
 * @module rag/vector-store — the vector store seam (Qdrant | embedded LanceDB). One collection per knowledge
 * base, shared by tenants and partitioned by a `tenant` field that every read, search and delete filters on:
 * the methods take the tenant as a required argument, so no caller can leave the filter out. Knowledge
 * revisions (design.md "Cache") are stored with the knowledge.
 */
import type { SparseVector } from './bm25.ts';

/** What is stored per chunk, besides its vectors. */
export interface ChunkMeta {
  /** Stable id: UUIDv5 of (collection, tenant, document id, content hash) — also the point id in Qdrant. */
  chunkId: string;
  tenant: string;
  documentId: string;
  contentHash: string;
  /** Position of the chunk in its document (0-based). */
  position: number;
  title: string | null;
  /** The document's own URL when it was ingested with one. */
  url: string | null;
  /** Heading path inside the document ("Leave › Annual leave"), for display. */
  section: string | null;
  text: string;
}

export interface ChunkRecord extends ChunkMeta {
  dense: number[];
  sparse: SparseVector;
  /** The text pre-segmented by rag/tokenize (space-joined) for stores with their own full-text index. */
  terms: string;
}

export interface SearchRequest {
  tenant: string;
  dense: number[];
  sparse: SparseVector;
  terms: string;
  limit: number;
  /** Minimum dense similarity (cosine), applied to the dense leg before fusion. */
  scoreFloor?: number;
}

export interface SearchHit {
  chunk: ChunkMeta;
  /** Reciprocal-rank-fusion score (Qdrant's formula, k = 2): rank based, 1.0 = first in both legs. */
  score: number;
}

export interface DocumentSummary {
  documentId: string;
  title: string | null;
  url: string | null;
  chunks: number;
}

export interface Revision {
  collection: string;
  tenant: string;
  revision: number;
}

export interface VectorStore {
  readonly kind: 'qdrant' | 'lancedb';
  /** Creates the collection and its indexes on first use (idempotent); throws if `dimensions` differs. */
  ensureCollection(collection: string, dimensions: number): Promise<void>;
  upsert(collection: string, chunks: ChunkRecord[]): Promise<void>;
  deleteChunks(collection: string, tenant: string, chunkIds: string[]): Promise<void>;
  /** Chunks of one document (or all of the tenant's), without vectors, in (document, position) order. */
  listChunks(collection: string, tenant: string, documentId?: string): Promise<ChunkMeta[]>;
  getChunk(collection: string, tenant: string, chunkId: string): Promise<ChunkMeta | null>;
  search(collection: string, request: SearchRequest): Promise<SearchHit[]>;
  /** All revisions the store holds (one cheap read; the gateway polls it). */
  revisions(): Promise<Revision[]>;
  /** Bumps the (collection, tenant) revision; returns the new value, strictly greater than the old one. */
  bumpRevision(collection: string, tenant: string): Promise<number>;
  close(): Promise<void>;
}

export class CollectionDimensionError extends Error {
  constructor(collection: string, expected: number, got: number) {
    super(
      `collection '${collection}' holds ${expected}-dimensional vectors but the embedder gives ${got}; ` +
        'use the embedding model the collection was built with, or ingest into a new collection',
    );
    this.name = 'CollectionDimensionError';
  }
}

/** A new revision: strictly greater than the previous one, and time-based so two writers rarely collide. */
export function nextRevision(previous: number): number {
  return Math.max(previous + 1, Date.now());
}

/** Candidates per leg of a hybrid search (both stores). RRF with k = 2 is top-heavy: an item outside the top
 * 2·limit of both legs scores at most 2/(2·limit + 2) < 1/(limit + 1), the least score of one leg's own top
 * `limit`, so it could never enter the fused top `limit`; 3·limit (at least 12) leaves a margin. Fewer
 * candidates means fewer rows read and decoded per leg. */
export function legLimit(limit: number): number {
  return Math.max(limit * 3, 12);
}

/** Qdrant's reciprocal rank fusion with its default k = 2: each list adds 1/(rank + k), rank 0-based. */
export function fuseRrf<T extends { chunk: ChunkMeta }>(lists: T[][], limit: number, k = 2): SearchHit[] {
  const scores = new Map<string, SearchHit>();
  for (const list of lists) {
    list.forEach((item, rank) => {
      const hit = scores.get(item.chunk.chunkId) ?? { chunk: item.chunk, score: 0 };
      hit.score += 1 / (rank + k);
      scores.set(item.chunk.chunkId, hit);
    });
  }
  return [...scores.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}

/** Summarises chunks into documents (for the admin listing). */
export function summariseDocuments(chunks: ChunkMeta[]): DocumentSummary[] {
  const docs = new Map<string, DocumentSummary>();
  for (const c of chunks) {
    const d = docs.get(c.documentId) ?? { documentId: c.documentId, title: c.title, url: c.url, chunks: 0 };
    d.chunks++;
    docs.set(c.documentId, d);
  }
  return [...docs.values()].sort((a, b) => a.documentId.localeCompare(b.documentId));
}
