/**
 * @module cache/store — the response cache's storage seam (▶ Redis | bounded in-memory LRU). Values are opaque
 * strings (the stage stores JSON); every entry lives in its tenant's namespace and carries the tags that
 * purges select on. Locks are the cross-process half of request coalescing. A Redis store rejects with
 * RedisUnavailableError when Redis fails; the stage then degrades.
 */
import type { CacheStatus } from './types.ts';

export interface EntryTags {
  /** `legal@3` or `base`. */
  adapter: string;
  /** Knowledge collections the answer was retrieved from. */
  collections: string[];
}

export interface PurgeFilter {
  tenant?: string;
  /** An adapter name (every version) or one version (`legal@3`), or `base`. */
  adapter?: string;
  collection?: string;
}

export interface TenantCacheStats {
  hits: number;
  misses: number;
  bypass: number;
  coalesced: number;
  entries: number;
  bytes: number;
}

export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  /** False while the backend is known to be unreachable; the stage then skips it without waiting. */
  readonly available: boolean;
  get(tenant: string, hash: string): Promise<string | null>;
  set(tenant: string, hash: string, value: string, tags: EntryTags, ttlMs: number): Promise<void>;
  /** Deletes every entry matching all given filters (none given: everything); returns how many. */
  purge(filter: PurgeFilter): Promise<number>;
  stats(): Promise<Record<string, TenantCacheStats>>;
  /** Counts a lookup outcome for stats; never throws, never waits. */
  count(tenant: string, status: CacheStatus): void;
  /** Takes the coalescing lock for one key if nobody holds it. */
  tryLock(tenant: string, hash: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the lock while its holder is still working; false when it is no longer held by `token`. */
  renewLock(tenant: string, hash: string, token: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock if `token` still holds it. */
  unlock(tenant: string, hash: string, token: string): Promise<void>;
  /** The entry, and whether someone holds the lock: what a coalescing follower polls. */
  peek(tenant: string, hash: string): Promise<{ value: string | null; locked: boolean }>;
  close?(): Promise<void>;
}

export function emptyStats(): TenantCacheStats {
  return { hits: 0, misses: 0, bypass: 0, coalesced: 0, entries: 0, bytes: 0 };
}

export const statField: Record<CacheStatus, keyof TenantCacheStats> = {
  hit: 'hits',
  miss: 'misses',
  bypass: 'bypass',
  coalesced: 'coalesced',
};

/** Whether an entry of `tenant` with `tags` is selected by `filter`; an adapter name selects all its versions. */
export function matchesPurge(tenant: string, tags: EntryTags, filter: PurgeFilter): boolean {
  if (filter.tenant !== undefined && filter.tenant !== tenant) return false;
  if (filter.adapter !== undefined && tags.adapter !== filter.adapter && !tags.adapter.startsWith(`${filter.adapter}@`))
    return false;
  if (filter.collection !== undefined && !tags.collections.includes(filter.collection)) return false;
  return true;
}
