/**
 * @module ingest/ingest — idempotent ingestion into one (collection, tenant). Chunk ids are content-derived
 * (rag/point-id), so unchanged files write nothing; a changed file gets its new chunks written first and
 * its stale ones deleted after (a failed write is rolled back, so no document is ever half replaced by a
 * half-written one); `prune` removes documents no longer among the sources. Any change bumps the knowledge
 * revision, which running gateways poll (design.md "Cache").
 */
import { basename, extname } from 'node:path';
import type { Config } from '../config/schema.ts';
import { createEmbedder } from '../embeddings/create-embedder.ts';
import { tokenize } from '../embeddings/tokenize.ts';
import type { Embedder } from '../embeddings/types.ts';
import {
  type ChunkMeta,
  type ChunkRecord,
  chunkId,
  contentHash,
  createVectorStore,
  encodeDocument,
  type VectorStore,
} from '../rag/index.ts';
import { chunkText } from './chunker.ts';
import { loadDocument } from './load-document.ts';
import { type IngestSource, walkPaths } from './sources.ts';

export interface IngestOptions {
  config: Config;
  tenant: string;
  collection: string;
  /** Defaults to the store and embedder the config describes (created and closed here). */
  store?: VectorStore;
  embedder?: Embedder;
  prune?: boolean;
  /** Documents without their own URL (front matter `url`) get `urlBase` + their document id. */
  urlBase?: string;
  onProgress?: (progress: { done: number; total: number; documentId: string; chunks: number }) => void;
}

export interface IngestSummary {
  tenant: string;
  collection: string;
  files: number;
  documents: { added: number; changed: number; unchanged: number; removed: number };
  chunks: { added: number; updated: number; removed: number; unchanged: number };
  skipped: { path: string; reason: string }[];
  failed: { path: string; reason: string }[];
  /** The new knowledge revision, or null when nothing changed (no bump). */
  revision: number | null;
  seconds: number;
}

/** The text a chunk is embedded and keyword-indexed by: its title and section give short chunks context. */
export function indexText(title: string | null, section: string | null, text: string): string {
  return [title, section, text].filter(Boolean).join('\n');
}

function sameMeta(a: ChunkMeta, b: ChunkMeta): boolean {
  return (
    a.position === b.position && a.title === b.title && a.url === b.url && a.section === b.section && a.text === b.text
  );
}

export function checkTarget(config: Config, tenant: string, collection: string): void {
  const t = Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant] : undefined; // not `constructor`
  if (!t)
    throw new Error(
      `unknown tenant '${tenant}' (tenants in the config: ${Object.keys(config.tenants).join(', ') || 'none'})`,
    );
  if (!t.collections.includes(collection)) {
    throw new Error(
      `tenant '${tenant}' may not use collection '${collection}' (add it to tenants.${tenant}.collections)`,
    );
  }
}

export async function ingestPaths(options: IngestOptions & { paths: string[] }): Promise<IngestSummary> {
  const { sources, skipped } = await walkPaths(options.paths);
  const summary = await ingestSources(options, sources);
  summary.skipped.unshift(...skipped);
  summary.files += skipped.length;
  return summary;
}

