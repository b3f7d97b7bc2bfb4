/**
 * @module cache/memory-store — the in-process CacheStore: an LRU bounded in entries and in bytes (an LruMap:
 * a read touches). Expired entries are dropped when read or when space is needed.
 */
import { LruMap } from '../collections/lru-map.ts';
import {
  type CacheStore,
  type EntryTags,
  emptyStats,
  matchesPurge,
  type PurgeFilter,
  statField,
  type TenantCacheStats,
} from './store.ts';

interface Entry {
  tenant: string;
  value: string;
  bytes: number;
  tags: EntryTags;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
}

export function createMemoryStore(options: MemoryStoreOptions): CacheStore {
  const now = options.now ?? Date.now;
  const entries = new LruMap<string, Entry>();
  const locks = new Map<string, { token: string; expiresAt: number }>();
  const counters = new Map<string, TenantCacheStats>();
  let bytes = 0;

  const id = (tenant: string, hash: string) => `${tenant}:${hash}`;
  function drop(key: string): void {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= e.bytes;
  }
  function live(key: string): Entry | undefined {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      drop(key);
      return undefined;
    }
    return e;
  }
  function lockHeld(key: string): { token: string; expiresAt: number } | undefined {
    const l = locks.get(key);
    if (l && l.expiresAt <= now()) {
      locks.delete(key);
      return undefined;
    }
    return l;
  }

  return {
    kind: 'memory',
    available: true,
    async get(tenant, hash) {
      const key = id(tenant, hash);
      const e = live(key);
      if (!e) return null;
      entries.touch(key);
      return e.value;
    },
    async set(tenant, hash, value, tags, ttlMs) {
      const key = id(tenant, hash);
      drop(key);
      const size = Buffer.byteLength(value);
      if (size > options.maxBytes) return;
      entries.set(key, {
        tenant,
        value,
        bytes: size,
        tags: { adapter: tags.adapter, collections: [...tags.collections] },
        expiresAt: now() + ttlMs,
      });
      bytes += size;
      while (entries.size > 0 && (entries.size > options.maxEntries || bytes > options.maxBytes)) {
        drop(entries.oldestKey()!);
      }
    },
    async purge(filter: PurgeFilter) {
      let n = 0;
      for (const [key, e] of [...entries]) {
        if (!matchesPurge(e.tenant, e.tags, filter)) continue;
        if (e.expiresAt > now()) n++;
        drop(key);
      }
      return n;
    },
    async stats() {
      const out: Record<string, TenantCacheStats> = {};
      for (const [tenant, c] of counters) out[tenant] = { ...c };
      for (const key of [...entries.keys()]) {
        const e = live(key);
        if (!e) continue;
        out[e.tenant] ??= emptyStats();
        const s = out[e.tenant];
        s.entries++;
        s.bytes += e.bytes;
      }
      return out;
    },
    count(tenant, status) {
      const c = counters.get(tenant) ?? emptyStats();
      counters.set(tenant, c);
      c[statField[status]]++;
    },
    async tryLock(tenant, hash, token, ttlMs) {
      const key = id(tenant, hash);
      if (lockHeld(key)) return false;
      locks.set(key, { token, expiresAt: now() + ttlMs });
      return true;
    },
    async renewLock(tenant, hash, token, ttlMs) {
      const l = lockHeld(id(tenant, hash));
      if (!l || l.token !== token) return false;
      l.expiresAt = now() + ttlMs;
      return true;
    },
    async unlock(tenant, hash, token) {
      const key = id(tenant, hash);
      if (lockHeld(key)?.token === token) locks.delete(key);
    },
    async peek(tenant, hash) {
      const e = live(id(tenant, hash));
      return { value: e?.value ?? null, locked: lockHeld(id(tenant, hash)) !== undefined };
    },
  };
}
