/**
 * @module rag/lancedb-indexes — LanceDB's own indexes on a chunk table, built at ingest and kept up to date:
 * - `terms`: full-text (BM25) index, whitespace tokenizer over rag/tokenize's pre-segmented tokens;
 * - `tenant`: bitmap index (few distinct values), so the tenant prefilter of every search is an index lookup
 *   instead of a column scan; `chunk_id` and `document_id`: btree (upsert's merge key, get, list, delete);
 * - `vector`: HNSW with scalar quantisation (cosine, one partition: one graph), once the table holds
 *   `minAnnRows` rows — below that LanceDB cannot train it and a flat search is exact and fast anyway.
 * Rows written after an index was built are searched flat by LanceDB (never missed) until `optimize()`
 * folds them into the indexes. Maintenance runs once writes settle (an ingestion writes document after
 * document: one run at its end, in close(), not one per document), inline when many rows have piled up
 * since the last run, and at once on a table's first write (full-text search needs its index to exist);
 * one run at a time per table.
 */
import * as lancedb from '@lancedb/lancedb';

/** LanceDB refuses to train a vector index on fewer rows (PQ/SQ training needs 256 samples). */
export const minAnnRows = 256;
/** Maintain inline once this many rows were written since the last run (they are flat-searched until then). */
const maxPending = 20_000;
/** Appends after a build become extra parts of the vector index; past this many it is rebuilt whole. */
const maxVectorParts = 3;
/** Otherwise maintain this long after the last write (longer than the gap between two documents of one ingestion on a loaded machine). */
const settleMs = 5000;

const ftsConfig = () =>
  lancedb.Index.fts({
    baseTokenizer: 'whitespace',
    lowercase: false,
    stem: false,
    removeStopWords: false,
    withPosition: false,
  });

export interface IndexKeeper {
  /** After a write of `rows` rows: maintain now (first write, many rows pending) or once writes settle. */
  written(table: lancedb.Table, rows: number): Promise<void>;
  /** Runs pending maintenance to the end (before close; tests). */
  flush(): Promise<void>;
  /** "fts(terms), bitmap(tenant), …, hnsw_sq(vector)" for the bench table. */
  describe(table: lancedb.Table): Promise<string>;
}

async function unindexedRows(table: lancedb.Table, names: string[]): Promise<number> {
  let most = 0;
  for (const name of names) {
    const stats = await table.indexStats(name);
    if (stats) most = Math.max(most, stats.numUnindexedRows);
  }
  return most;
}

/** Creates the missing indexes, then folds unindexed rows into the existing ones. */
export async function maintain(table: lancedb.Table): Promise<void> {
  const indices = await table.listIndices();
  const has = (column: string) => indices.some((i) => i.columns.includes(column));
  const wanted: [string, () => lancedb.Index][] = [
    ['terms', ftsConfig],
    ['tenant', () => lancedb.Index.bitmap()],
    ['chunk_id', () => lancedb.Index.btree()],
    ['document_id', () => lancedb.Index.btree()],
  ];
  for (const [column, config] of wanted) {
    if (has(column)) continue;
    await table.createIndex(column, { config: config() });
  }
  const vector = indices.find((i) => i.columns.includes('vector'));
  const stats = vector ? await table.indexStats(vector.name) : undefined;
  // (Re)train the vector index when there is none yet, when the table has doubled since it was trained
  // (a doubling schedule: all rebuilds together cost at most about twice the last one), or when appends
  // have split it into many parts (each part is searched on every query).
  const retrain = stats
    ? stats.numUnindexedRows >= stats.numIndexedRows || (stats.numIndices ?? 1) > maxVectorParts
    : (await table.countRows()) >= minAnnRows;
  if (retrain)
    await table.createIndex('vector', {
      config: lancedb.Index.hnswSq({ distanceType: 'cosine', numPartitions: 1 }),
      replace: true,
    });
  const existing = indices.map((i) => i.name);
  if (existing.length && (await unindexedRows(table, existing)) > 0) await table.optimize();
}

/** Runs one maintenance of `table` (the store wraps it so that searches know the table version may move). */
type Around = (table: lancedb.Table, work: () => Promise<void>) => Promise<void>;

export function createIndexKeeper(
  onError: (err: unknown) => void = () => {},
  around: Around = (_table, work) => work(),
): IndexKeeper {
  const running = new Map<lancedb.Table, Promise<void>>();
  const timers = new Map<lancedb.Table, NodeJS.Timeout>();
  const pending = new Map<lancedb.Table, number>();
  const ready = new WeakSet<lancedb.Table>();

  const run = (table: lancedb.Table): Promise<void> => {
    const previous = running.get(table) ?? Promise.resolve();
    const next = previous.then(() => around(table, () => maintain(table))).catch(onError);
    running.set(table, next);
    void next.finally(() => {
      if (running.get(table) === next) running.delete(table);
    });
    return next;
  };

  return {
    async written(table, rows) {
      clearTimeout(timers.get(table));
      timers.delete(table);
      const total = (pending.get(table) ?? 0) + rows;
      if (!ready.has(table)) {
        // Ready once the full-text and scalar indexes exist (the vector index follows at maintenance).
        const indices = await table.listIndices();
        if (indices.filter((i) => !i.columns.includes('vector')).length >= 4) ready.add(table);
      }
      if (!ready.has(table) || total >= maxPending) {
        pending.set(table, 0);
        await run(table);
        ready.add(table);
        return;
      }
      pending.set(table, total);
      const timer = setTimeout(() => {
        timers.delete(table);
        pending.set(table, 0);
        void run(table);
      }, settleMs);
      timer.unref();
      timers.set(table, timer);
    },

    async flush() {
      const waiting = [...timers.keys()];
      for (const t of waiting) clearTimeout(timers.get(t));
      timers.clear();
      for (const t of waiting) pending.set(t, 0);
      await Promise.all([...waiting.map(run), ...running.values()]);
    },

    async describe(table) {
      const list = await table.listIndices();
      return list.map((i) => `${i.indexType.toLowerCase()}(${i.columns.join(',')})`).join(', ');
    },
  };
}
