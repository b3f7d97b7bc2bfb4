/**
 * @module upstream/replica-pool — the vLLM replicas, grouped by the base model they serve, and the only owner
 * of their state: observed state refreshed by polling (replica-poll.ts), a circuit breaker per replica
 * (ejected after failed polls or failed requests, probed back by the poll), operator drain, retirement
 * (unload once drained) and leases (a reserved slot, released exactly once). Nothing outside upstream/ sees a
 * `ReplicaState`: the request path goes through `send()` (send.ts), admin routes through the view methods.
 */

import type { AdminAdapters, ReplicaView } from '../adapters/admin-view.ts';
import type { DistributedLock } from '../adapters/distributed-lock.ts';
import type { AdapterRegistry, ResolvedAdapter } from '../adapters/registry.ts';
import type { Config } from '../config/schema.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { AdapterLoader, type LoadEvents } from './adapter-loader.ts';
import { chooseReplica } from './choose-replica.ts';
import { pollReplica } from './replica-poll.ts';
import {
  canServe,
  isAvailable,
  markUnregistered,
  newReplicaState,
  type ReplicaState,
  recordFailure,
  recordSuccess,
  reserve,
  unreserve,
} from './replica-state.ts';
import { adminAdapters, replicaView } from './replica-view.ts';
import { localSlots, type SlotLedger } from './slot-ledger.ts';
import { createReplicaClient, type ReplicaClient, type ReplicaClientOptions } from './vllm-client.ts';

/** A reserved slot on one replica (upstream-internal); `release` exactly once. */
export interface Reserved {
  replica: ReplicaState;
  release(outcome: LeaseOutcome, error?: string): void;
}
export type LeaseOutcome = 'ok' | 'failed' | 'aborted';

export interface PoolEvents extends LoadEvents {
  onReplicaHealth?(replicaId: string, healthy: boolean): void;
  onUnload?(replicaId: string, adapterId: string, result: 'ok' | 'error'): void;
}

export interface PoolOptions {
  lock?: DistributedLock;
  events?: PoolEvents;
  /** How a replica's HTTP client is made; tests pass one over an undici `MockAgent`. */
  clientFactory?: (options: ReplicaClientOptions) => ReplicaClient;
  /** Per-(replica, adapter) in-flight counts; shared through Redis when several gateways serve. */
  slots?: SlotLedger;
}

export class ReplicaPool {
  readonly #replicas: ReplicaState[];
  readonly #loader: AdapterLoader;
  /** Adapter ids retired through the admin API: unloaded from each replica once nothing is in flight. */
  readonly #retired = new Set<string>();
  readonly #config: Config['upstreams'];
  readonly #events: PoolEvents;
  readonly #unloading = new Set<string>();
  readonly slots: SlotLedger;
  #timer: NodeJS.Timeout | undefined;

