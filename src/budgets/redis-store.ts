/**
 * @module budgets/redis-store — the budget store shared by every gateway replica. One Lua script per reserve
 * and one per adjust, so that a decision over all of a request's lines (tenant and key, each period) is atomic
 * across replicas and costs one round trip. Keys (P = `redis.key_prefix`): `Pbudget:<id>` the counter (an
 * integer, expiring after its period) and `Pbudget:<id>:limit` an admin override of the limit.
 */
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import type { BudgetStore, CounterState } from './store.ts';

// KEYS: counter_1, override_1, counter_2, override_2, … ARGV: limit_i, amount_i, expireAtMs_i per line.
// Reply: {allowed (0|1), refused index (1-based, 0 = none), used_before_1, limit_1, used_before_2, limit_2, …}.
const reserveScript = luaScript(`
local n = #ARGV / 3
local used, limits = {}, {}
local refused = 0
for i = 1, n do
  used[i] = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  limits[i] = tonumber(redis.call('GET', KEYS[2 * i]) or ARGV[3 * i - 2])
  if refused == 0 and used[i] + tonumber(ARGV[3 * i - 1]) > limits[i] then refused = i end
end
local out = {refused == 0 and 1 or 0, refused}
for i = 1, n do
  if refused == 0 then
    redis.call('INCRBY', KEYS[2 * i - 1], ARGV[3 * i - 1])
    redis.call('PEXPIREAT', KEYS[2 * i - 1], ARGV[3 * i])
  end
  out[#out + 1] = used[i]
  out[#out + 1] = limits[i]
end
return out
`);

// KEYS: counter_i. ARGV: delta_i, expireAtMs_i. Reply: before_1, after_1, … (never below 0).
const adjustScript = luaScript(`
local out = {}
for i = 1, #KEYS do
  local before = tonumber(redis.call('GET', KEYS[i]) or '0')
  local after = before + tonumber(ARGV[2 * i - 1])
  if after < 0 then after = 0 end
  redis.call('SET', KEYS[i], after)
  redis.call('PEXPIREAT', KEYS[i], ARGV[2 * i])
  out[#out + 1] = before
  out[#out + 1] = after
end
return out
`);

export function createRedisBudgetStore(redis: RedisConnection): BudgetStore {
  const counter = (id: string) => `${redis.prefix}budget:${id}`;
  const override = (id: string) => `${redis.prefix}budget:${id}:limit`;
  const int = (n: number) => String(Math.round(n));

  return {
    async reserve(lines) {
      const keys = lines.flatMap((l) => [counter(l.id), override(l.id)]);
      const args = lines.flatMap((l) => [int(l.limit), int(l.amount), int(l.expireAtMs)]);
      const reply = (await redis.run((c) => runScript(c, reserveScript, keys, args))) as number[];
      const allowed = reply[0] === 1;
      const before = lines.map((_, i) => Number(reply[2 + 2 * i]));
      const limits = lines.map((_, i) => Number(reply[3 + 2 * i]));
      return {
        allowed,
        refused: reply[1] - 1,
        before,
        after: lines.map((l, i) => ({ used: before[i] + (allowed ? Math.round(l.amount) : 0), limit: limits[i] })),
      };
    },
    async adjust(lines) {
      if (lines.length === 0) return [];
      const keys = lines.map((l) => counter(l.id));
      const args = lines.flatMap((l) => [int(l.delta), int(l.expireAtMs)]);
      const reply = (await redis.run((c) => runScript(c, adjustScript, keys, args))) as number[];
      return lines.map((_, i) => ({ before: Number(reply[2 * i]), after: Number(reply[2 * i + 1]) }));
    },
    async read(ids): Promise<CounterState[]> {
      if (ids.length === 0) return [];
      const values = await redis.run((c) => c.mget(...ids.flatMap((id) => [counter(id), override(id)])));
      return ids.map((_, i) => ({
        used: Number(values[2 * i] ?? 0),
        override: values[2 * i + 1] == null ? null : Number(values[2 * i + 1]),
      }));
    },
    async setOverride(id, limit, expireAtMs) {
      await redis.run(
        (c): Promise<unknown> =>
          limit === null ? c.del(override(id)) : c.set(override(id), int(limit), 'PXAT', Math.round(expireAtMs)),
      );
    },
    async reset(id) {
      await redis.run((c) => c.del(counter(id)));
    },
  };
}
