/**
 * @module budgets/memory-store — the budget store in this process: alone without Redis, and the fallback of a
 * tenant with `on_store_failure: open` while Redis is down (then each gateway counts only what it saw).
 */
import type { BudgetStore, CounterState, ReserveResult } from './store.ts';

interface Entry {
  value: number;
  expireAtMs: number;
}

export function createMemoryBudgetStore(now: () => number = Date.now): BudgetStore {
  const counters = new Map<string, Entry>();
  const overrides = new Map<string, Entry>();

  function get(map: Map<string, Entry>, id: string): Entry | undefined {
    const e = map.get(id);
    if (e && e.expireAtMs <= now()) {
      map.delete(id);
      return undefined;
    }
    return e;
  }
  const used = (id: string) => get(counters, id)?.value ?? 0;
  const set = (id: string, value: number, expireAtMs: number) => counters.set(id, { value, expireAtMs });

  return {
    async reserve(lines): Promise<ReserveResult> {
      const before = lines.map((l) => used(l.id));
      const limits = lines.map((l) => get(overrides, l.id)?.value ?? l.limit);
      const refused = lines.findIndex((l, i) => before[i] + l.amount > limits[i]);
      if (refused >= 0) {
        return { allowed: false, refused, before, after: before.map((u, i) => ({ used: u, limit: limits[i] })) };
      }
      lines.forEach((l, i) => {
        set(l.id, before[i] + l.amount, l.expireAtMs);
      });
      return {
        allowed: true,
        refused: -1,
        before,
        after: lines.map((l, i) => ({ used: before[i] + l.amount, limit: limits[i] })),
      };
    },
    async adjust(lines) {
      return lines.map((l) => {
        const before = used(l.id);
        const after = Math.max(0, before + l.delta);
        set(l.id, after, Math.max(l.expireAtMs, get(counters, l.id)?.expireAtMs ?? 0));
        return { before, after };
      });
    },
    async read(ids): Promise<CounterState[]> {
      return ids.map((id) => ({ used: used(id), override: get(overrides, id)?.value ?? null }));
    },
    async setOverride(id, limit, expireAtMs) {
      if (limit === null) overrides.delete(id);
      else overrides.set(id, { value: limit, expireAtMs });
    },
    async reset(id) {
      counters.delete(id);
    },
  };
}
