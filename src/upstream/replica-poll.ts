/**
 * @module upstream/replica-poll — one poll of one replica: `/health`, then `/v1/models` (what is registered)
 * and `/metrics` (what is in flight, slots, queue). Updates the replica's observed state; the pool decides
 * what a failure means for the breaker.
 */
import { applyRegistered, type ReplicaState, recordSuccess } from './replica-state.ts';
import { parseVllmMetrics } from './vllm-metrics.ts';

export interface PollResult {
  /** Why the replica counts as down, or null when it answered. */
  error: string | null;
  /** It was down (or never seen) and is up again: the breaker closed. */
  cameBack: boolean;
}

export async function pollReplica(r: ReplicaState, timeoutMs: number): Promise<PollResult> {
  const startedAt = Date.now();
  let cameBack = false;
  try {
    const health = await r.client.get('/health', { timeoutMs });
    await health.body.dump();
    if (health.statusCode !== 200) throw new Error(`/health answered ${health.statusCode}`);
    const res = await r.client.get('/v1/models', { timeoutMs });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`/v1/models answered ${res.statusCode}`);
    }
    const models = (await res.body.json()) as { data?: { id: string; parent?: string | null }[] };
    applyRegistered(
      r,
      (models.data ?? []).filter((m) => m.parent).map((m) => m.id),
      startedAt,
    );
    r.lastPollAt = Date.now();
    // During the cooldown an ejected replica stays out; the first good probe after it closes the breaker.
    if (r.openUntil <= Date.now()) {
      cameBack = !r.seenUp || r.consecutiveFailures > 0;
      recordSuccess(r);
    } else {
      r.seenUp = true;
    }
  } catch (err) {
    return { error: (err as Error).message, cameBack: false };
  }
  await pollMetrics(r, timeoutMs);
  return { error: null, cameBack };
}

async function pollMetrics(r: ReplicaState, timeoutMs: number): Promise<void> {
  try {
    const res = await r.client.get('/metrics', { timeoutMs });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return;
    }
    const m = parseVllmMetrics(await res.body.text());
    if (m.maxLoras !== null) r.maxLoras = m.maxLoras;
    r.observedActive = m.activeAdapters;
    r.observedRunning = m.running ?? 0;
    r.observedWaiting = m.waiting ?? 0;
    r.kvCacheUsage = m.kvCacheUsage;
  } catch {
    // Metrics are advisory; /health and /v1/models decide health.
  }
}
