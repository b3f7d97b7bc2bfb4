/**
 * @module rag/lancedb-search — hybrid search on one LanceDB chunk table: a cosine vector query (HNSW-SQ) and
 * a full-text query (BM25 on `terms`), both with the tenant prefilter, run concurrently and fused by RRF
 * with Qdrant's formula; then the passages of the fused top `limit` are read.
 *
 * Where a search's CPU goes (load/bench/corpus.ts at 10k chunks; notes in README "Performance"): every
 * native LanceDB query has a fixed cost (planning, the napi/tokio round trips, Arrow IPC) of ~0.4 ms, and
 * reading a string column for a row costs more than finding it — so the legs return only LanceDB's row
 * id and their score (no `chunk_id`, no text), and the passages of the few fused winners are fetched by
 * row id (`takeRowIds`), not by a filtered scan. Results are read column-wise from the Arrow table, not
 * through `toArray()`'s row proxies.
 *
 * A row id is an address within one version of the table, so the fast path is used only while no write,
 * checkout or index maintenance (compaction) of the handle has started since the legs began (`TableGuard`),
 * and the passages it read are remembered only for that generation of the handle (popular passages are
 * then read once per table version, not once per question);
 * otherwise — or if a fetched row is missing or is not the tenant's — the search runs again by `chunk_id`,
 * which is stable across versions.
 */
import type * as lancedb from '@lancedb/lancedb';
import type { Table as ArrowTable } from 'apache-arrow';
import { type ChunkMeta, fuseRrf, legLimit, type SearchHit, type SearchRequest } from './vector-store.ts';

export const metaColumns = [
  'chunk_id',
  'tenant',
  'document_id',
  'content_hash',
  'position',
  'title',
  'url',
  'section',
  'text',
];

export function sql(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** HNSW candidates (`ef`): LanceDB's default is 1.5 × the query's limit; keep the breadth the dense leg had
 * when it asked for 50 candidates, so that fewer candidates returned does not mean lower recall. */
export function denseEf(limit: number): number {
  return Math.max(Math.ceil(legLimit(limit) * 1.5), 75);
}

export interface TableGuard {
  /** Bumped when a write, checkout or maintenance of the handle starts. */
  gen: number;
  /** How many of those are running now. */
  busy: number;
}

const guards = new WeakMap<lancedb.Table, TableGuard>();

export function guardOf(table: lancedb.Table): TableGuard {
  let g = guards.get(table);
  if (!g) {
    g = { gen: 0, busy: 0 };
    guards.set(table, g);
  }
  return g;
}

/** Runs `work` (anything that may move the handle to another table version) under the table's guard. */
export async function guarded<T>(table: lancedb.Table, work: () => Promise<T>): Promise<T> {
  const g = guardOf(table);
  g.gen++;
  g.busy++;
  try {
    return await work();
  } finally {
    g.busy--;
  }
}

function column(table: ArrowTable, name: string): unknown[] {
  const v = table.getChild(name);
  const out: unknown[] = new Array(table.numRows);
  if (!v) return out.fill(null);
  for (let i = 0; i < table.numRows; i++) out[i] = v.get(i);
  return out;
}

/** ChunkMeta of each row of a passage read, column by column. */
function chunksOf(table: ArrowTable): ChunkMeta[] {
  const [ids, tenants, docs, hashes, positions, titles, urls, sections, texts] = metaColumns.map((c) =>
    column(table, c),
  );
  return ids.map((id, i) => ({
    chunkId: String(id),
    tenant: String(tenants[i]),
    documentId: String(docs[i]),
    contentHash: String(hashes[i]),
    position: Number(positions[i]),
    title: (titles[i] as string | null) ?? null,
    url: (urls[i] as string | null) ?? null,
    section: (sections[i] as string | null) ?? null,
    text: String(texts[i]),
  }));
}

const indexed = new WeakMap<lancedb.Table, { gen: number; has: boolean }>();

/** Whether the table has a vector index, looked up once per generation of the handle (another process may
 * have built it: a CLI ingestion). */
async function vectorIndexed(table: lancedb.Table): Promise<boolean> {
  const gen = guardOf(table).gen;
  const known = indexed.get(table);
  if (known?.gen === gen) return known.has;
  const has = (await table.listIndices()).some((i) => i.columns.includes('vector'));
  indexed.set(table, { gen, has });
  return has;
}

interface Legs {
  dense: string[];
  lexical: string[];
}

/** Both legs, returning `key` (`_rowid` or `chunk_id`) of each candidate in rank order. */
async function legs(table: lancedb.Table, req: SearchRequest, key: '_rowid' | 'chunk_id'): Promise<Legs> {
  const where = `tenant = ${sql(req.tenant)}`;
  const limit = legLimit(req.limit);
  const byRowId = key === '_rowid';
  // Prefilter (LanceDB's default for `where`): the tenant filter applies before the nearest are taken.
  let dense = table
    .query()
    .nearestTo(req.dense)
    .distanceType('cosine')
    .ef(denseEf(req.limit))
    .where(where)
    .select(byRowId ? ['_distance'] : ['chunk_id', '_distance'])
    .limit(limit);
  if (byRowId) dense = dense.withRowId();
  const terms = req.terms.trim();
  let lexical = terms
    ? table
        .query()
        .fullTextSearch(terms, { columns: ['terms'] })
        .where(where)
        .select(byRowId ? ['_score'] : ['chunk_id', '_score'])
        .limit(limit)
    : null;
  if (lexical && byRowId) lexical = lexical.withRowId();
  let [d, l] = await Promise.all([dense.toArrow(), lexical?.toArrow()]);
  // HNSW may reach fewer than `limit` of the tenant's rows when the graph is badly connected around them
  // (many near-duplicate vectors: templated documents; seen as 3 of 10 in one build of twenty). Fewer than
  // asked is then rechecked by an exact flat search — only when an index was searched at all, since a table
  // without one was searched flat already.
  if (d.numRows < limit && (await vectorIndexed(table))) d = await dense.bypassVectorIndex().toArrow();
  const keys = column(d, key);
  const distances = column(d, '_distance');
  const denseKeys: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const similarity = 1 - Number(distances[i]);
    if (req.scoreFloor === undefined || similarity >= req.scoreFloor) denseKeys.push(String(keys[i]));
  }
  const lexicalKeys = l ? column(l, key).map(String) : [];
  // A score floor decides which passages may be used at all (their dense similarity reaches it); the keyword leg
  // then only ranks among those — a passage that matches words but not meaning stays out.
  if (req.scoreFloor === undefined) return { dense: denseKeys, lexical: lexicalKeys };
  const passing = new Set(denseKeys);
  return { dense: denseKeys, lexical: lexicalKeys.filter((k) => passing.has(k)) };
}

