/**
 * @module routing/canary — picks a version from a weighted split, sticky per caller: the same sticky key
 * (the request's `user`, else the API key) always lands in the same bucket for the same adapter.
 */
import { hash } from 'node:crypto';

/** A stable point in [0, 100) for (adapter, sticky key). */
export function bucketOf(adapter: string, stickyKey: string): number {
  const hex = hash('sha256', `${adapter}\0${stickyKey}`, 'hex');
  return (Number.parseInt(hex.slice(0, 8), 16) / 0x1_0000_0000) * 100;
}

/** Walks the split in key order (sorted, so config order does not matter) and returns the chosen id. */
export function pickFromSplit(split: Record<string, number>, adapter: string, stickyKey: string): string | undefined {
  const entries = Object.entries(split)
    .filter(([, w]) => w > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return undefined;
  // One version takes all traffic (the usual case): no bucket to compute.
  if (entries.length === 1) return entries[0][0];
  const point = bucketOf(adapter, stickyKey);
  let acc = 0;
  for (const [id, weight] of entries) {
    acc += weight;
    if (point < acc) return id;
  }
  return entries[entries.length - 1][0];
}
