/**
 * @module upstream/choose-replica — LoRA-affinity replica choice (design.md "Adapter lifecycle"), a pure
 * function of the observed state. Among available replicas of the base model that can serve the adapter
 * (registered there, or runtime loading on):
 *   1. one where the adapter already has requests in flight and the distinct busy adapters fit the slots;
 *   2. one with room for one more distinct adapter, where it is registered already (no load needed);
 *   3. one with room for one more distinct adapter;
 *   4. the same two tiers judged by this process's own counters only (vLLM's gauge is one poll old and may
 *      still list adapters that finished);
 *   5. the least loaded.
 * So a request for one more distinct adapter never goes to a replica whose `max_loras` slots are all busy
 * with other adapters while another replica has room: vLLM would park it in its waiting queue.
 */
import { busyAdapters, canServe, isAvailable, ownBusyAdapters, type ReplicaState } from './replica-state.ts';

function load(r: ReplicaState): number {
  return r.inFlight + r.observedWaiting;
}

function leastLoaded(rs: ReplicaState[]): ReplicaState | undefined {
  let best: ReplicaState | undefined;
  for (const r of rs) if (!best || load(r) < load(best)) best = r;
  return best;
}

function withRoom(
  rs: ReplicaState[],
  adapterId: string,
  busyOf: (r: ReplicaState) => Set<string>,
): ReplicaState | undefined {
  const registered: ReplicaState[] = [];
  const other: ReplicaState[] = [];
  for (const r of rs) {
    if (busyOf(r).size < r.maxLoras) (r.registered.has(adapterId) ? registered : other).push(r);
  }
  return leastLoaded(registered) ?? leastLoaded(other);
}

/** Tiers 1–3 under one view of which adapters are busy. */
function byAffinity(
  rs: ReplicaState[],
  adapterId: string,
  busyOf: (r: ReplicaState) => Set<string>,
): ReplicaState | undefined {
  const active = rs.filter((r) => {
    const busy = busyOf(r);
    return busy.has(adapterId) && busy.size <= r.maxLoras;
  });
  return leastLoaded(active) ?? withRoom(rs, adapterId, busyOf);
}

export function chooseReplica(
  replicas: ReplicaState[],
  adapterId: string | null,
  exclude: ReadonlySet<string> = new Set(),
  now = Date.now(),
): ReplicaState | undefined {
  const available = replicas.filter((r) => !exclude.has(r.id) && isAvailable(r, now));
  if (adapterId === null) return leastLoaded(available);
  const candidates = available.filter((r) => canServe(r, adapterId));
  return (
    byAffinity(candidates, adapterId, busyAdapters) ??
    byAffinity(candidates, adapterId, ownBusyAdapters) ??
    leastLoaded(candidates)
  );
}
