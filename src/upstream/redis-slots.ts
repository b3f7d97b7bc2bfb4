/**
 * @module upstream/redis-slots — the slot ledger shared by every gateway through Redis. One hash per replica
 * (by URL) counts requests in flight per `gateway|adapter`; a sorted set holds each gateway's last heartbeat,
 * so the counts of a gateway that died stop counting after `ttlMs` (and are swept by the next claim). `claim`
 * is one Lua script: it reads every candidate's live counts, applies design.md's affinity rule (the adapter
 * already running there with the slots it needs; else room for one more distinct adapter, registered first;
 * least loaded among equals), and increments the chosen count — so two gateways can never both take a
 * replica's last `--max-loras` slot. When Redis is down, claims answer null and the gateway decides from its
 * own counters (as with one gateway); a +1/−1 that could not be written is lost, which only costs affinity.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import type { SlotCandidate, SlotLedger } from './slot-ledger.ts';

// KEYS[1] = gateways zset, KEYS[2..] = one hash per candidate.
// ARGV: now, ttl, me, adapter, then per candidate: maxLoras, registered (0/1), localLoad.
const claim = luaScript(`
local now, ttl, me, adapter = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
redis.call('ZADD', KEYS[1], now, me)
local best, bestTier, bestLoad = nil, 99, 0
for i = 2, #KEYS do
  local base = 5 + (i - 2) * 3
  local maxLoras, registered, localLoad = tonumber(ARGV[base]), ARGV[base + 1] == '1', tonumber(ARGV[base + 2])
  local fields = redis.call('HGETALL', KEYS[i])
  local busy, distinct, load, mine = {}, 0, localLoad, false
  for j = 1, #fields, 2 do
    local field, n = fields[j], tonumber(fields[j + 1])
    local sep = string.find(field, '|', 1, true)
    local gw, a = string.sub(field, 1, sep - 1), string.sub(field, sep + 1)
    local seen = redis.call('ZSCORE', KEYS[1], gw)
    if (not seen) or tonumber(seen) < now - ttl or n <= 0 then
      redis.call('HDEL', KEYS[i], field)
    else
      if gw ~= me then load = load + n end
      if not busy[a] then busy[a] = true; distinct = distinct + 1 end
    end
  end
  local tier = 99
  if busy[adapter] and distinct <= maxLoras then tier = 1
  elseif distinct < maxLoras and registered then tier = 2
  elseif distinct < maxLoras then tier = 3 end
  if tier < bestTier or (tier == bestTier and load < bestLoad) then best, bestTier, bestLoad = i, tier, load end
end
if best == nil or bestTier == 99 then return nil end
redis.call('HINCRBY', KEYS[best], me .. '|' .. adapter, 1)
redis.call('PEXPIRE', KEYS[best], ttl * 10)
return best - 2
`);

const add = luaScript(`
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], tonumber(ARGV[2]))
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3])) end
return n
`);

export interface RedisSlotsOptions {
  /** A gateway whose heartbeat is older than this no longer counts (default 10 s). */
  ttlMs?: number;
  /** This gateway's name in the ledger (default: a random id per process). */
  gatewayId?: string;
}

export function createRedisSlots(
  redis: RedisConnection,
  options: RedisSlotsOptions = {},
): SlotLedger & { close(): Promise<void> } {
  const ttlMs = options.ttlMs ?? 10_000;
  const me = options.gatewayId ?? randomUUID();
  const gateways = `${redis.prefix}slots:gateways`;
  const hashOf = (url: string) => `${redis.prefix}slots:${url}`;
  const beat = () => redis.run((c) => c.zadd(gateways, Date.now(), me)).catch(() => {});
  const heartbeat = setInterval(beat, Math.max(100, Math.floor(ttlMs / 3)));
  heartbeat.unref();
  void beat();

  return {
    shared: true,
    async claim(candidates: SlotCandidate[], adapter: string): Promise<string | null> {
      const args: (string | number)[] = [Date.now(), ttlMs, me, adapter];
      for (const c of candidates) args.push(c.maxLoras, c.registered ? 1 : 0, c.load);
      try {
        const index = await redis.run((c) =>
          runScript(c, claim, [gateways, ...candidates.map((x) => hashOf(x.url))], args),
        );
        return typeof index === 'number' ? (candidates[index]?.url ?? null) : null;
      } catch {
        return null;
      }
    },
    add(url, adapter, delta) {
      void redis.run((c) => runScript(c, add, [hashOf(url)], [`${me}|${adapter}`, delta, ttlMs * 10])).catch(() => {});
    },
    async close() {
      clearInterval(heartbeat);
      // Leaving: the others stop counting this gateway's requests at once.
      await redis.run((c) => c.zrem(gateways, me)).catch(() => {});
    },
  };
}
