/**
 * @module upstream/replica-state — what the gateway knows about one vLLM replica: the adapters registered
 * there (from /v1/models and our own loads), the adapters with requests in flight (our counters, plus
 * vLLM's `lora_requests_info` from /metrics), its slot count, whether it accepts runtime loads, whether an
 * operator drained it, and its health (a circuit breaker).
 */
import type { ReplicaConfig } from '../config/schema.ts';
import type { ReplicaClient } from './vllm-client.ts';

export interface ReplicaState {
  id: string;
  baseModel: string;
  config: ReplicaConfig;
  client: ReplicaClient;
  /** Adapters registered on the replica (vLLM's registry has no size limit). */
  registered: Set<string>;
  /** When this process last confirmed each adapter registered (load answer or check), so that a poll that
   *  started before the load finished does not forget it. */
  confirmedAt: Map<string, number>;
  /** Our own in-flight requests (reserved from the moment the replica is chosen), total and per adapter id
   *  (`base` for the base model). */
  inFlight: number;
  inFlightByAdapter: Map<string, number>;
  /** Adapters vLLM reports with requests in flight (from any gateway process), last poll. */
  observedActive: Set<string>;
  observedWaiting: number;
  observedRunning: number;
  kvCacheUsage: number | null;
  /** `--max-loras`: distinct adapters one scheduling step may run. */
  maxLoras: number;
  /** Whether `/v1/load_lora_adapter` exists there: from the config, false once the route answered missing. */
  runtimeLoading: boolean;
  /** Drained by an operator: no new requests are routed to it; in-flight ones finish. */
  drained: boolean;
  /** Circuit breaker. */
  consecutiveFailures: number;
  openUntil: number;
  lastError: string | null;
  /** False until the first successful poll (or request) proves the replica is up. */
  seenUp: boolean;
  lastPollAt: number | null;
}

export function newReplicaState(
  id: string,
  baseModel: string,
  config: ReplicaConfig,
  client: ReplicaClient,
): ReplicaState {
  return {
    id,
    baseModel,
    config,
    client,
    registered: new Set(config.preloaded),
    confirmedAt: new Map(),
    inFlight: 0,
    inFlightByAdapter: new Map(),
    observedActive: new Set(),
    observedWaiting: 0,
    observedRunning: 0,
    kvCacheUsage: null,
    maxLoras: config.max_loras ?? 1,
    runtimeLoading: config.runtime_lora_loading,
    drained: false,
    consecutiveFailures: 0,
    openUntil: 0,
    lastError: null,
    seenUp: false,
    lastPollAt: null,
  };
}

/** Adapters with requests in flight on the replica: ours and what vLLM last reported. */
export function busyAdapters(r: ReplicaState): Set<string> {
  const busy = new Set(r.observedActive);
  for (const [id, n] of r.inFlightByAdapter) if (n > 0 && id !== 'base') busy.add(id);
  return busy;
}

/** Adapters with requests in flight from this process only (exact, never stale). */
export function ownBusyAdapters(r: ReplicaState): Set<string> {
  const busy = new Set<string>();
  for (const [id, n] of r.inFlightByAdapter) if (n > 0 && id !== 'base') busy.add(id);
  return busy;
}

/** Routable: breaker closed (or half-open after the cooldown) and not drained. */
export function isAvailable(r: ReplicaState, now: number): boolean {
  return r.openUntil <= now && !r.drained;
}

/** The adapter can run there: registered already, or loadable at run time. */
export function canServe(r: ReplicaState, adapterId: string): boolean {
  return r.registered.has(adapterId) || r.runtimeLoading;
}

export function markRegistered(r: ReplicaState, adapterId: string, now = Date.now()): void {
  r.registered.add(adapterId);
  r.confirmedAt.set(adapterId, now);
}

export function markUnregistered(r: ReplicaState, adapterId: string): void {
  r.registered.delete(adapterId);
  r.confirmedAt.delete(adapterId);
}

/** A /v1/models answer that was requested at `pollStartedAt`; loads confirmed since then are kept. */
export function applyRegistered(r: ReplicaState, ids: Iterable<string>, pollStartedAt: number): void {
  const next = new Set(ids);
  for (const [id, at] of r.confirmedAt) {
    if (at >= pollStartedAt) next.add(id);
    else if (!next.has(id)) r.confirmedAt.delete(id);
  }
  r.registered = next;
}

export function reserve(r: ReplicaState, key: string): void {
  r.inFlight++;
  r.inFlightByAdapter.set(key, (r.inFlightByAdapter.get(key) ?? 0) + 1);
}

export function unreserve(r: ReplicaState, key: string): void {
  r.inFlight--;
  const n = (r.inFlightByAdapter.get(key) ?? 1) - 1;
  if (n <= 0) r.inFlightByAdapter.delete(key);
  else r.inFlightByAdapter.set(key, n);
}

export function recordSuccess(r: ReplicaState): void {
  r.consecutiveFailures = 0;
  r.openUntil = 0;
  r.seenUp = true;
  r.lastError = null;
}

export function recordFailure(
  r: ReplicaState,
  error: string,
  threshold: number,
  cooldownMs: number,
  now: number,
): void {
  r.consecutiveFailures++;
  r.lastError = error;
  if (r.consecutiveFailures >= threshold) r.openUntil = now + cooldownMs;
}
