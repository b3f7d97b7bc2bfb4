/**
 * @module upstream/adapter-loader — ensureLoaded(replica, adapter@version): one `POST /v1/load_lora_adapter` per
 * (replica, adapter), however many first requests arrive together. Single-flight in this process; with a
 * `DistributedLock` (Redis) single-flight across gateway processes too: the holder of the short lock asks the
 * replica's `/v1/models` first and loads only when the adapter is not there yet, so a process that waited for
 * another's load sends no load call of its own. vLLM's "already loaded" answer (type InvalidUserInput with
 * that message — not any 400: older vLLM answers 400 for every load failure) counts as success.
 * `unload` is only called for versions retired through the admin API once they have drained
 * (vLLM's registry is unbounded; unloading does not make room, so nothing else is ever unloaded).
 */

import type { DistributedLock } from '../adapters/distributed-lock.ts';
import type { ResolvedAdapter } from '../adapters/registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { markRegistered, markUnregistered, type ReplicaState } from './replica-state.ts';
import { parseUpstreamError, runtimeOffMessage } from './upstream-errors.ts';

export interface LoadEvents {
  onLoad?(replicaId: string, adapterId: string, result: 'ok' | 'error', seconds: number): void;
}

/** Why a load failed: `runtime_off` and `unreachable` are about that replica, so another one may do. */
export type LoadFailure = 'runtime_off' | 'not_found' | 'unreachable' | 'failed';

export class AdapterLoadError extends GatewayError {
  readonly reason: LoadFailure;
  readonly replicaId: string;
  constructor(reason: LoadFailure, replicaId: string, message: string, cause?: unknown) {
    super('adapter_unavailable', message, { cause });
    this.reason = reason;
    this.replicaId = replicaId;
  }
}

export function isAlreadyLoaded(status: number, text: string): boolean {
  if (status !== 400) return false;
  const info = parseUpstreamError(status, text);
  return info.type === 'InvalidUserInput' && /has already been loaded/.test(info.message);
}

export class AdapterLoader {
  #inflight = new Map<string, Promise<void>>();
  #lock: DistributedLock | undefined;
  #timeoutMs: number;
  #events: LoadEvents;

  constructor(options: { lock?: DistributedLock; timeoutMs: number; events?: LoadEvents }) {
    this.#lock = options.lock;
    this.#timeoutMs = options.timeoutMs;
    this.#events = options.events ?? {};
  }

  /** Loads in progress in this process, as `replicaId|adapterId` (for the admin API). */
  loading(): string[] {
    return [...this.#inflight.keys()];
  }

  async ensureLoaded(replica: ReplicaState, adapter: ResolvedAdapter): Promise<void> {
    if (replica.registered.has(adapter.id)) return;
    const key = `${replica.id}|${adapter.id}`;
    let flight = this.#inflight.get(key);
    if (!flight) {
      flight = this.#loadOnce(replica, adapter).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, flight);
    }
    return flight;
  }

  async #loadOnce(replica: ReplicaState, adapter: ResolvedAdapter): Promise<void> {
    if (!replica.runtimeLoading) {
      throw new AdapterLoadError('runtime_off', replica.id, runtimeOffMessage(adapter.id, `replica ${replica.id}`));
    }
    if (!this.#lock) return this.#post(replica, adapter);
    // Keyed by URL: every gateway process knows the replica by its URL, ids are only local names.
    await this.#lock.withLock(`adapter-load:${replica.client.url}:${adapter.id}`, this.#timeoutMs, async () => {
      if (replica.registered.has(adapter.id)) return;
      if (await this.#listed(replica, adapter.id)) {
        markRegistered(replica, adapter.id);
        return;
      }
      await this.#post(replica, adapter);
    });
  }

  /** Whether the replica's /v1/models lists the adapter now (false when it cannot tell). */
  async #listed(replica: ReplicaState, adapterId: string): Promise<boolean> {
    try {
      const res = await replica.client.get('/v1/models', { timeoutMs: Math.min(this.#timeoutMs, 5000) });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return false;
      }
      const models = (await res.body.json()) as { data?: { id: string }[] };
      return (models.data ?? []).some((m) => m.id === adapterId);
    } catch {
      return false;
    }
  }

  async #post(replica: ReplicaState, adapter: ResolvedAdapter): Promise<void> {
    if (replica.registered.has(adapter.id)) return;
    const started = performance.now();
    const body = JSON.stringify({ lora_name: adapter.id, lora_path: adapter.source });
    let status: number;
    let text: string;
    try {
      const res = await replica.client.post('/v1/load_lora_adapter', body, { timeoutMs: this.#timeoutMs });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      this.#events.onLoad?.(replica.id, adapter.id, 'error', (performance.now() - started) / 1000);
      throw new AdapterLoadError(
        'unreachable',
        replica.id,
        `Loading adapter ${adapter.id} on replica ${replica.id} failed: ${(err as Error).message}`,
        err,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    if (status === 200 || isAlreadyLoaded(status, text)) {
      markRegistered(replica, adapter.id);
      this.#events.onLoad?.(replica.id, adapter.id, 'ok', seconds);
      return;
    }
    this.#events.onLoad?.(replica.id, adapter.id, 'error', seconds);
    const info = parseUpstreamError(status, text);
    if (info.routeMissing) {
      // The route exists only with VLLM_ALLOW_RUNTIME_LORA_UPDATING; remember, so this replica is not asked again.
      replica.runtimeLoading = false;
      throw new AdapterLoadError('runtime_off', replica.id, runtimeOffMessage(adapter.id, `replica ${replica.id}`));
    }
    // The message reaches tenants: never the source (a path on the replicas) — vLLM's own message names it too,
    // so it is masked there; the admin view and manifests show the source to admins.
    const said = adapter.source ? info.message.replaceAll(adapter.source, '<source>') : info.message;
    if (status === 404) {
      throw new AdapterLoadError(
        'not_found',
        replica.id,
        `Adapter ${adapter.id}: replica ${replica.id} found no adapter at its registered source (${said}).`,
      );
    }
    throw new AdapterLoadError(
      'failed',
      replica.id,
      `Adapter ${adapter.id} could not be loaded on replica ${replica.id}: ${said}`,
    );
  }

  /** `POST /v1/unload_lora_adapter`; "cannot be found" (already gone) counts as success. */
  async unload(replica: ReplicaState, adapterId: string): Promise<void> {
    const body = JSON.stringify({ lora_name: adapterId });
    const res = await replica.client.post('/v1/unload_lora_adapter', body, { timeoutMs: this.#timeoutMs });
    const text = await res.body.text();
    const info = res.statusCode === 200 ? null : parseUpstreamError(res.statusCode, text);
    if (info?.routeMissing)
      throw new GatewayError('invalid_request', `Replica ${replica.id} does not allow runtime LoRA unloading.`, {
        status: 409,
      });
    if (info && res.statusCode !== 404) {
      throw new GatewayError(
        'upstream_error',
        `Unloading ${adapterId} on replica ${replica.id} failed: ${info.message}`,
      );
    }
    markUnregistered(replica, adapterId);
  }
}
