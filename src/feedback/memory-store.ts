/**
 * @module feedback/memory-store — the FeedbackStore of one process: served requests in an LRU of
 * `maxServed` entries (an LruMap: O(1) eviction), one feedback per id, aggregates kept incrementally.
 */

import { LruMap } from '../collections/lru-map.ts';
import {
  type FeedbackAggregate,
  type FeedbackEntry,
  type FeedbackStore,
  type ServedRecord,
  sortAggregates,
} from './types.ts';

export function createMemoryFeedbackStore(options: { maxServed?: number; maxEntries?: number } = {}): FeedbackStore {
  const maxServed = options.maxServed ?? 100_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const served = new LruMap<string, ServedRecord>();
  const entries = new LruMap<string, FeedbackEntry>();
  const sums = new Map<string, FeedbackAggregate>();
  const aggKey = (e: { tenant: string; adapter: string; strategy: string }) =>
    JSON.stringify([e.tenant, e.adapter, e.strategy]);
  const add = (e: FeedbackEntry, sign: 1 | -1) => {
    const k = aggKey(e);
    const a = sums.get(k) ?? {
      tenant: e.tenant,
      adapter: e.adapter,
      strategy: e.strategy,
      count: 0,
      sum: 0,
      sum_squares: 0,
      mean: 0,
    };
    a.count += sign;
    a.sum += sign * e.score;
    a.sum_squares += sign * e.score * e.score;
    if (a.count <= 0) sums.delete(k);
    else sums.set(k, a);
  };
  return {
    async rememberServed(r) {
      served.set(r.id, r);
      if (served.size > maxServed) served.shift();
    },
    async served(id) {
      return served.get(id) ?? null;
    },
    async submit(e) {
      const key = `${e.tenant}\u0000${e.id}`;
      const old = entries.get(key);
      if (old) add(old, -1);
      entries.set(key, e);
      add(e, 1);
      // The oldest entries leave the store, but their scores stay in the aggregates.
      if (entries.size > maxEntries) entries.shift();
    },
    async aggregates(tenant) {
      return sortAggregates(
        [...sums.values()].filter((a) => !tenant || a.tenant === tenant).map((a) => ({ ...a, mean: a.sum / a.count })),
      );
    },
  };
}
