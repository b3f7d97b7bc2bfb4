/**
 * @module rag/revision-cache — knowledge revisions served from memory (the cache key needs them on every
 * request) and refreshed in the background every `knowledge.revision_poll_ms` with one read of the store,
 * so a CLI ingestion in another process invalidates cached answers within that delay. A store that is down
 * leaves the last known revisions in place.
 */
import type { Revision, VectorStore } from './vector-store.ts';

export interface RevisionCache {
  get(tenantId: string, collections: string[]): Promise<Record<string, number>>;
  /** Records a revision this process just wrote (admin ingestion/deletion), without waiting for the poll. */
  note(revision: Revision): void;
  refresh(): Promise<void>;
  stop(): void;
}

const key = (collection: string, tenant: string) => `${collection}\u0000${tenant}`;

export function createRevisionCache(store: () => Promise<VectorStore | null>, pollMs: number): RevisionCache {
  const known = new Map<string, number>();
  let loaded = false;
  let inFlight: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      try {
        const s = await store();
        if (!s) return;
        for (const r of await s.revisions()) {
          const k = key(r.collection, r.tenant);
          if ((known.get(k) ?? -1) < r.revision) known.set(k, r.revision);
        }
        loaded = true;
      } catch {
        // Keep the last known revisions; retrieval itself reports the store as degraded.
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const first = refresh();
  const timer = setInterval(() => void refresh(), pollMs);
  timer.unref();

  return {
    async get(tenantId, collections) {
      // The very first request waits briefly for the first read, so it does not cache under revision 0.
      if (!loaded) await Promise.race([first, new Promise((r) => setTimeout(r, 250).unref())]);
      return Object.fromEntries(collections.map((c) => [c, known.get(key(c, tenantId)) ?? 0]));
    },
    note(r) {
      const k = key(r.collection, r.tenant);
      if ((known.get(k) ?? -1) < r.revision) known.set(k, r.revision);
    },
    refresh,
    stop() {
      clearInterval(timer);
    },
  };
}
