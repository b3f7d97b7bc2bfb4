/**
 * @module upstream/choose-replica — LoRA-affinity replica choice (design.md "Adapter lifecycle"), a pure
 * function of the observed state. Among available replicas of the base model:
 *   1. one where the adapter already has requests in flight and the distinct busy adapters fit the slots;
 *   2. one with room for one more distinct adapter (registered there first, so no load is needed);
 *   3. the least loaded.
 * Never a replica whose `max_loras` slots are all busy with other adapters while another has room, because
 * vLLM would park the request in its waiting queue.
 */
import { busyAdapters, isAvailable, type ReplicaState } from './replica-state.ts';

function load(r: ReplicaState): number {
  return r.inFlight + r.observedWaiting;
}

function leastLoaded(rs: ReplicaState[]): ReplicaState | undefined {
  let best: ReplicaState | undefined;
  for (const r of rs) if (!best || load(r) < load(best)) best = r;
  return best;
}

export function chooseReplica(
  replicas: ReplicaState[],
  adapterId: string | null,
  exclude: ReadonlySet<string> = new Set(),
  now = Date.now(),
): ReplicaState | undefined {
  const candidates = replicas.filter((r) => !exclude.has(r.id) && isAvailable(r, now));
  if (candidates.length === 0) return undefined;
  if (adapterId === null) return leastLoaded(candidates);

  const active: ReplicaState[] = [];
  const roomRegistered: ReplicaState[] = [];
  const room: ReplicaState[] = [];
  for (const r of candidates) {
    const busy = busyAdapters(r);
    if (busy.has(adapterId) && busy.size <= r.maxLoras) active.push(r);
    else if (busy.size < r.maxLoras) (r.registered.has(adapterId) ? roomRegistered : room).push(r);
  }
  return leastLoaded(active) ?? leastLoaded(roomRegistered) ?? leastLoaded(room) ?? leastLoaded(candidates);
}
