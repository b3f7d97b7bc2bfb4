/**
 * @module upstream/replica-pool — the vLLM replicas, grouped by the base model they serve: observed state
 * refreshed by polling `/health`, `/v1/models` and `/metrics`, a circuit breaker per replica (ejected after
 * failed polls or failed requests, probed back by the poll), operator drain, and `acquire()`, which picks a
 * replica for a plan, reserves the slot at once (so concurrent choices see it), and makes sure the adapter is
 * registered there before the request goes out. Retired adapter versions are unloaded once drained.
 */

import {
  AdapterLoadError,
  AdapterLoader,
  type DistributedLock,
  type LoadEvents,
  runtimeOffMessage,
} from '../adapters/lifecycle.ts';
import type { Config } from '../config/schema.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Plan } from '../routing/plan.ts';
import { stageSpan } from '../telemetry/spans.ts';
import { chooseReplica } from './choose-replica.ts';
import {
  applyRegistered,
  newReplicaState,
  type ReplicaState,
  recordFailure,
  recordSuccess,
  reserve,
  unreserve,
} from './replica-state.ts';
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
  onUnload?(replicaId: string, adapterId: string, result: 'ok' | 'error'): void;
}

export class ReplicaPool {
  readonly replicas: ReplicaState[];
  readonly loader: AdapterLoader;
  /** Adapter ids retired through the admin API: unloaded from each replica once nothing is in flight. */
  readonly retired = new Set<string>();
  #config: Config['upstreams'];
  #timer: NodeJS.Timeout | undefined;
  #events: PoolEvents;
  #unloading = new Set<string>();

