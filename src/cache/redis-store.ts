/**
 * @module cache/redis-store — the CacheStore on Redis, shared by every gateway replica.
 *
 * Keys (P = `redis.key_prefix`): `Pcache:<tenant>:<hash>` the entry (PX = TTL); `Pcache:<tenant>:index` a hash
 * of entry hash → `{"b":bytes,"a":adapter,"c":[collections]}` that purges and stats walk (fields whose entry
 * expired are dropped on the way); `Pcache:<tenant>:lock:<hash>` the coalescing lock; `Pcache:<tenant>:stats`
 * hit/miss counters; `Pcache:tenants` the tenants that ever stored.
 */
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import { type CacheStore, emptyStats, type PurgeFilter, statField, type TenantCacheStats } from './store.ts';

// Walks one tenant's index: drops fields whose entry is gone; with mode `purge` deletes matching entries.
// ARGV: mode, entry key prefix, adapter filter ('' = any), collection filter ('' = any). Returns {entries, bytes, purged}.
const walkIndex = luaScript(`
local fields = redis.call('HGETALL', KEYS[1])
local mode, prefix, adapter, collection = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local entries, bytes, purged = 0, 0, 0
for i = 1, #fields, 2 do
  local hash, meta = fields[i], cjson.decode(fields[i + 1])
  local key = prefix .. hash
  if redis.call('EXISTS', key) == 0 then
    redis.call('HDEL', KEYS[1], hash)
  else
    local match = mode == 'purge'
    if match and adapter ~= '' and meta.a ~= adapter and string.sub(meta.a, 1, #adapter + 1) ~= adapter .. '@' then match = false end
    if match and collection ~= '' then
      local found = false
      for _, c in ipairs(meta.c) do if c == collection then found = true end end
      match = found
    end
    if match then
      redis.call('DEL', key)
      redis.call('HDEL', KEYS[1], hash)
      purged = purged + 1
    else
      entries = entries + 1
      bytes = bytes + meta.b
    end
  end
end
return {entries, bytes, purged}
`);

const renew = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
const release = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Every this many writes a process tidies the writing tenant's index (drops fields of expired entries). */
const TIDY_EVERY = 512;

export function createRedisStore(redis: RedisConnection): CacheStore {
  const p = `${redis.prefix}cache:`;
  const entryKey = (tenant: string, hash: string) => `${p}${tenant}:${hash}`;
  const indexKey = (tenant: string) => `${p}${tenant}:index`;
  const lockKey = (tenant: string, hash: string) => `${p}${tenant}:lock:${hash}`;
  const statsKey = (tenant: string) => `${p}${tenant}:stats`;
  const tenantsKey = `${p}tenants`;
  /** When this process last added each tenant to the tenants set (stats count). */
  const announced = new Map<string, number>();
  let writes = 0;

  async function walk(tenant: string, mode: 'stats' | 'purge', filter: PurgeFilter = {}): Promise<number[]> {
    return (await redis.run((c) =>
      runScript(
        c,
        walkIndex,
        [indexKey(tenant)],
        [mode, `${p}${tenant}:`, filter.adapter ?? '', filter.collection ?? ''],
      ),
    )) as number[];
  }

  return {
    kind: 'redis',
    get available() {
      return redis.healthy;
    },
    get(tenant, hash) {
      return redis.run((c) => c.get(entryKey(tenant, hash)));
    },
    async set(tenant, hash, value, tags, ttlMs) {
      const meta = JSON.stringify({ b: Buffer.byteLength(value), a: tags.adapter, c: tags.collections });
      await redis.run((c) =>
        c
          .multi()
          .set(entryKey(tenant, hash), value, 'PX', ttlMs)
          .hset(indexKey(tenant), hash, meta)
          .sadd(tenantsKey, tenant)
          .exec(),
      );
      if (++writes % TIDY_EVERY === 0) walk(tenant, 'stats').catch(() => {});
    },
    async purge(filter) {
      const tenants = filter.tenant !== undefined ? [filter.tenant] : await redis.run((c) => c.smembers(tenantsKey));
      let n = 0;
      for (const t of tenants) n += (await walk(t, 'purge', filter))[2];
      return n;
    },
    async stats() {
      const out: Record<string, TenantCacheStats> = {};
      for (const t of await redis.run((c) => c.smembers(tenantsKey))) {
        const [entries, bytes] = await walk(t, 'stats');
        const counts = await redis.run((c) => c.hgetall(statsKey(t)));
        const s = emptyStats();
        for (const f of ['hits', 'misses', 'bypass', 'coalesced'] as const) s[f] = Number(counts[f] ?? 0);
        s.entries = entries;
        s.bytes = bytes;
        out[t] = s;
      }
      return out;
    },
    count(tenant, status) {
      if (!redis.healthy) return;
      redis
        // Plain commands, not a MULTI: counters need no atomicity, and plain commands share the request's batched
        // write. The tenant joins the tenants set once a minute per process, not on every lookup.
        .run(async (c): Promise<unknown> => {
          const at = Date.now();
          if ((announced.get(tenant) ?? 0) > at - 60_000) return c.hincrby(statsKey(tenant), statField[status], 1);
          announced.set(tenant, at);
          return Promise.all([c.hincrby(statsKey(tenant), statField[status], 1), c.sadd(tenantsKey, tenant)]);
        })
        .catch(() => {});
    },
    async tryLock(tenant, hash, token, ttlMs) {
      return (await redis.run((c) => c.set(lockKey(tenant, hash), token, 'PX', ttlMs, 'NX'))) === 'OK';
    },
    async renewLock(tenant, hash, token, ttlMs) {
      return (await redis.run((c) => runScript(c, renew, [lockKey(tenant, hash)], [token, ttlMs]))) === 1;
    },
    async unlock(tenant, hash, token) {
      await redis.run((c) => runScript(c, release, [lockKey(tenant, hash)], [token]));
    },
    async peek(tenant, hash) {
      const res = await redis.run((c) => c.multi().get(entryKey(tenant, hash)).exists(lockKey(tenant, hash)).exec());
      if (!res || res.some(([err]) => err)) throw new Error('redis: peek failed');
      return { value: res[0][1] as string | null, locked: res[1][1] === 1 };
    },
  };
}
