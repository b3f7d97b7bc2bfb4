/**
 * @module adapters/distributed-lock — the lock seam (memory | Redis, test/contracts/distributed-lock.contract.ts):
 * adapter loads are single-flight across gateway processes with it.
 */

/** Cross-process mutual exclusion; absent = in-process only. */
export interface DistributedLock {
  /**
   * Runs fn while holding `key`, after waiting for any other holder. A holder that dies loses the lock when
   * its lease runs out; after `maxWaitMs`, or when the lock store is unreachable, fn runs without the lock
   * (a duplicate load is harmless: "already loaded" counts as success).
   */
  withLock<T>(key: string, maxWaitMs: number, fn: () => Promise<T>): Promise<T>;
}
