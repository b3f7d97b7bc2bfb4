/**
 * @module usage/redis-ledger — the usage ledger in Redis, shared by all gateway replicas: one hash per UTC hour,
 * `Pusage:<YYYYMMDDHH>`, fields `["tenant","adapter","key","r"|"p"|"c"|"t"]` incremented with HINCRBY, kept
 * 90 days. Records are summed in a memory ledger and written every `flushMs` (default 200 ms) — one EVALSHA
 * per (hour, tenant, adapter, key) instead of one per request, as LiteLLM batches its spend updates; while Redis
 * is down they stay there until it answers again. Queries flush first and add what is still waiting, and
 * `close()` flushes, so a gateway that stops loses nothing; a killed one loses at most the last `flushMs`.
 */

import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import type { UsageRecord } from './ledger.ts';
import {
  HOUR_MS,
  hourStart,
  RETENTION_MS,
  rowMatches,
  sortRows,
  type UsageCounts,
  type UsageLedgerStore,
  type UsageRow,
} from './ledger.ts';
import { createMemoryLedger } from './memory-ledger.ts';

const METRICS = { r: 'requests', p: 'prompt_tokens', c: 'completion_tokens', t: 'total_tokens' } as const;
type Metric = keyof typeof METRICS;

/**
 * One record's increments and the bucket's expiry, atomically (all or nothing, like MULTI) but as a single
 * EVALSHA, so it joins the same auto-pipelined write as the request's other Redis commands (a MULTI is sent
 * on its own). ARGV: expire-at ms, then field/increment pairs.
 */
const RECORD = luaScript(`
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
`);

function bucketKey(prefix: string, hour: number): string {
  return `${prefix}usage:${new Date(hour).toISOString().slice(0, 13).replace(/[-T]/g, '')}`;
}

export function createRedisLedger(
  redis: RedisConnection,
  now: () => number = Date.now,
  options: { flushMs?: number } = {},
): UsageLedgerStore & { flush(): Promise<void> } {
  const flushMs = options.flushMs ?? 200;
  const pending = createMemoryLedger(now);
  let flushing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function write(hour: number, tenant: string, adapter: string, key: string, c: UsageCounts): Promise<void> {
    const k = bucketKey(redis.prefix, hour);
    const args: (string | number)[] = [hour + RETENTION_MS];
    for (const [short, long] of Object.entries(METRICS)) {
      if (c[long] !== 0 || short === 'r') args.push(JSON.stringify([tenant, adapter, key, short]), c[long]);
    }
    await redis.run((client) => runScript(client, RECORD, [k], args));
  }

  async function flush(): Promise<void> {
    if (flushing || pending.size === 0 || !redis.healthy) return flushing ?? undefined;
    flushing = (async () => {
      // Issued together: they leave in one auto-pipelined write. A row that failed goes back to wait.
      await Promise.all(
        pending.drain().map(async (row) => {
          const { hour, tenant, adapter, key, ...counts } = row;
          try {
            await write(Date.parse(hour), tenant, adapter, key, counts);
          } catch {
            pending.addRow(row);
          }
        }),
      );
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      // Rows that could not be written (Redis down) are tried again a period later.
      void flush().then(() => {
        if (pending.size > 0) schedule();
      });
    }, flushMs);
    timer.unref();
  }

  return {
    record(r: UsageRecord) {
      pending.record(r);
      schedule();
    },
    async query(f) {
      await flush().catch(() => {});
      const rows = new Map<string, UsageRow>();
      // Only buckets that can exist: none before the retention window, none in the future (to=2030 asked for
      // 35,000 HGETALLs). At most 90 days × 24 = 2,160 buckets.
      const first = Math.max(hourStart(f.from.getTime()), hourStart(now() - RETENTION_MS));
      const last = Math.min(f.to.getTime(), now());
      const hours: number[] = [];
      for (let h = first; h <= last; h += HOUR_MS) hours.push(h);
      const results = await redis.run((c) => {
        const p = c.pipeline();
        for (const h of hours) p.hgetall(bucketKey(redis.prefix, h));
        return p.exec();
      });
      hours.forEach((h, i) => {
        const [err, fields] = results?.[i] ?? [null, {}];
        if (err) throw err;
        for (const [field, value] of Object.entries(fields as Record<string, string>)) {
          const [tenant, adapter, key, metric] = JSON.parse(field) as [string, string, string, Metric];
          if (!rowMatches({ tenant, adapter, key }, f)) continue;
          const hour = new Date(h).toISOString();
          const id = JSON.stringify([hour, tenant, adapter, key]);
          const row = rows.get(id) ?? {
            hour,
            tenant,
            adapter,
            key,
            requests: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            total_tokens: 0,
          };
          row[METRICS[metric]] += Number(value);
          rows.set(id, row);
        }
      });
      // Records still waiting for Redis.
      for (const p of await pending.query(f)) {
        const id = JSON.stringify([p.hour, p.tenant, p.adapter, p.key]);
        const row = rows.get(id);
        if (!row) rows.set(id, p);
        else for (const m of Object.values(METRICS)) row[m] += p[m];
      }
      return sortRows([...rows.values()]);
    },
    flush,
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush().catch(() => {});
    },
  };
}
