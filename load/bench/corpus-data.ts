/**
 * @module load/bench/corpus-data — a synthetic, deterministic knowledge base of N chunks for the corpus-size
 * table: each chunk a ~60-word passage drawn from one of 64 topics (topic words + common words), shared by
 * 4 tenants in one collection, with a 384-dimensional dense vector (topic centre + per-chunk noise,
 * L2-normalised, the simulator's dimension) and its pre-segmented `terms`. Queries come from the same topics,
 * so both legs of hybrid search find something, as real questions do.
 */
import { createHash } from 'node:crypto';
import type { ChunkRecord, SearchRequest } from '../../src/rag/vector-store.ts';

export const DIMS = 384;
export const TENANTS = ['legal', 'hr', 'finance', 'ops'];
const TOPICS = 64;

/** Seeded PRNG (mulberry32): the same corpus every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const syllables = [
  'ka',
  'lo',
  'mi',
  'ren',
  'to',
  'sa',
  'vel',
  'dor',
  'an',
  'pi',
  'qu',
  'ser',
  'ul',
  'fen',
  'bri',
  'gan',
];
function word(r: () => number): string {
  const n = 2 + Math.floor(r() * 2);
  let w = '';
  for (let i = 0; i < n; i++) w += syllables[Math.floor(r() * syllables.length)];
  return w;
}

interface Topic {
  words: string[];
  centre: Float32Array;
}

function normalise(v: Float32Array): number[] {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return Array.from(v, (x) => x / n);
}

export interface Corpus {
  chunks: ChunkRecord[];
  queries: SearchRequest[];
}

export function makeCorpus(size: number, queries = 200, seed = 16): Corpus {
  const r = rng(seed);
  const common = Array.from({ length: 400 }, () => word(r));
  const topics: Topic[] = Array.from({ length: TOPICS }, () => ({
    words: Array.from({ length: 30 }, () => word(r)),
    centre: Float32Array.from({ length: DIMS }, () => r() * 2 - 1),
  }));
  const vector = (t: Topic, noise: number) => normalise(Float32Array.from(t.centre, (c) => c + (r() * 2 - 1) * noise));
  const passage = (t: Topic, words: number) =>
    Array.from({ length: words }, () =>
      r() < 0.4 ? t.words[Math.floor(r() * t.words.length)] : common[Math.floor(r() * common.length)],
    ).join(' ');
  const chunks: ChunkRecord[] = [];
  for (let i = 0; i < size; i++) {
    const topic = topics[i % TOPICS];
    const tenant = TENANTS[i % TENANTS.length];
    const text = passage(topic, 60);
    const id = createHash('sha256').update(`${size}:${i}`).digest('hex');
    chunks.push({
      chunkId: `${id.slice(0, 8)}-${id.slice(8, 12)}-5${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20, 32)}`,
      tenant,
      documentId: `doc-${Math.floor(i / 8)}.md`,
      contentHash: id,
      position: i % 8,
      title: `Document ${Math.floor(i / 8)}`,
      url: null,
      section: null,
      text,
      dense: vector(topic, 1.2),
      sparse: { indices: [], values: [] },
      terms: text,
    });
  }
  const qs: SearchRequest[] = Array.from({ length: queries }, (_, i) => {
    const topic = topics[Math.floor(r() * TOPICS)];
    const text = passage(topic, 8);
    return {
      tenant: TENANTS[i % TENANTS.length],
      dense: vector(topic, 1.2),
      sparse: { indices: [], values: [] },
      terms: text,
      limit: 4,
    };
  });
  return { chunks, queries: qs };
}

/** Exact cosine top-k of the tenant's chunks (ground truth for the dense leg's recall). */
export function exactTopK(chunks: ChunkRecord[], q: SearchRequest, k: number): string[] {
  const scored: { id: string; s: number }[] = [];
  for (const c of chunks) {
    if (c.tenant !== q.tenant) continue;
    let s = 0;
    for (let i = 0; i < q.dense.length; i++) s += q.dense[i] * c.dense[i];
    scored.push({ id: c.chunkId, s });
  }
  return scored
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}
