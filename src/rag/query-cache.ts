/**
 * @module rag/query-cache — the hits of recent retrievals, in memory, so a question asked again (in another
 * conversation, with other parameters or another adapter — anything the response cache keys on) costs no
 * embedding and no search. The key holds the tenant, the knowledge revision of every collection searched,
 * the query text, top_k and the score floor: an ingestion or deletion bumps the revision, so the next
 * request misses and sees the new knowledge; entries of old revisions age out. Bounded by
 * `knowledge.query_cache_entries` (0 turns it off), least recently used out first.
 *
 * Not keyed: other tenants' ingestions, which can move BM25 statistics in a shared LanceDB table (the
 * tenant's own chunks, hence what may be found, do not change) — the response cache keys the same way.
 */
import type { SearchHit } from './vector-store.ts';

export interface CachedHit {
  collection: string;
  hit: SearchHit;
}

export interface QueryKeyParts {
  tenant: string;
  /** Collection → knowledge revision, in the plan's order. */
  revisions: Record<string, number>;
  collections: string[];
  query: string;
  topK: number;
  scoreFloor: number | undefined;
}

export interface QueryCache {
  get(parts: QueryKeyParts): CachedHit[] | undefined;
  set(parts: QueryKeyParts, hits: CachedHit[]): void;
  readonly size: number;
}

function keyOf(p: QueryKeyParts): string {
  const revs = p.collections.map((c) => `${c}@${p.revisions[c] ?? 0}`);
  return JSON.stringify([p.tenant, revs, p.topK, p.scoreFloor ?? null, p.query]);
}

export function createQueryCache(maxEntries: number): QueryCache {
  const entries = new Map<string, CachedHit[]>();
  return {
    get(parts) {
      if (maxEntries === 0) return undefined;
      const k = keyOf(parts);
      const hits = entries.get(k);
      if (hits) {
        // Most recently used last (a Map keeps insertion order).
        entries.delete(k);
        entries.set(k, hits);
      }
      return hits;
    },
    set(parts, hits) {
      if (maxEntries === 0) return;
      const k = keyOf(parts);
      entries.delete(k);
      entries.set(k, hits);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
  };
}
