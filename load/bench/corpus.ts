/**
 * @module load/bench/corpus — the corpus-size table: retrieval latency of each vector store as the knowledge
 * base grows (1k / 10k / 100k chunks by default). For each size and store: ingest the synthetic corpus
 * (corpus-data.ts: 4 tenants sharing one collection) through the store's own `upsert` (which builds or
 * updates its indexes), then time `search()` — the call retrieval makes per request, hybrid (dense + lexical,
 * fused) with the tenant filter — and a dense-only search whose top 4 is compared with the exact cosine
 * top 4 of the tenant's chunks (recall@4: what the ANN index costs in quality).
 *
 * `qdrant` is the Qdrant path measured against test/qdrant-standin (Qdrant Edge, the server's Rust core,
 * behind a Python HTTP stand-in that validates every body against Qdrant's OpenAPI schema): its latency is
 * mostly the stand-in's Python, so it shows how the path grows with the corpus, not what a Qdrant server does.
 *
 * Usage: node load/bench/corpus.ts [--sizes 1000,10000,100000] [--stores lancedb,qdrant] [--queries 200] [--json FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDocument, encodeQuery } from '../../src/rag/bm25.ts';
import type { ChunkRecord, SearchRequest, VectorStore } from '../../src/rag/vector-store.ts';
import { DIMS, exactTopK, makeCorpus } from './corpus-data.ts';
import { percentile, sortSamples } from './stats.ts';

export interface CorpusRow {
  store: string;
  chunks: number;
  ingestS: number;
  hybridP50: number;
  hybridP99: number;
  /** CPU ms per hybrid search (steadier than latency on a shared machine). */
  hybridCpuMs: number;
  denseP50: number;
  lexicalP50: number;
  recall: number;
  index: string;
  note?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function openStore(kind: string, dir: string): Promise<{ store: VectorStore; close(): Promise<void> } | string> {
  if (kind === 'lancedb') {
    const { createLanceDbStore } = await import('../../src/rag/lancedb-store.ts');
    const store = await createLanceDbStore(dir);
    return { store, close: () => store.close() };
  }
  if (kind === 'qdrant') {
    const { standinMissing, startQdrantStandin } = await import('../../test/qdrant-standin/start.ts');
    if (standinMissing) return standinMissing;
    const { createQdrantStore } = await import('../../src/rag/qdrant-store.ts');
    const standin = await startQdrantStandin();
    const store = createQdrantStore({ kind: 'qdrant', url: standin.url, timeout_ms: 120_000 } as never);
    return {
      store,
      async close() {
        await store.close();
        await standin.stop();
      },
    };
  }
  throw new Error(`unknown store ${kind} (lancedb | qdrant)`);
}

