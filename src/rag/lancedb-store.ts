/**
 * @module rag/lancedb-store — the embedded default vector store: LanceDB on disk under `vector_store.path`,
 * one table per collection plus a small `lorag_meta` table of knowledge revisions. Hybrid search runs a
 * cosine vector query and a full-text query, each with the tenant `where`, floors the dense leg, and fuses
 * both by RRF with Qdrant's formula so that the two stores rank alike. LanceDB's own full-text tokenizer
 * finds nothing in Chinese, so the index covers a `terms` column that rag/tokenize has already segmented
 * (whitespace tokenizer, no stemming): the same tokens as the BM25 encoder.
 *
 * Speed: both legs use LanceDB's own indexes (rag/lancedb-indexes: HNSW-SQ on the vector once a table can
 * train one, FTS on `terms`, a bitmap on `tenant` for the prefilter) and run concurrently; they return row
 * ids only and the fused passages are fetched by row id (rag/lancedb-search). The tenant filter
 * is always a prefilter (LanceDB's default for `where` on a vector query): it applies before the limit, so a
 * tenant never sees another's chunks and a small tenant in a crowded collection still gets its own.
 * Reads do not re-check the table version on every query (that costs more than the search at 10k rows):
 * writes through this store are visible at once, and `revisions()` — which the gateway polls every
 * `knowledge.revision_poll_ms` — moves every open table to its latest version after reading the revisions,
 * so chunks written by another process (a CLI ingestion) are searchable before their revision is seen.
 */
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { createIndexKeeper } from './lancedb-indexes.ts';
import { guarded, guardOf, metaColumns, searchByChunkId, searchByRowId, sql } from './lancedb-search.ts';
import {
  type ChunkMeta,
  type ChunkRecord,
  CollectionDimensionError,
  nextRevision,
  type Revision,
  type SearchHit,
  type SearchRequest,
  type VectorStore,
} from './vector-store.ts';

const metaTable = 'lorag_meta';
/** revisions() checks out every open table once in this many polls, whatever the revisions say. */
const fullSweepEvery = 10;
/** Table names are restricted; collection names are not, so unusual ones are hex-encoded. */
export function tableName(collection: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(collection)
    ? `kb_${collection}`
    : `kbx_${Buffer.from(collection).toString('hex')}`;
}

function chunkSchema(dimensions: number): Schema {
  return new Schema([
    new Field('chunk_id', new Utf8(), false),
    new Field('tenant', new Utf8(), false),
    new Field('document_id', new Utf8(), false),
    new Field('content_hash', new Utf8(), false),
    new Field('position', new Int32(), false),
    new Field('title', new Utf8(), true),
    new Field('url', new Utf8(), true),
    new Field('section', new Utf8(), true),
    new Field('text', new Utf8(), false),
    new Field('terms', new Utf8(), false),
    new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
  ]);
}

const revisionSchema = new Schema([
  new Field('collection', new Utf8(), false),
  new Field('tenant', new Utf8(), false),
  new Field('revision', new Float64(), false),
]);

function toMeta(row: Record<string, unknown>): ChunkMeta {
  return {
    chunkId: String(row.chunk_id),
    tenant: String(row.tenant),
    documentId: String(row.document_id),
    contentHash: String(row.content_hash),
    position: Number(row.position),
    title: (row.title as string | null) ?? null,
    url: (row.url as string | null) ?? null,
    section: (row.section as string | null) ?? null,
    text: String(row.text),
  };
}

export interface LanceDbStore extends VectorStore {
  /** Waits for index maintenance after the last write (the bench and tests; close() does it too). */
  flushIndexes(): Promise<void>;
  /** The collection's indexes, e.g. "fts(terms), bitmap(tenant), …, ivf_hnsw_sq(vector)". */
  describeIndexes(collection: string): Promise<string>;
}

