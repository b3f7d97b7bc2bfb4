/**
 * @module adapters/redis-lock — DistributedLock on Redis: `SET key token NX PX lease`, renewed while the
 * holder works (so a long load keeps it, and a holder that dies loses it one lease later), released only by
 * its own token (compare-and-delete in Lua). Waiters poll with SET NX until they get it. When Redis is down
 * or the wait runs past its limit, the work runs without the lock: a duplicate load is harmless.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisConnection } from '../redis/connection.ts';
import { luaScript, runScript } from '../redis/script.ts';
import type { DistributedLock } from './distributed-lock.ts';

const release = luaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
);
const renew = luaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
);

export interface RedisLockOptions {
  /** Lease of one lock; renewed every third of it while the holder runs. */
  leaseMs?: number;
  /** How often a waiter tries again. */
  pollMs?: number;
}

export function createRedisLock(redis: RedisConnection, options: RedisLockOptions = {}): DistributedLock {
  const leaseMs = options.leaseMs ?? 3000;
  const pollMs = options.pollMs ?? 25;

  async function acquire(key: string, token: string, maxWaitMs: number): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const ok = await redis.run((c) => c.set(key, token, 'PX', leaseMs, 'NX'));
      if (ok === 'OK') return true;
      if (Date.now() >= deadline) return false;
      await sleep(pollMs);
    }
  }

  return {
    async withLock(name, maxWaitMs, fn) {
      const key = `${redis.prefix}lock:${name}`;
      const token = randomUUID();
      let held = false;
      try {
        held = await acquire(key, token, maxWaitMs);
      } catch {
        held = false; // Redis unavailable: proceed alone.
      }
      if (!held) return fn();
      const timer = setInterval(
        () => {
          redis.run((c) => runScript(c, renew, [key], [token, leaseMs])).catch(() => {});
        },
        Math.max(10, Math.floor(leaseMs / 3)),
      );
      timer.unref();
      try {
        return await fn();
      } finally {
        clearInterval(timer);
        await redis.run((c) => runScript(c, release, [key], [token])).catch(() => {});
      }
    },
  };
}