function fuse(l: Legs, limit: number): SearchHit[] {
  const asHits = (keys: string[]) => keys.map((chunkId) => ({ chunk: { chunkId } as ChunkMeta }));
  return fuseRrf([asHits(l.dense), asHits(l.lexical)], limit);
}

/** Passages read by row id, per table handle, valid while the handle's generation is the one they were read
 * at (any write, checkout or maintenance empties them): popular passages are read once per table version,
 * not once per question. Bounded per table (1,024 passages of ≤ chunk_tokens each: ~2 MB at the default 400);
 * the oldest read goes first. */
const maxPassages = 1024;
const passages = new WeakMap<lancedb.Table, { gen: number; byRowId: Map<string, ChunkMeta> }>();

function passagesOf(table: lancedb.Table, gen: number): Map<string, ChunkMeta> {
  let p = passages.get(table);
  if (!p || p.gen !== gen) {
    p = { gen, byRowId: new Map() };
    passages.set(table, p);
  }
  return p.byRowId;
}

/** The fast path; null when a fetched row is missing or not the tenant's (the caller falls back). The caller
 * keeps the answer only if the table's generation did not move meanwhile; so does the passage cache. */
export async function searchByRowId(table: lancedb.Table, req: SearchRequest): Promise<SearchHit[] | null> {
  const guard = guardOf(table);
  const gen = guard.gen;
  const fused = fuse(await legs(table, req, '_rowid'), req.limit);
  if (fused.length === 0) return [];
  if (guard.gen !== gen) return null;
  const known = passagesOf(table, gen);
  const missing = fused.map((h) => h.chunk.chunkId).filter((id) => !known.has(id));
  if (missing.length) {
    const rows = await table
      .takeRowIds(missing.map((id) => BigInt(id)))
      .withRowId()
      .select(metaColumns)
      .toArrow();
    if (guard.gen !== gen) return null;
    const rowIds = column(rows, '_rowid').map(String);
    const chunks = chunksOf(rows);
    for (let i = 0; i < rowIds.length; i++) {
      if (known.size >= maxPassages) known.delete(known.keys().next().value as string);
      known.set(rowIds[i], chunks[i]);
    }
  }
  const hits: SearchHit[] = [];
  for (const h of fused) {
    const chunk = known.get(h.chunk.chunkId);
    if (!chunk || chunk.tenant !== req.tenant) return null;
    hits.push({ chunk, score: h.score });
  }
  return hits;
}

/** By `chunk_id` (stable across versions): the legs, then one indexed lookup of the fused passages. */
export async function searchByChunkId(table: lancedb.Table, req: SearchRequest): Promise<SearchHit[]> {
  const fused = fuse(await legs(table, req, 'chunk_id'), req.limit);
  if (fused.length === 0) return [];
  const ids = fused.map((h) => sql(h.chunk.chunkId)).join(', ');
  const rows = await table
    .query()
    .where(`tenant = ${sql(req.tenant)} AND chunk_id IN (${ids})`)
    .select(metaColumns)
    .toArrow();
  const byId = new Map(chunksOf(rows).map((c) => [c.chunkId, c]));
  // A chunk deleted between the legs and the lookup is dropped rather than returned without its text.
  return fused.flatMap((h) => {
    const chunk = byId.get(h.chunk.chunkId);
    return chunk ? [{ chunk, score: h.score }] : [];
  });
}
