/**
 * @module adapters/admin-state-redis — AdminStateStore on Redis, shared by every gateway on it: the state is
 * one JSON value beside a revision counter (both under one hash tag, so they sit in one Cluster slot); an
 * update is compare-and-set on the revision in Lua (retried when another gateway wrote first). Every
 * process polls the revision (`pollMs`, default 200 ms — one GET) and reads the state when it moved, so a
 * change is in force everywhere within a second, also in a gateway that started later or reconnected.
 * Polling instead of pub/sub: a missed message cannot leave a gateway behind, and no second connection.
 * If Redis lost the state (restarted without persistence), watchers keep the last state they saw and the
 * next update starts from the newest state this process knows, so one write heals the store.
 */
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import { type AdminSnapshot, type AdminStateStore, adminStateSchema, emptyAdminState } from './admin-state.ts';

const compareAndSet = luaScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[3])
return tonumber(ARGV[3])
`);

export interface RedisAdminStateOptions {
  /** How often the revision is polled. */
  pollMs?: number;
  /** Attempts of one update under contention before giving up. */
  maxAttempts?: number;
}

export function createRedisAdminStateStore(
  redis: RedisConnection,
  options: RedisAdminStateOptions = {},
): AdminStateStore {
  const revisionKey = `${redis.prefix}{admin-state}:revision`;
  const stateKey = `${redis.prefix}{admin-state}:state`;
  const pollMs = options.pollMs ?? 200;
  const maxAttempts = options.maxAttempts ?? 20;
  const listeners = new Set<(s: AdminSnapshot) => void>();
  /** The newest snapshot this process has seen (read, written or polled). */
  let known: AdminSnapshot = { revision: 0, state: emptyAdminState() };
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  async function fetchStored(): Promise<AdminSnapshot> {
    const [rev, json] = await redis.run((c) => c.mget(revisionKey, stateKey));
    const revision = Number(rev ?? 0);
    if (!json || revision === 0) return { revision, state: emptyAdminState() };
    return { revision, state: adminStateSchema.parse(JSON.parse(json)) };
  }

  function offer(s: AdminSnapshot): void {
    if (s.revision <= known.revision) return;
    known = s;
    for (const l of listeners) l({ revision: s.revision, state: structuredClone(s.state) });
  }

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const rev = Number((await redis.run((c) => c.get(revisionKey))) ?? 0);
      if (rev > known.revision) offer(await fetchStored());
    } catch {
      // Redis away: keep the last state; the next poll after a reconnect catches up.
    } finally {
      polling = false;
    }
  }

  return {
    shared: true,
    async read() {
      const stored = await fetchStored();
      offer(stored);
      return stored.revision >= known.revision
        ? stored
        : { revision: known.revision, state: structuredClone(known.state) };
    },
    async update(change) {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const stored = await fetchStored();
        const base = stored.revision >= known.revision ? stored : known;
        const next = adminStateSchema.parse(change(structuredClone(base.state)));
        const revision = base.revision + 1;
        const ok = await redis.run(
          (c) =>
            runScript(
              c,
              compareAndSet,
              [revisionKey, stateKey],
              [stored.revision, JSON.stringify(next), revision],
            ) as Promise<number>,
        );
        if (ok === revision) {
          const snap = { revision, state: next };
          offer(snap);
          return { revision, state: structuredClone(next) };
        }
      }
      throw new Error(`admin state: ${maxAttempts} concurrent writers in a row; try again`);
    },
    watch(listener) {
      listeners.add(listener);
      if (known.revision > 0) {
        const s = { revision: known.revision, state: structuredClone(known.state) };
        queueMicrotask(() => listener(s));
      }
      if (!timer) {
        timer = setInterval(() => void poll(), pollMs);
        timer.unref();
        void poll();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    async close() {
      listeners.clear();
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
