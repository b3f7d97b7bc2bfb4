/**
 * @module limits/redis-limiter — the LimiterBackend shared by all gateway replicas: one Lua script per admit and
 * one per settle, so each decision is atomic and costs one round trip. Keys (P = `redis.key_prefix`):
 * `Plimits:<tenant>:requests` and `Plimits:<tenant>:tokens` hashes `{start, used}` that expire with their
 * window; `Plimits:<tenant>:concurrent` a sorted set of request ids by start time (stale ids reclaimed).
 */
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import { type LimiterBackend, type LimitKind, STALE_SLOT_MS, WINDOW_MS } from './limiter.ts';

const NOW = `local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

// KEYS: requests, tokens, concurrent. ARGV: rpm, tpm, concurrent, estimate, windowMs, requestId, staleMs.
const admitScript = luaScript(`
${NOW}
local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local estimate, windowMs, staleMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7])
local function window(key)
  local v = redis.call('HMGET', key, 'start', 'used')
  if not v[1] then return false, 0, windowMs end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then ttl = windowMs end
  return v[1], tonumber(v[2]) or 0, ttl
end
local function charge(key, start, n)
  if start then redis.call('HINCRBY', key, 'used', n); return start end
  redis.call('HSET', key, 'start', tostring(now), 'used', n)
  redis.call('PEXPIRE', key, windowMs)
  return tostring(now)
end
local inUse = 0
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - staleMs)
  inUse = redis.call('ZCARD', KEYS[3])
end
local rStart, rUsed, rTtl = window(KEYS[1])
local tStart, tUsed, tTtl = window(KEYS[2])
local cost = estimate
local refused, retry = '', 0
if conc > 0 and inUse >= conc then refused, retry = 'concurrent', 1000
elseif rpm > 0 and rUsed + 1 > rpm then refused, retry = 'requests', rTtl
elseif tpm > 0 and (cost > tpm or tUsed + cost > tpm) then refused, retry = 'tokens', tTtl
end
if refused ~= '' then return {refused, rUsed, rTtl, tUsed, tTtl, retry, 0, '', inUse} end
if rpm > 0 then rStart = charge(KEYS[1], rStart, 1); rUsed = rUsed + 1 end
local charged = 0
if tpm > 0 then tStart = charge(KEYS[2], tStart, cost); tUsed = tUsed + cost; charged = cost end
if conc > 0 then
  redis.call('ZADD', KEYS[3], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[3], staleMs)
  inUse = inUse + 1
end
return {'', rUsed, rTtl, tUsed, tTtl, 0, charged, tStart or '', inUse}
`);

// KEYS: tokens, concurrent. ARGV: requestId, tokenWindow, delta ('' = no correction), windowMs.
const settleScript = luaScript(`
${NOW}
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] == '' then return 0 end
local delta = tonumber(ARGV[3])
if delta == 0 then return 0 end
local start = redis.call('HGET', KEYS[1], 'start')
if start and start == ARGV[2] then
  if redis.call('HINCRBY', KEYS[1], 'used', delta) < 0 then redis.call('HSET', KEYS[1], 'used', 0) end
elseif delta > 0 then
  if start then redis.call('HINCRBY', KEYS[1], 'used', delta)
  else
    redis.call('HSET', KEYS[1], 'start', tostring(now), 'used', delta)
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
  end
end
return 0
`);

export function createRedisLimiter(redis: RedisConnection): LimiterBackend {
  const keys = (tenant: string) => {
    const p = `${redis.prefix}limits:${tenant}:`;
    return [`${p}requests`, `${p}tokens`, `${p}concurrent`];
  };
  return {
    async admit(tenant, limits, estimate, requestId) {
      const args = [
        limits.requestsPerMinute ?? 0,
        limits.tokensPerMinute ?? 0,
        limits.concurrent ?? 0,
        Math.max(0, Math.round(estimate)),
        WINDOW_MS,
        requestId,
        STALE_SLOT_MS,
      ];
      const r = (await redis.run((c) => runScript(c, admitScript, keys(tenant), args))) as [
        string,
        number,
        number,
        number,
        number,
        number,
        number,
        string,
        number,
      ];
      return {
        allowed: r[0] === '',
        refusedBy: r[0] === '' ? null : (r[0] as LimitKind),
        usedRequests: r[1],
        resetRequestsMs: r[2],
        usedTokens: r[3],
        resetTokensMs: r[4],
        retryAfterMs: r[5],
        charged: r[6],
        tokenWindow: r[7],
        concurrentInUse: r[8],
      };
    },
    async settle(tenant, limits, input) {
      const [, tokens, concurrent] = keys(tenant);
      const delta =
        limits.tokensPerMinute && input.actualTokens !== null ? String(input.actualTokens - input.charged) : '';
      await redis.run((c) =>
        runScript(c, settleScript, [tokens, concurrent], [input.requestId, input.tokenWindow, delta, WINDOW_MS]),
      );
    },
  };
}