export async function ingestSources(options: IngestOptions, sources: IngestSource[]): Promise<IngestSummary> {
  const started = performance.now();
  const { config, tenant, collection } = options;
  checkTarget(config, tenant, collection);
  const embedder = options.embedder ?? createEmbedder(config);
  if (!embedder)
    throw new Error('embeddings.kind is none: configure an embedder (openai, or hash for tests and demos)');
  const maybeStore = options.store ?? (await createVectorStore(config));
  if (!maybeStore) throw new Error('vector_store.kind is none: configure lancedb or qdrant');
  const store: VectorStore = maybeStore;
  const summary: IngestSummary = {
    tenant,
    collection,
    files: sources.length,
    documents: { added: 0, changed: 0, unchanged: 0, removed: 0 },
    chunks: { added: 0, updated: 0, removed: 0, unchanged: 0 },
    skipped: [],
    failed: [],
    revision: null,
    seconds: 0,
  };
  let ensured = false;
  const ensure = async (dims: number) => {
    if (!ensured) await store.ensureCollection(collection, dims);
    ensured = true;
  };

  try {
    const seen = new Set<string>();
    let done = 0;
    for (const source of sources) {
      const chunks = await ingestOne(source);
      options.onProgress?.({ done: ++done, total: sources.length, documentId: source.documentId, chunks });
    }
    if (options.prune) {
      const stale = (await store.listChunks(collection, tenant)).filter((c) => !seen.has(c.documentId));
      await store.deleteChunks(
        collection,
        tenant,
        stale.map((c) => c.chunkId),
      );
      summary.chunks.removed += stale.length;
      summary.documents.removed += new Set(stale.map((c) => c.documentId)).size;
    }
    const { added, updated, removed } = summary.chunks;
    if (added + updated + removed > 0) summary.revision = await store.bumpRevision(collection, tenant);

    async function ingestOne(source: IngestSource): Promise<number> {
      if (seen.has(source.documentId)) {
        summary.skipped.push({ path: source.name, reason: `duplicate document id '${source.documentId}'` });
        return 0;
      }
      seen.add(source.documentId);
      if (source.size > config.knowledge.ingest_max_bytes) {
        summary.skipped.push({
          path: source.name,
          reason: `too large (${source.size} bytes > knowledge.ingest_max_bytes ${config.knowledge.ingest_max_bytes})`,
        });
        return 0;
      }
      let bytes: Uint8Array;
      try {
        bytes = await source.read();
      } catch (err) {
        summary.skipped.push({
          path: source.name,
          reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        });
        return 0;
      }
      const doc = await loadDocument(source.name, bytes);
      if (!doc.ok) {
        summary.skipped.push({ path: source.name, reason: doc.reason });
        return 0;
      }
      const title = doc.title ?? basename(source.documentId, extname(source.documentId));
      const url = doc.url ?? (options.urlBase ? joinUrl(options.urlBase, source.documentId) : null);
      const pieces = chunkText(doc.text, {
        maxTokens: config.knowledge.chunk_tokens,
        overlapTokens: config.knowledge.chunk_overlap_tokens,
      });
      const metas = new Map<string, ChunkMeta>();
      for (const piece of pieces) {
        const hash = contentHash(piece.text);
        const id = chunkId(collection, tenant, source.documentId, hash);
        if (metas.has(id)) continue; // the same passage twice in one document is stored once
        metas.set(id, {
          chunkId: id,
          tenant,
          documentId: source.documentId,
          contentHash: hash,
          position: metas.size,
          title,
          url,
          section: piece.section,
          text: piece.text,
        });
      }
      if (metas.size === 0) {
        summary.skipped.push({ path: source.name, reason: 'no text to index' });
        return 0;
      }
      try {
        return await writeDocument(source, [...metas.values()]);
      } catch (err) {
        summary.failed.push({ path: source.name, reason: (err as Error).message });
        return 0;
      }
    }

    async function writeDocument(source: IngestSource, wanted: ChunkMeta[]): Promise<number> {
      const existing = new Map(
        (await store.listChunks(collection, tenant, source.documentId)).map((c) => [c.chunkId, c]),
      );
      const toWrite = wanted.filter((c) => !existing.has(c.chunkId) || !sameMeta(existing.get(c.chunkId)!, c));
      const wantedIds = new Set(wanted.map((c) => c.chunkId));
      const stale = [...existing.keys()].filter((id) => !wantedIds.has(id));
      if (toWrite.length === 0 && stale.length === 0) {
        summary.documents.unchanged++;
        summary.chunks.unchanged += wanted.length;
        return wanted.length;
      }
      if (toWrite.length) {
        const texts = toWrite.map((c) => indexText(c.title, c.section, c.text));
        const vectors = await embedder!.embed(texts);
        await ensure(vectors[0].length);
        const records: ChunkRecord[] = toWrite.map((c, i) => ({
          ...c,
          dense: vectors[i],
          sparse: encodeDocument(texts[i]),
          terms: tokenize(texts[i]).join(' '),
        }));
        try {
          await store.upsert(collection, records);
        } catch (err) {
          const fresh = toWrite.filter((c) => !existing.has(c.chunkId)).map((c) => c.chunkId);
          await store.deleteChunks(collection, tenant, fresh).catch(() => {});
          throw err;
        }
      }
      await store.deleteChunks(collection, tenant, stale);
      const added = toWrite.filter((c) => !existing.has(c.chunkId)).length;
      summary.chunks.added += added;
      summary.chunks.updated += toWrite.length - added;
      summary.chunks.removed += stale.length;
      summary.chunks.unchanged += wanted.length - toWrite.length;
      if (existing.size === 0) summary.documents.added++;
      else summary.documents.changed++;
      return wanted.length;
    }
  } finally {
    if (!options.store) await store.close();
  }
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
}

function joinUrl(base: string, documentId: string): string {
  return `${base.replace(/\/+$/, '')}/${documentId.split('/').map(encodeURIComponent).join('/')}`;
}
