/**
 * @module feedback/redis-store — the FeedbackStore shared by gateway replicas: `Pfb:served:<id>` (JSON, with a
 * TTL), `Pfb:entry:<tenant>:<id>` (the score, with the same TTL) and one hash of aggregates per tenant
 * `Pfb:agg:<tenant>` with fields `["adapter","strategy","n"|"s"|"q"]`, updated by one Lua script so a
 * replaced score is subtracted atomically; `Pfb:tenants` lists the tenants that have aggregates.
 */
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import { type FeedbackAggregate, type FeedbackStore, sortAggregates } from './types.ts';

// KEYS: entry, agg, tenants. ARGV: tenant, adapter, strategy, score, ttl_s, entry JSON.
const SUBMIT = luaScript(`
local old = redis.call('GET', KEYS[1])
if old then
  local e = cjson.decode(old)
  local f = cjson.encode({e.adapter, e.strategy})
  f = string.sub(f, 1, -2)
  redis.call('HINCRBY', KEYS[2], f .. ',"n"]', -1)
  redis.call('HINCRBYFLOAT', KEYS[2], f .. ',"s"]', -e.score)
  redis.call('HINCRBYFLOAT', KEYS[2], f .. ',"q"]', -(e.score * e.score))
end
local f = string.sub(cjson.encode({ARGV[2], ARGV[3]}), 1, -2)
local score = tonumber(ARGV[4])
redis.call('HINCRBY', KEYS[2], f .. ',"n"]', 1)
redis.call('HINCRBYFLOAT', KEYS[2], f .. ',"s"]', score)
redis.call('HINCRBYFLOAT', KEYS[2], f .. ',"q"]', score * score)
redis.call('SET', KEYS[1], ARGV[6], 'EX', tonumber(ARGV[5]))
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`);

export function createRedisFeedbackStore(redis: RedisConnection, options: { ttlSeconds?: number } = {}): FeedbackStore {
  const ttl = options.ttlSeconds ?? 30 * 86_400;
  const p = `${redis.prefix}fb:`;
  return {
    async rememberServed(r) {
      await redis.run((c) => c.set(`${p}served:${r.id}`, JSON.stringify(r), 'EX', ttl));
    },
    async served(id) {
      const raw = await redis.run((c) => c.get(`${p}served:${id}`));
      return raw ? JSON.parse(raw) : null;
    },
    async submit(e) {
      await redis.run((c) =>
        runScript(
          c,
          SUBMIT,
          [`${p}entry:${e.tenant}:${e.id}`, `${p}agg:${e.tenant}`, `${p}tenants`],
          [e.tenant, e.adapter, e.strategy, e.score, ttl, JSON.stringify(e)],
        ),
      );
    },
    async aggregates(tenant) {
      const tenants = tenant ? [tenant] : await redis.run((c) => c.smembers(`${p}tenants`));
      const out: FeedbackAggregate[] = [];
      for (const t of tenants) {
        const hash = await redis.run((c) => c.hgetall(`${p}agg:${t}`));
        const rows = new Map<string, FeedbackAggregate>();
        for (const [field, value] of Object.entries(hash)) {
          const [adapter, strategy, m] = JSON.parse(field) as [string, string, 'n' | 's' | 'q'];
          const k = JSON.stringify([adapter, strategy]);
          const row = rows.get(k) ?? { tenant: t, adapter, strategy, count: 0, sum: 0, sum_squares: 0, mean: 0 };
          if (m === 'n') row.count = Number(value);
          else if (m === 's') row.sum = Number(value);
          else row.sum_squares = Number(value);
          rows.set(k, row);
        }
        for (const row of rows.values()) if (row.count > 0) out.push({ ...row, mean: row.sum / row.count });
      }
      return sortAggregates(out);
    },
  };
}
