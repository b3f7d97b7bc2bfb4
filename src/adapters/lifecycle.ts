/**
 * @module adapters/lifecycle — ensureLoaded(replica, adapter@version): one `POST /v1/load_lora_adapter` per
 * (replica, adapter), however many first requests arrive together (single-flight in this process; a
 * `DistributedLock` makes it single-flight across gateway processes). vLLM's "already loaded" answer
 * (type InvalidUserInput with that message — not any 400: older vLLM answers 400 for every load failure)
 * counts as success.
 */
import { GatewayError } from '../errors/gateway-error.ts';
import type { ReplicaState } from '../upstream/replica-state.ts';
import { parseUpstreamError } from '../upstream/upstream-errors.ts';
import type { ResolvedAdapter } from './registry.ts';

/** Cross-process mutual exclusion (Redis SET NX PX); absent = in-process only. */
export interface DistributedLock {
  /** Runs fn while holding the lock, or waits for the holder and returns null when it has finished. */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T | null>;
}

export interface LoadEvents {
  onLoad?(replicaId: string, adapterId: string, result: 'ok' | 'error', seconds: number): void;
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
    if (!this.#lock) return this.#post(replica, adapter);
    const done = await this.#lock.withLock(`adapter-load:${replica.id}:${adapter.id}`, this.#timeoutMs, async () => {
      await this.#post(replica, adapter);
      return true;
    });
    // Another gateway process held the lock and finished: it has loaded it (or failed; then we try ourselves).
    if (done === null && !replica.registered.has(adapter.id)) await this.#post(replica, adapter);
  }

  async #post(replica: ReplicaState, adapter: ResolvedAdapter): Promise<void> {
    if (replica.registered.has(adapter.id)) return;
    if (!replica.config.runtime_lora_loading) {
      throw new GatewayError(
        'adapter_unavailable',
        `Adapter ${adapter.id} is not preloaded on replica ${replica.id} and runtime LoRA loading is off there (start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=true, or preload it with --lora-modules).`,
      );
    }
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
      throw new GatewayError('adapter_unavailable', `Loading adapter ${adapter.id} on replica ${replica.id} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    if (status === 200 || isAlreadyLoaded(status, text)) {
      replica.registered.add(adapter.id);
      this.#events.onLoad?.(replica.id, adapter.id, 'ok', seconds);
      return;
    }
    this.#events.onLoad?.(replica.id, adapter.id, 'error', seconds);
    const info = parseUpstreamError(status, text);
    if (info.routeMissing) {
      throw new GatewayError(
        'adapter_unavailable',
        `Adapter ${adapter.id} is not loaded on replica ${replica.id}, and that replica does not allow runtime LoRA loading (no /v1/load_lora_adapter route; set VLLM_ALLOW_RUNTIME_LORA_UPDATING=true or preload the adapter).`,
      );
    }
    if (status === 404) {
      throw new GatewayError('adapter_unavailable', `Adapter ${adapter.id}: replica ${replica.id} found no adapter at ${adapter.source} (${info.message}).`);
    }
    throw new GatewayError('adapter_unavailable', `Adapter ${adapter.id} could not be loaded on replica ${replica.id}: ${info.message}`);
  }
}
