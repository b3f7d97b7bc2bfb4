/**
 * @module upstream/replica-state — what the gateway knows about one vLLM replica: the adapters registered
 * there (from /v1/models and our own loads), the adapters with requests in flight (our counters, plus
 * vLLM's `lora_requests_info` from /metrics), its slot count and its health (a circuit breaker).
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
  /** Our own in-flight requests, total and per adapter id (`base` for the base model). */
  inFlight: number;
  inFlightByAdapter: Map<string, number>;
  /** Adapters vLLM reports with requests in flight (from any gateway process), last poll. */
  observedActive: Set<string>;
  observedWaiting: number;
  observedRunning: number;
  kvCacheUsage: number | null;
  /** `--max-loras`: distinct adapters one scheduling step may run. */
  maxLoras: number;
  /** Circuit breaker. */
  consecutiveFailures: number;
  openUntil: number;
  lastError: string | null;
  /** False until the first successful poll (or request) proves the replica is up. */
  seenUp: boolean;
}

export function newReplicaState(id: string, baseModel: string, config: ReplicaConfig, client: ReplicaClient): ReplicaState {
  return {
    id,
    baseModel,
    config,
    client,
    registered: new Set(config.preloaded),
    inFlight: 0,
    inFlightByAdapter: new Map(),
    observedActive: new Set(),
    observedWaiting: 0,
    observedRunning: 0,
    kvCacheUsage: null,
    maxLoras: config.max_loras ?? 1,
    consecutiveFailures: 0,
    openUntil: 0,
    lastError: null,
    seenUp: false,
  };
}

/** Adapters with requests in flight on the replica: ours and what vLLM last reported. */
export function busyAdapters(r: ReplicaState): Set<string> {
  const busy = new Set(r.observedActive);
  for (const [id, n] of r.inFlightByAdapter) if (n > 0 && id !== 'base') busy.add(id);
  return busy;
}

export function isAvailable(r: ReplicaState, now: number): boolean {
  return r.openUntil <= now;
}

export function recordSuccess(r: ReplicaState): void {
  r.consecutiveFailures = 0;
  r.openUntil = 0;
  r.seenUp = true;
  r.lastError = null;
}

export function recordFailure(r: ReplicaState, error: string, threshold: number, cooldownMs: number, now: number): void {
  r.consecutiveFailures++;
  r.lastError = error;
  if (r.consecutiveFailures >= threshold) r.openUntil = now + cooldownMs;
}
