/** @module usage/memory-ledger — the usage ledger in this process (no Redis, or Redis down until it returns). */
import type { UsageRecord } from './ledger.ts';
import {
  countsOf,
  hourStart,
  RETENTION_MS,
  rowMatches,
  sortRows,
  type UsageCounts,
  type UsageLedgerStore,
  type UsageRow,
} from './ledger.ts';

export interface MemoryLedger extends UsageLedgerStore {
  /** Takes every bucket out (for a flush to Redis). */
  drain(): UsageRow[];
  /** Adds counts to a row's bucket (puts back a flush that failed). */
  addRow(row: UsageRow): void;
  readonly size: number;
}

export function createMemoryLedger(now: () => number = Date.now): MemoryLedger {
  // hour start → JSON [tenant, adapter, key] → counts
  const buckets = new Map<number, Map<string, UsageCounts>>();

  function add(hour: number, id: string, c: UsageCounts): void {
    let bucket = buckets.get(hour);
    if (!bucket) {
      bucket = new Map();
      buckets.set(hour, bucket);
      for (const h of buckets.keys()) if (h < now() - RETENTION_MS) buckets.delete(h);
    }
    const acc = bucket.get(id) ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    acc.requests += c.requests;
    acc.prompt_tokens += c.prompt_tokens;
    acc.completion_tokens += c.completion_tokens;
    acc.total_tokens += c.total_tokens;
    bucket.set(id, acc);
  }

  function rows(): UsageRow[] {
    const out: UsageRow[] = [];
    for (const [hour, bucket] of buckets) {
      for (const [id, c] of bucket) {
        const [tenant, adapter, key] = JSON.parse(id) as string[];
        out.push({ hour: new Date(hour).toISOString(), tenant, adapter, key, ...c });
      }
    }
    return out;
  }

  return {
    record(r: UsageRecord) {
      add(hourStart(now()), JSON.stringify([r.tenantId, r.adapter, r.keyName]), countsOf(r));
    },
    async query(f) {
      const from = hourStart(f.from.getTime());
      const to = f.to.getTime();
      return sortRows(rows().filter((r) => Date.parse(r.hour) >= from && Date.parse(r.hour) <= to && rowMatches(r, f)));
    },
    addRow(row) {
      const { hour, tenant, adapter, key, ...counts } = row;
      add(Date.parse(hour), JSON.stringify([tenant, adapter, key]), counts);
    },
    drain() {
      const out = rows();
      buckets.clear();
      return out;
    },
    get size() {
      return buckets.size;
    },
  };
}
