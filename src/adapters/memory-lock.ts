/**
 * @module adapters/memory-lock — DistributedLock within one process (a promise chain per key): the
 * reference implementation the contract suite checks the Redis lock against, and the lock of a single
 * gateway without Redis.
 */
import type { DistributedLock } from './distributed-lock.ts';

export function createMemoryLock(): DistributedLock {
  const tails = new Map<string, Promise<void>>();
  return {
    async withLock(key, _maxWaitMs, fn) {
      const previous = tails.get(key) ?? Promise.resolve();
      let done!: () => void;
      const mine = new Promise<void>((resolve) => {
        done = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      await previous;
      try {
        return await fn();
      } finally {
        done();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