/** Latencies (sorted) and this process's CPU time per query in ms (LanceDB's threads included). */
async function timeAll(
  store: VectorStore,
  collection: string,
  queries: SearchRequest[],
): Promise<{ sorted: Float64Array; cpuMs: number }> {
  const ms: number[] = [];
  for (const q of queries.slice(0, 10)) await store.search(collection, q); // warm caches
  const cpu0 = process.cpuUsage();
  for (const q of queries) {
    const t0 = performance.now();
    await store.search(collection, q);
    ms.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { sorted: sortSamples(ms), cpuMs: (cpu.user + cpu.system) / 1000 / queries.length };
}

export async function measureCorpus(kind: string, size: number, queryCount: number): Promise<CorpusRow | string> {
  const dir = mkdtempSync(join(tmpdir(), `lorag-corpus-${kind}-`));
  const opened = await openStore(kind, dir);
  if (typeof opened === 'string') return opened;
  const { store, close } = opened;
  try {
    const { chunks, queries } = makeCorpus(size, queryCount);
    if (kind === 'qdrant') {
      for (const c of chunks) c.sparse = encodeDocument(c.text);
      for (const q of queries) q.sparse = encodeQuery(q.terms);
    }
    const collection = `corpus_${size}`;
    await store.ensureCollection(collection, DIMS);
    const t0 = performance.now();
    // Ingestion writes in batches (src/ingest upserts each document's chunks); 1,000 keeps this quick.
    const batch = 1000;
    for (let i = 0; i < chunks.length; i += batch) {
      await store.upsert(collection, chunks.slice(i, i + batch) as ChunkRecord[]);
      if (size >= 10_000 && (i / batch) % 10 === 9) log(`corpus: ${kind} ${size}: ${i + batch} chunks in`);
    }
    // The CLI's store waits for index maintenance in close(); so does this measurement.
    if ('flushIndexes' in store) await (store as { flushIndexes(): Promise<void> }).flushIndexes();
    const ingestS = (performance.now() - t0) / 1000;
    const hybrid = await timeAll(store, collection, queries);
    const denseQueries = queries.map((q) => ({ ...q, terms: '', sparse: { indices: [], values: [] } }));
    const dense = await timeAll(store, collection, denseQueries);
    const lexicalQueries = queries.map((q) => ({ ...q, dense: q.dense.map(() => 0) }));
    const lexical = kind === 'lancedb' ? await timeAll(store, collection, lexicalQueries) : null;
    let found = 0;
    let wanted = 0;
    for (const q of denseQueries.slice(0, 50)) {
      const exact = new Set(exactTopK(chunks, q, 4));
      const got = await store.search(collection, q);
      for (const h of got) if (exact.has(h.chunk.chunkId)) found++;
      wanted += exact.size;
    }
    const indexInfo =
      'describeIndexes' in store
        ? await (store as { describeIndexes(c: string): Promise<string> }).describeIndexes(collection)
        : '';
    return {
      store: kind,
      chunks: size,
      ingestS,
      hybridP50: percentile(hybrid.sorted, 50),
      hybridP99: percentile(hybrid.sorted, 99),
      hybridCpuMs: hybrid.cpuMs,
      denseP50: percentile(dense.sorted, 50),
      lexicalP50: lexical ? percentile(lexical.sorted, 50) : Number.NaN,
      recall: found / Math.max(1, wanted),
      index: indexInfo,
    };
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');

export function corpusTable(rows: (CorpusRow | { store: string; chunks: number; skipped: string })[]): string {
  const lines = [
    '| store | chunks | ingest s | hybrid p50 ms | hybrid p99 ms | hybrid CPU ms | dense p50 ms | lexical p50 ms | dense recall@4 | indexes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    if ('skipped' in r) lines.push(`| ${r.store} | ${r.chunks} | skipped: ${r.skipped} | | | | | | | |`);
    else
      lines.push(
        `| ${r.store} | ${r.chunks} | ${f(r.ingestS, 1)} | ${f(r.hybridP50, 3)} | ${f(r.hybridP99, 3)} | ${f(r.hybridCpuMs, 3)} | ${f(r.denseP50, 3)} | ${f(r.lexicalP50, 3)} | ${f(r.recall, 2)} | ${r.index || '—'} |`,
      );
  }
  return lines.join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

if (import.meta.main) {
  const sizes = arg('--sizes', '1000,10000,100000').split(',').map(Number);
  const stores = arg('--stores', 'lancedb,qdrant').split(',');
  const queries = Number(arg('--queries', '200'));
  const json = arg('--json', '');
  const rows: (CorpusRow | { store: string; chunks: number; skipped: string })[] = [];
  for (const kind of stores) {
    for (const size of sizes) {
      log(`corpus: ${kind} ${size} chunks`);
      const r = await measureCorpus(kind, size, queries);
      rows.push(typeof r === 'string' ? { store: kind, chunks: size, skipped: r } : r);
      const last = rows.at(-1)!;
      if ('hybridP50' in last)
        log(
          `corpus: ${kind} ${size}: ingest ${f(last.ingestS, 1)} s, hybrid p50 ${f(last.hybridP50, 3)} ms, recall ${f(last.recall)}`,
        );
    }
  }
  process.stdout.write(`${corpusTable(rows)}\n`);
  if (json) writeFileSync(json, `${JSON.stringify({ corpus: rows }, null, 2)}\n`);
}
