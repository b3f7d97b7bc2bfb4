/**
 * @module responses/store-memory — stored responses in this process: a Map bounded in entries (the oldest
 * write goes first) with a TTL checked on read. Values are kept as JSON text, so a caller can never mutate
 * what is stored.
 */
import { LruMap } from '../collections/lru-map.ts';
import type { ResponseStore, StoredResponse } from './store.ts';

export interface MemoryResponseStoreOptions {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}

export function createMemoryResponseStore(options: MemoryResponseStoreOptions): ResponseStore {
  const now = options.now ?? Date.now;
  const entries = new LruMap<string, { json: string; expiresAt: number }>();
  const key = (tenant: string, id: string) => `${tenant}\u0000${id}`;
  return {
    async put(tenantId, record) {
      const k = key(tenantId, record.response.id);
      entries.set(k, { json: JSON.stringify(record), expiresAt: now() + options.ttlMs });
      while (entries.size > options.maxEntries) entries.shift();
    },
    async get(tenantId, id) {
      const k = key(tenantId, id);
      const e = entries.get(k);
      if (!e) return null;
      if (e.expiresAt <= now()) {
        entries.delete(k);
        return null;
      }
      return JSON.parse(e.json) as StoredResponse;
    },
    async delete(tenantId, id) {
      const k = key(tenantId, id);
      const e = entries.get(k);
      entries.delete(k);
      return e !== undefined && e.expiresAt > now();
    },
  };
}
