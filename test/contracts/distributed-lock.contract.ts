/**
 * Contract of DistributedLock (src/adapters/lifecycle.ts), run against the in-process lock and the Redis
 * lock: mutual exclusion per key, independence of keys, fn's value and errors pass through, the lock is
 * released after an error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DistributedLock } from '../../src/adapters/distributed-lock.ts';

export function distributedLockContract(
  name: string,
  make: () => { locks: DistributedLock[]; close?(): Promise<void> },
): void {
  test(`${name}: at most one holder per key, across lock instances`, async () => {
    const { locks, close } = make();
    try {
      let holders = 0;
      let maxHolders = 0;
      let runs = 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          locks[i % locks.length].withLock('k1', 5000, async () => {
            holders++;
            maxHolders = Math.max(maxHolders, holders);
            await sleep(3);
            holders--;
            runs++;
          }),
        ),
      );
      assert.equal(maxHolders, 1);
      assert.equal(runs, 20);
    } finally {
      await close?.();
    }
  });

  test(`${name}: different keys do not wait for each other`, async () => {
    const { locks, close } = make();
    try {
      let release!: () => void;
      const held = locks[0].withLock('slow', 5000, () => new Promise<void>((r) => (release = r)));
      const other = await locks[locks.length - 1].withLock('fast', 5000, async () => 'done');
      assert.equal(other, 'done');
      release();
      await held;
    } finally {
      await close?.();
    }
  });

  test(`${name}: values and errors pass through; an error releases the lock`, async () => {
    const { locks, close } = make();
    try {
      assert.equal(await locks[0].withLock('k2', 5000, async () => 42), 42);
      await assert.rejects(
        locks[0].withLock('k2', 5000, async () => {
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await locks[locks.length - 1].withLock('k2', 5000, async () => 'next'), 'next');
    } finally {
      await close?.();
    }
  });
}