  constructor(config: Config['upstreams'], options: { lock?: DistributedLock; events?: PoolEvents } = {}) {
    this.#config = config;
    this.#events = options.events ?? {};
    this.replicas = config.base_models.flatMap((base) =>
      base.replicas.map((rc, i) => {
        const id = rc.id ?? `${base.name}-${i}`;
        const client = createReplicaClient({
          id,
          url: rc.url,
          apiKey: rc.api_key,
          timeouts: config.timeouts,
          connections: config.connections_per_replica,
        });
        return newReplicaState(id, base.name, rc, client);
      }),
    );
    this.loader = new AdapterLoader({
      lock: options.lock,
      timeoutMs: config.timeouts.adapter_load_ms,
      events: this.#events,
    });
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
    const exclude = new Set(options.exclude ?? []);
    const adapter = plan.adapter;
    if (!adapter) return this.#lease(this.#choose(plan.baseModel, null, exclude), plan.upstreamModel, 'base', false);
    let failure: GatewayError | undefined;
    for (;;) {
      const replica = chooseReplica(this.of(plan.baseModel), adapter.id, exclude);
      if (!replica) {
        // Nothing left to try: say why in terms of the whole pool (a per-replica "runtime off" is not the story).
        if (!failure || (failure instanceof AdapterLoadError && failure.reason === 'runtime_off'))
          failure = this.#noReplicaFor(plan, exclude);
        break;
      }
      // Reserved before the load, synchronously after the choice: concurrent requests see this replica busy.
      reserve(replica, adapter.id);
      try {
        const load = () => this.loader.ensureLoaded(replica, adapter);
        // A span only for a real load (registered adapters return at once).
        if (replica.registered.has(adapter.id)) await load();
        else await stageSpan('adapter_load', { 'lorag.adapter': adapter.id, 'lorag.replica': replica.id }, load);
      } catch (err) {
        unreserve(replica, adapter.id);
        failure = err instanceof GatewayError ? err : new GatewayError('adapter_unavailable', String(err));
        if (err instanceof AdapterLoadError && err.reason === 'unreachable') this.#fail(replica, err.message);
        // Another replica may have the route or be reachable; a missing or broken adapter fails everywhere.
        if (err instanceof AdapterLoadError && (err.reason === 'runtime_off' || err.reason === 'unreachable')) {
          exclude.add(replica.id);
          continue;
        }
        break;
      }
      return this.#lease(replica, adapter.id, adapter.id, true);
    }
    if (options.onAdapterFailure === 'base' && failure.code === 'adapter_unavailable') {
      return this.#lease(
        this.#choose(plan.baseModel, null, options.exclude ?? new Set()),
        plan.baseModel,
        'base',
        false,
        true,
      );
    }
    throw failure;
  }

  #choose(baseModel: string, adapterId: null, exclude: ReadonlySet<string>): ReplicaState {
    const replica = chooseReplica(this.of(baseModel), adapterId, exclude);
    if (!replica) {
      throw new GatewayError('no_healthy_replica', `No healthy model server for ${baseModel} is available right now.`, {
        headers: { 'retry-after': '1' },
      });
    }
    return replica;
  }

  /** Why no replica can take the adapter: none healthy, or none that has it or may load it. */
  #noReplicaFor(plan: Plan, exclude: ReadonlySet<string>): GatewayError {
    const now = Date.now();
    const up = this.of(plan.baseModel).filter((r) => !exclude.has(r.id) && r.openUntil <= now && !r.drained);
    const all = this.of(plan.baseModel);
    if (up.length === 0 && all.some((r) => r.runtimeLoading || r.registered.has(plan.adapter!.id))) {
      return new GatewayError(
        'no_healthy_replica',
        `No healthy model server for ${plan.baseModel} is available right now.`,
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
    return new GatewayError(
      'adapter_unavailable',
      runtimeOffMessage(plan.adapter!.id, `any replica of ${plan.baseModel}`),
    );
  }

  #lease(replica: ReplicaState, model: string, key: string, reserved: boolean, degradedToBase = false): Lease {
    if (!reserved) reserve(replica, key);
    let released = false;
    return {
      replica,
      model,
      degradedToBase,
      release: (outcome, error) => {
        if (released) return;
        released = true;
        unreserve(replica, key);
        if (outcome === 'ok') recordSuccess(replica);
        else if (outcome === 'failed') this.#fail(replica, error ?? 'request failed');
        if (this.retired.has(key)) void this.#unloadRetired(replica);
      },
    };
  }

  #fail(replica: ReplicaState, error: string): void {
    const wasOpen = replica.openUntil > Date.now();
    recordFailure(
      replica,
      error,
      this.#config.circuit_breaker.failures,
      this.#config.circuit_breaker.cooldown_ms,
      Date.now(),
    );
    if (!wasOpen && replica.openUntil > Date.now()) this.#events.onReplicaHealth?.(replica.id, false);
  }

  /** Admin: stop routing new requests to the replica (in-flight ones finish), or route to it again. */
  setDrained(id: string, drained: boolean): ReplicaState | undefined {
    const r = this.byId(id);
    if (r) r.drained = drained;
    return r;
  }

  /** Admin: the version is retired; unload it wherever it is registered, as soon as it has drained there. */
  retire(adapterId: string): Promise<void> {
    this.retired.add(adapterId);
    return this.#unloadRetiredEverywhere();
  }

  async #unloadRetiredEverywhere(): Promise<void> {
    await Promise.all(this.replicas.map((r) => this.#unloadRetired(r)));
  }

  /** Drained = no request of ours in flight and vLLM (every gateway's traffic) reports none either. */
  async #unloadRetired(r: ReplicaState): Promise<void> {
    if (r.openUntil > Date.now() || !r.runtimeLoading) return;
    for (const id of this.retired) {
      if (!r.registered.has(id) || (r.inFlightByAdapter.get(id) ?? 0) > 0 || r.observedActive.has(id)) continue;
      const key = `${r.id}|${id}`;
      if (this.#unloading.has(key)) continue;
      this.#unloading.add(key);
      try {
        await this.loader.unload(r, id);
        this.#events.onUnload?.(r.id, id, 'ok');
      } catch {
        this.#events.onUnload?.(r.id, id, 'error');
      } finally {
        this.#unloading.delete(key);
      }
    }
  }

  /** One poll of every replica; also the breaker's probe: an ejected replica that answers comes back. */
  async pollOnce(): Promise<void> {
    await Promise.all(this.replicas.map((r) => this.#pollReplica(r)));
    await this.#unloadRetiredEverywhere();
  }

  async #pollReplica(r: ReplicaState): Promise<void> {
    const timeoutMs = Math.max(1000, this.#config.poll_interval_ms);
    const startedAt = Date.now();
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
      const now = Date.now();
      // During the cooldown an ejected replica stays out; the first good probe after it closes the breaker.
      if (r.openUntil <= now) {
        const wasDown = !r.seenUp || r.consecutiveFailures > 0;
        recordSuccess(r);
        if (wasDown) this.#events.onReplicaHealth?.(r.id, true);
      } else {
        r.seenUp = true;
      }
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
      // Metrics are advisory; /health and /v1/models decide health.
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
