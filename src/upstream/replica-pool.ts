/**
 * @module upstream/replica-pool — the vLLM replicas, grouped by the base model they serve: observed state
 * refreshed by polling `/v1/models` and `/metrics`, a circuit breaker per replica, and `acquire()`, which
 * picks a replica for a plan and makes sure the adapter is registered there before the request goes out.
 */
import { AdapterLoader, type DistributedLock, type LoadEvents } from '../adapters/lifecycle.ts';
import type { Config } from '../config/schema.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Plan } from '../routing/plan.ts';
import { chooseReplica } from './choose-replica.ts';
import { newReplicaState, type ReplicaState, recordFailure, recordSuccess } from './replica-state.ts';
import { createReplicaClient } from './vllm-client.ts';
import { parseVllmMetrics } from './vllm-metrics.ts';

export interface Lease {
  replica: ReplicaState;
  /** The model name to send: the adapter id, or the base model when degraded to it. */
  model: string;
  /** The adapter could not be loaded and the tenant's policy sent the request to the base model. */
  degradedToBase: boolean;
  /** Call exactly once: `ok` after a complete answer, `failed` when the replica failed, `aborted` otherwise. */
  release(outcome: 'ok' | 'failed' | 'aborted', error?: string): void;
}

export interface AcquireOptions {
  exclude?: ReadonlySet<string>;
  onAdapterFailure: 'error' | 'base';
}

export interface PoolEvents extends LoadEvents {
  onReplicaHealth?(replicaId: string, healthy: boolean): void;
}

export class ReplicaPool {
  readonly replicas: ReplicaState[];
  readonly loader: AdapterLoader;
  #config: Config['upstreams'];
  #timer: NodeJS.Timeout | undefined;
  #events: PoolEvents;

  constructor(config: Config['upstreams'], options: { lock?: DistributedLock; events?: PoolEvents } = {}) {
    this.#config = config;
    this.#events = options.events ?? {};
    this.replicas = config.base_models.flatMap((base) =>
      base.replicas.map((rc, i) => {
        const id = rc.id ?? `${base.name}-${i}`;
        const client = createReplicaClient({ id, url: rc.url, apiKey: rc.api_key, timeouts: config.timeouts, connections: config.connections_per_replica });
        return newReplicaState(id, base.name, rc, client);
      }),
    );
    this.loader = new AdapterLoader({ lock: options.lock, timeoutMs: config.timeouts.adapter_load_ms, events: this.#events });
  }

  of(baseModel: string): ReplicaState[] {
    return this.replicas.filter((r) => r.baseModel === baseModel);
  }

  byId(id: string): ReplicaState | undefined {
    return this.replicas.find((r) => r.id === id);
  }

  maxModelLen(baseModel: string): number | undefined {
    return this.#config.base_models.find((b) => b.name === baseModel)?.max_model_len;
  }

  /** Ready while at least one replica is not ejected and has answered at least once. */
  healthyCount(): number {
    const now = Date.now();
    return this.replicas.filter((r) => r.seenUp && r.openUntil <= now).length;
  }

  async acquire(plan: Plan, options: AcquireOptions): Promise<Lease> {
    const exclude = options.exclude ?? new Set<string>();
    const adapterId = plan.adapter?.id ?? null;
    const replica = chooseReplica(this.of(plan.baseModel), adapterId, exclude);
    if (!replica) {
      throw new GatewayError('no_healthy_replica', `No healthy model server for ${plan.baseModel} is available right now.`, {
        headers: { 'retry-after': '1' },
      });
    }
    let model = plan.upstreamModel;
    let degradedToBase = false;
    if (plan.adapter) {
      try {
        await this.loader.ensureLoaded(replica, plan.adapter);
      } catch (err) {
        if (options.onAdapterFailure !== 'base') throw err;
        model = plan.baseModel;
        degradedToBase = true;
      }
    }
    const key = degradedToBase ? 'base' : (adapterId ?? 'base');
    replica.inFlight++;
    replica.inFlightByAdapter.set(key, (replica.inFlightByAdapter.get(key) ?? 0) + 1);
    let released = false;
    return {
      replica,
      model,
      degradedToBase,
      release: (outcome, error) => {
        if (released) return;
        released = true;
        replica.inFlight--;
        const n = (replica.inFlightByAdapter.get(key) ?? 1) - 1;
        if (n <= 0) replica.inFlightByAdapter.delete(key);
        else replica.inFlightByAdapter.set(key, n);
        if (outcome === 'ok') recordSuccess(replica);
        else if (outcome === 'failed') this.#fail(replica, error ?? 'request failed');
      },
    };
  }

  #fail(replica: ReplicaState, error: string): void {
    const wasOpen = replica.openUntil > Date.now();
    recordFailure(replica, error, this.#config.circuit_breaker.failures, this.#config.circuit_breaker.cooldown_ms, Date.now());
    if (!wasOpen && replica.openUntil > Date.now()) this.#events.onReplicaHealth?.(replica.id, false);
  }

  /** One poll of every replica; also the breaker's probe: an ejected replica that answers comes back. */
  async pollOnce(): Promise<void> {
    await Promise.all(this.replicas.map((r) => this.#pollReplica(r)));
  }

  async #pollReplica(r: ReplicaState): Promise<void> {
    const timeoutMs = Math.max(1000, this.#config.poll_interval_ms);
    try {
      const res = await r.client.get('/v1/models', { timeoutMs });
      if (res.statusCode !== 200) throw new Error(`/v1/models answered ${res.statusCode}`);
      const models = (await res.body.json()) as { data?: { id: string; parent?: string | null }[] };
      const adapters = (models.data ?? []).filter((m) => m.parent).map((m) => m.id);
      r.registered = new Set(adapters);
      const wasDown = !r.seenUp || r.openUntil > Date.now();
      recordSuccess(r);
      if (wasDown) this.#events.onReplicaHealth?.(r.id, true);
    } catch (err) {
      this.#fail(r, (err as Error).message);
      return;
    }
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
      // Metrics are advisory; the /v1/models poll decides health.
    }
  }

  start(): void {
    void this.pollOnce();
    this.#timer = setInterval(() => void this.pollOnce(), this.#config.poll_interval_ms);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.replicas.map((r) => r.client.close()));
  }
}