  constructor(config: Config['upstreams'], options: PoolOptions = {}) {
    this.#config = config;
    this.#events = options.events ?? {};
    const makeClient = options.clientFactory ?? createReplicaClient;
    this.#replicas = config.base_models.flatMap((base) =>
      base.replicas.map((rc, i) => {
        const id = rc.id ?? `${base.name}-${i}`;
        const client = makeClient({
          id,
          url: rc.url,
          apiKey: rc.api_key,
          timeouts: config.timeouts,
          connections: config.connections_per_replica,
        });
        return newReplicaState(id, base.name, rc, client);
      }),
    );
    this.#loader = new AdapterLoader({
      lock: options.lock,
      timeoutMs: config.timeouts.adapter_load_ms,
      events: this.#events,
    });
    this.slots = options.slots ?? localSlots();
  }

  // ── used by send() (upstream-internal) ──────────────────────────────────────────────────────────────────

  /** The replicas of a base model (upstream-internal: send() chooses among them). */
  of(baseModel: string): ReplicaState[] {
    return this.#replicas.filter((r) => r.baseModel === baseModel);
  }

  /**
   * Chooses a replica for the adapter (or the base model) and reserves a slot there at once, so concurrent
   * choices — in this process, and in every gateway when the slot ledger is shared — see it busy.
   */
  async pick(baseModel: string, adapterId: string | null, exclude: ReadonlySet<string>): Promise<Reserved | undefined> {
    if (adapterId !== null && this.slots.shared) {
      const now = Date.now();
      const candidates = this.of(baseModel).filter(
        (r) => !exclude.has(r.id) && isAvailable(r, now) && canServe(r, adapterId),
      );
      if (candidates.length) {
        const url = await this.slots.claim(
          candidates.map((r) => ({
            url: r.client.url,
            maxLoras: r.maxLoras,
            registered: r.registered.has(adapterId),
            load: r.inFlight + r.observedWaiting,
          })),
          adapterId,
        );
        const claimed = url === null ? undefined : candidates.find((r) => r.client.url === url);
        if (claimed) return this.#reserve(claimed, adapterId, true);
      }
    }
    const replica = chooseReplica(this.of(baseModel), adapterId, exclude);
    return replica && this.#reserve(replica, adapterId ?? 'base', false);
  }

  #reserve(replica: ReplicaState, key: string, claimed: boolean): Reserved {
    reserve(replica, key);
    if (!claimed && key !== 'base') this.slots.add(replica.client.url, key, 1);
    let released = false;
    return {
      replica,
      release: (outcome, error) => {
        if (released) return;
        released = true;
        unreserve(replica, key);
        if (key !== 'base') this.slots.add(replica.client.url, key, -1);
        if (outcome === 'ok') recordSuccess(replica);
        else if (outcome === 'failed') this.fail(replica, error ?? 'request failed');
        if (this.#retired.has(key)) void this.#unloadRetired(replica);
      },
    };
  }

  ensureLoaded(replica: ReplicaState, adapter: ResolvedAdapter): Promise<void> {
    return this.#loader.ensureLoaded(replica, adapter);
  }

  /** The replica answered 404 for an adapter we registered: it restarted; load it again next time. */
  forget(replica: ReplicaState, adapterId: string): void {
    markUnregistered(replica, adapterId);
  }

  fail(replica: ReplicaState, error: string): void {
    const wasOpen = replica.openUntil > Date.now();
    const { failures, cooldown_ms } = this.#config.circuit_breaker;
    recordFailure(replica, error, failures, cooldown_ms, Date.now());
    if (!wasOpen && replica.openUntil > Date.now()) this.#events.onReplicaHealth?.(replica.id, false);
  }

  // ── read by the request path and health ────────────────────────────────────────────────────────────────

  maxModelLen(baseModel: string): number | undefined {
    return this.#config.base_models.find((b) => b.name === baseModel)?.max_model_len;
  }

  /** Ready while at least one replica is not ejected and has answered at least once. */
  healthyCount(): number {
    const now = Date.now();
    return this.#replicas.filter((r) => r.seenUp && r.openUntil <= now).length;
  }

  // ── admin ──────────────────────────────────────────────────────────────────────────────────────────────

  replicaViews(): ReplicaView[] {
    return this.#replicas.map((r) => replicaView(r));
  }

  replicaView(id: string): ReplicaView | undefined {
    const r = this.#byId(id);
    return r && replicaView(r);
  }

  adminView(registry: AdapterRegistry): AdminAdapters {
    return adminAdapters(registry, this.#replicas, this.#loader.loading());
  }

  /** Replica ids where the adapter is registered now. */
  registeredOn(adapterId: string): string[] {
    return this.#replicas.filter((r) => r.registered.has(adapterId)).map((r) => r.id);
  }

  /** Admin: load an adapter on one replica (404 for an unknown replica, 400 for another base model). */
  async loadOn(replicaId: string, adapter: ResolvedAdapter): Promise<void> {
    const replica = this.#existing(replicaId);
    if (adapter.baseModel !== replica.baseModel) {
      throw new GatewayError(
        'invalid_value',
        `${adapter.id} is for ${adapter.baseModel}; replica ${replica.id} serves ${replica.baseModel}.`,
        { param: 'adapter' },
      );
    }
    await this.#loader.ensureLoaded(replica, adapter);
  }

  /** Admin: unload from one replica; refused (409) while requests for it are in flight there. */
  async unloadFrom(replicaId: string, adapterId: string): Promise<void> {
    const replica = this.#existing(replicaId);
    if ((replica.inFlightByAdapter.get(adapterId) ?? 0) > 0 || replica.observedActive.has(adapterId)) {
      throw new GatewayError(
        'invalid_request',
        `${adapterId} has requests in flight on ${replica.id}; retire it instead, it is unloaded once drained.`,
        { status: 409, param: 'adapter' },
      );
    }
    await this.#loader.unload(replica, adapterId);
  }

  /** Admin: stop routing new requests to the replica (in-flight ones finish), or route to it again. */
  setDrained(id: string, drained: boolean): ReplicaView | undefined {
    const r = this.#byId(id);
    if (!r) return undefined;
    r.drained = drained;
    return replicaView(r);
  }

  /** Admin: the version is retired; unload it wherever it is registered, as soon as it has drained there. */
  retire(adapterId: string): Promise<void> {
    this.#retired.add(adapterId);
    return this.#unloadRetiredEverywhere();
  }

  #byId(id: string): ReplicaState | undefined {
    return this.#replicas.find((r) => r.id === id);
  }

  #existing(id: string): ReplicaState {
    const r = this.#byId(id);
    if (!r) throw new GatewayError('not_found', `No replica ${id}.`);
    return r;
  }

  async #unloadRetiredEverywhere(): Promise<void> {
    await Promise.all(this.#replicas.map((r) => this.#unloadRetired(r)));
  }

  /** Drained = no request of ours in flight and vLLM (every gateway's traffic) reports none either. */
  async #unloadRetired(r: ReplicaState): Promise<void> {
    if (r.openUntil > Date.now() || !r.runtimeLoading) return;
    for (const id of this.#retired) {
      if (!r.registered.has(id) || (r.inFlightByAdapter.get(id) ?? 0) > 0 || r.observedActive.has(id)) continue;
      const key = `${r.id}|${id}`;
      if (this.#unloading.has(key)) continue;
      this.#unloading.add(key);
      try {
        await this.#loader.unload(r, id);
        this.#events.onUnload?.(r.id, id, 'ok');
      } catch {
        this.#events.onUnload?.(r.id, id, 'error');
      } finally {
        this.#unloading.delete(key);
      }
    }
  }

  // ── polling ────────────────────────────────────────────────────────────────────────────────────────────

  /** One poll of every replica; also the breaker's probe: an ejected replica that answers comes back. */
  async pollOnce(): Promise<void> {
    const timeoutMs = Math.max(1000, this.#config.poll_interval_ms);
    await Promise.all(
      this.#replicas.map(async (r) => {
        const result = await pollReplica(r, timeoutMs);
        if (result.error !== null) return this.fail(r, result.error);
        if (result.cameBack) this.#events.onReplicaHealth?.(r.id, true);
      }),
    );
    await this.#unloadRetiredEverywhere();
  }

  start(): void {
    void this.pollOnce();
    this.#timer = setInterval(() => void this.pollOnce(), this.#config.poll_interval_ms);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.#replicas.map((r) => r.client.close()));
    await this.slots.close?.();
  }
}
