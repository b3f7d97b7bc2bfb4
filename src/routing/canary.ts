/**
 * @module routing/canary — picks a version from a weighted split, sticky per caller: the same sticky key
 * (the request's `user`, else the API key) always lands in the same bucket for the same adapter.
 */
import { createHash } from 'node:crypto';

/** A stable point in [0, 100) for (adapter, sticky key). */
export function bucketOf(adapter: string, stickyKey: string): number {
  const digest = createHash('sha256').update(adapter).update('\0').update(stickyKey).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

/** Walks the split in key order (sorted, so config order does not matter) and returns the chosen id. */
export function pickFromSplit(split: Record<string, number>, adapter: string, stickyKey: string): string | undefined {
  const entries = Object.entries(split)
    .filter(([, w]) => w > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return undefined;
  const point = bucketOf(adapter, stickyKey);
  let acc = 0;
  for (const [id, weight] of entries) {
    acc += weight;
    if (point < acc) return id;
  }
  return entries[entries.length - 1][0];
}