export async function createLanceDbStore(path: string): Promise<LanceDbStore> {
  // No readConsistencyInterval: a read never re-checks the version on its own (see revisions()).
  const db = await lancedb.connect(path);
  const tables = new Map<string, lancedb.Table>();
  /** Per chunk table, the revisions it was last checked out at (see revisions()). */
  const checkedOut = new Map<string, string>();
  let polls = 0;
  const indexes = createIndexKeeper(
    (err) => process.emitWarning(`lancedb index maintenance failed: ${(err as Error).message}`),
    guarded,
  );

  async function open(name: string): Promise<lancedb.Table | null> {
    const cached = tables.get(name);
    if (cached) return cached;
    if (!(await db.tableNames()).includes(name)) return null;
    const t = await db.openTable(name);
    tables.set(name, t);
    return t;
  }

  async function collectionTable(collection: string): Promise<lancedb.Table | null> {
    return open(tableName(collection));
  }

  return {
    kind: 'lancedb',

    async ensureCollection(collection, dimensions) {
      const name = tableName(collection);
      let t = await open(name);
      if (!t) {
        t = await db.createEmptyTable(name, chunkSchema(dimensions), { existOk: true });
        tables.set(name, t);
      }
      const vector = (await t.schema()).fields.find((f) => f.name === 'vector');
      const size = (vector?.type as FixedSizeList | undefined)?.listSize;
      if (size !== dimensions) throw new CollectionDimensionError(collection, size ?? 0, dimensions);
    },

    async upsert(collection, chunks) {
      if (chunks.length === 0) return;
      const t = await collectionTable(collection);
      if (!t) throw new Error(`collection '${collection}' does not exist; call ensureCollection first`);
      const rows = chunks.map((c: ChunkRecord) => ({
        chunk_id: c.chunkId,
        tenant: c.tenant,
        document_id: c.documentId,
        content_hash: c.contentHash,
        position: c.position,
        title: c.title,
        url: c.url,
        section: c.section,
        text: c.text,
        terms: c.terms,
        vector: c.dense,
      }));
      await guarded(t, () => t.mergeInsert('chunk_id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows));
      await indexes.written(t, rows.length);
    },

    async deleteChunks(collection, tenant, chunkIds) {
      const t = await collectionTable(collection);
      if (!t || chunkIds.length === 0) return;
      for (let i = 0; i < chunkIds.length; i += 500) {
        const ids = chunkIds
          .slice(i, i + 500)
          .map(sql)
          .join(', ');
        await guarded(t, () => t.delete(`tenant = ${sql(tenant)} AND chunk_id IN (${ids})`));
      }
      await indexes.written(t, chunkIds.length);
    },

    async listChunks(collection, tenant, documentId) {
      const t = await collectionTable(collection);
      if (!t) return [];
      let where = `tenant = ${sql(tenant)}`;
      if (documentId !== undefined) where += ` AND document_id = ${sql(documentId)}`;
      const rows = await t.query().where(where).select(metaColumns).toArray();
      return rows.map(toMeta).sort((a, b) => a.documentId.localeCompare(b.documentId) || a.position - b.position);
    },

    async getChunk(collection, tenant, chunkId) {
      const t = await collectionTable(collection);
      if (!t) return null;
      const rows = await t
        .query()
        .where(`tenant = ${sql(tenant)} AND chunk_id = ${sql(chunkId)}`)
        .select(metaColumns)
        .limit(1)
        .toArray();
      return rows.length ? toMeta(rows[0]) : null;
    },

    async search(collection, req: SearchRequest): Promise<SearchHit[]> {
      const t = await collectionTable(collection);
      if (!t || req.limit <= 0) return [];
      const guard = guardOf(t);
      // The fast path addresses rows by LanceDB's row id, which is only meaningful within one table version:
      // its answer is kept only if no write, checkout or index maintenance of this handle started or ran
      // meanwhile (rag/lancedb-search).
      if (guard.busy === 0) {
        const gen = guard.gen;
        let hits: SearchHit[] | null;
        try {
          hits = await searchByRowId(t, req);
        } catch (err) {
          if (guard.gen === gen) throw err;
          hits = null; // the version moved under the take: fall back
        }
        if (hits && guard.gen === gen) return hits;
      }
      return searchByChunkId(t, req);
    },

    async revisions(): Promise<Revision[]> {
      const t = await open(metaTable);
      if (!t) return [];
      await t.checkoutLatest();
      const rows = await t.query().select(['collection', 'tenant', 'revision']).toArray();
      // After reading the revisions, never before: a revision seen here was bumped after its chunks were
      // written, so the tables moved to their latest version now hold them (the cache key never pairs a new
      // revision with old chunks). Only tables whose revisions moved are checked out — a checkout starts a new
      // generation of the handle (rag/lancedb-search: its passages are read again) — plus every table once
      // every `fullSweepEvery` polls, for another process's index maintenance after its last bump.
      const signatures = new Map<string, string>();
      for (const r of [...rows].sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)))) {
        const name = tableName(String(r.collection));
        signatures.set(name, `${signatures.get(name) ?? ''}${String(r.tenant)}=${Number(r.revision)};`);
      }
      const sweep = polls++ % fullSweepEvery === 0;
      await Promise.all(
        [...tables]
          .filter(([name]) => name !== metaTable && (sweep || checkedOut.get(name) !== signatures.get(name)))
          .map(async ([name, table]) => {
            await guarded(table, () => table.checkoutLatest());
            checkedOut.set(name, signatures.get(name) ?? '');
          }),
      );
      return rows.map((r) => ({
        collection: String(r.collection),
        tenant: String(r.tenant),
        revision: Number(r.revision),
      }));
    },

    async bumpRevision(collection, tenant) {
      let t = await open(metaTable);
      if (!t) {
        t = await db.createEmptyTable(metaTable, revisionSchema, { existOk: true });
        tables.set(metaTable, t);
      }
      const where = `collection = ${sql(collection)} AND tenant = ${sql(tenant)}`;
      const rows = await t.query().where(where).select(['revision']).toArray();
      const revision = nextRevision(rows.length ? Number(rows[0].revision) : 0);
      await t
        .mergeInsert(['collection', 'tenant'])
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute([{ collection, tenant, revision }]);
      return revision;
    },

    async flushIndexes() {
      await indexes.flush();
    },

    async describeIndexes(collection) {
      const t = await collectionTable(collection);
      return t ? indexes.describe(t) : '';
    },

    async close() {
      await indexes.flush();
      for (const t of tables.values()) t.close();
      tables.clear();
      db.close();
    },
  };
}
