/**
 * @module upstream/send — the whole call to vLLM for one generation request, and its one retry loop: choose a
 * replica (LoRA affinity), reserve a slot, make sure the adapter is registered there, post, and for a stream
 * read the first event — all before anything reaches the client, so that every failure up to that point can
 * be retried on another replica. Only transport failures and 5xx answers count against a replica (breaker);
 * a 4xx is the request's own fault and is answered as is. The body is serialised before any replica is
 * touched: a body that cannot be serialised is the client's error, never a replica's.
 */
import type { Dispatcher } from 'undici';
import type { ResolvedAdapter } from '../adapters/registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Plan } from '../routing/plan.ts';
import { stageSpan } from '../telemetry/spans.ts';
import { AdapterLoadError } from './adapter-loader.ts';
import { readFirstChunk } from './first-chunk.ts';
import type { LeaseOutcome, ReplicaPool, Reserved } from './replica-pool.ts';
import type { ReplicaState } from './replica-state.ts';
import {
  adapterUnavailable,
  generationError,
  isConnectFailure,
  noHealthyReplica,
  parseUpstreamError,
  transportError,
} from './upstream-errors.ts';

export interface SendRequest {
  plan: Plan;
  path: '/v1/chat/completions' | '/v1/completions';
  /** The request as vLLM should get it, without `model` (set per attempt: the adapter, or the base model). */
  body: Record<string, unknown>;
  stream: boolean;
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** The tenant's policy when the adapter cannot be loaded anywhere. */
  onAdapterFailure: 'error' | 'base';
}

/** What the respond step gets: a started answer on one replica, and the one call that ends its lease. */
export interface UpstreamAnswer {
  replicaId: string;
  /** The adapter could not be loaded and the tenant's policy sent the request to the base model. */
  degradedToBase: boolean;
  statusCode: number;
  /** The response body; for a stream its first chunk was read already and is replayed first. */
  body: AsyncIterable<Buffer>;
  /** The whole body as text (non-stream answers). */
  text(): Promise<string>;
  /** Stops reading (client gone, stream broken). */
  destroy(): void;
  /** Exactly once: `ok` after a complete answer, `failed` when the replica failed, `aborted` otherwise. */
  release(outcome: LeaseOutcome, error?: string): void;
}

export interface SendEvents {
  upstreamError?(replicaId: string, kind: string): void;
}

export async function send(pool: ReplicaPool, req: SendRequest, events: SendEvents = {}): Promise<UpstreamAnswer> {
  const { plan, signal } = req;
  const serialised = serialiser(req.body);
  const replicas = pool.of(plan.baseModel);
  const tried = new Set<string>();
  let adapter: ResolvedAdapter | null = plan.adapter;
  let lastError: GatewayError | undefined;
  let loadFailure: GatewayError | undefined;
  // Each failed replica is excluded, so the loop ends; a replica that lost the adapter (404) is tried again once.
  for (let attempt = 0; attempt < 2 * replicas.length + 2; attempt++) {
    const adapterNow = adapter;
    // The choice and the load it may need form one span (adapter_load nests under replica_choice).
    const placed = await stageSpan('replica_choice', undefined, () => place(pool, plan.baseModel, adapterNow, tried));
    if (placed.kind === 'none') {
      if (
        adapter &&
        req.onAdapterFailure === 'base' &&
        (loadFailure ?? whyNone(pool, plan, tried)).code === 'adapter_unavailable'
      ) {
        // The tenant allows the base model when its adapter cannot be had: start over among all replicas.
        adapter = null;
        tried.clear();
        continue;
      }
      if (adapter) throw loadFailure ?? whyNone(pool, plan, tried);
      throw noHealthyReplica(plan.baseModel, lastError);
    }
    if (placed.kind === 'load_failed') {
      const { replica, error: err } = placed;
      const failure = err instanceof GatewayError ? err : new GatewayError('adapter_unavailable', String(err));
      if (err instanceof AdapterLoadError && err.reason === 'unreachable') pool.fail(replica, err.message);
      tried.add(replica.id);
      // Another replica may have the route or be reachable; a missing or broken adapter fails everywhere.
      if (err instanceof AdapterLoadError && (err.reason === 'runtime_off' || err.reason === 'unreachable')) {
        if (err.reason === 'unreachable') lastError = failure;
        continue;
      }
      loadFailure = failure;
      if (req.onAdapterFailure === 'base' && failure.code === 'adapter_unavailable') {
        adapter = null;
        tried.clear();
        continue;
      }
      throw failure;
    }
    const { replica, release } = placed;
    const model = adapter?.id ?? plan.upstreamModel;
    const body = serialised(adapter ? adapter.id : plan.adapter ? plan.baseModel : plan.upstreamModel);
    let res: Dispatcher.ResponseData;
    try {
      res = await replica.client.post(req.path, body, { signal, headers: req.headers });
    } catch (err) {
      if (signal.aborted) {
        release('aborted');
        throw err;
      }
      const failure = transportError(err, replica.id);
      events.upstreamError?.(replica.id, failure.code === 'upstream_timeout' ? 'timeout' : 'connect');
      release('failed', failure.message);
      if (!isConnectFailure(err)) throw failure;
      tried.add(replica.id);
      lastError = failure;
      continue;
    }
    if (res.statusCode < 400) {
      const degradedToBase = plan.adapter !== null && adapter === null;
      if (!req.stream) return answerOf(replica, res, res.body, release, degradedToBase);
      const stream = await readFirstChunk(res.body);
      if (stream) return answerOf(replica, res, stream, release, degradedToBase);
      res.body.destroy();
      if (signal.aborted) {
        release('aborted');
        throw new GatewayError('upstream_error', 'The client went away.');
      }
      events.upstreamError?.(replica.id, 'stream_broken');
      release('failed', 'the stream ended before its first event');
      tried.add(replica.id);
      lastError = new GatewayError('upstream_error', 'The model server closed the stream before its first event.');
      continue;
    }

    const info = parseUpstreamError(res.statusCode, await res.body.text().catch(() => ''));
    if (res.statusCode >= 500) {
      events.upstreamError?.(replica.id, `http_${res.statusCode}`);
      release('failed', info.message);
      tried.add(replica.id);
      lastError = generationError(info, replica.id);
      continue;
    }
    release('ok');
    if (res.statusCode === 404 && adapter && model === adapter.id && attempt <= replicas.length) {
      // The replica no longer has the adapter (it restarted): forget it and load it again.
      pool.forget(replica, adapter.id);
      lastError = generationError(info, replica.id);
      continue;
    }
    throw generationError(info, replica.id);
  }
  if (lastError && lastError.code !== 'upstream_error') throw lastError;
  throw noHealthyReplica(plan.baseModel, lastError);
}

/** `JSON.stringify` once per model name; a body that cannot be serialised is a 400, before any replica. */
function serialiser(body: Record<string, unknown>): (model: string) => string {
  const cache = new Map<string, string>();
  return (model) => {
    let text = cache.get(model);
    if (text === undefined) {
      try {
        text = JSON.stringify({ ...body, model });
      } catch {
        throw new GatewayError('invalid_request', 'The request body could not be serialised (nested too deeply?).');
      }
      cache.set(model, text);
    }
    return text;
  };
}

type Placement =
  | { kind: 'none' }
  | { kind: 'load_failed'; replica: ReplicaState; error: unknown }
  | ({ kind: 'placed' } & Reserved);

/** A replica with a reserved slot and the adapter registered there, or why not. */
async function place(
  pool: ReplicaPool,
  baseModel: string,
  adapter: ResolvedAdapter | null,
  exclude: ReadonlySet<string>,
): Promise<Placement> {
  const picked = await pool.pick(baseModel, adapter?.id ?? null, exclude);
  if (!picked) return { kind: 'none' };
  if (!adapter) return { kind: 'placed', ...picked };
  const { replica } = picked;
  try {
    // A span only for a real load (registered adapters return at once).
    if (replica.registered.has(adapter.id)) await pool.ensureLoaded(replica, adapter);
    else
      await stageSpan('adapter_load', { 'lorag.adapter': adapter.id, 'lorag.replica': replica.id }, () =>
        pool.ensureLoaded(replica, adapter),
      );
  } catch (error) {
    // Not the replica's failure as a request would be: the load says why (and the loop decides).
    picked.release('aborted');
    return { kind: 'load_failed', replica, error };
  }
  return { kind: 'placed', ...picked };
}

/** Why no replica can take the adapter: none healthy, or none that has it or may load it. */
function whyNone(pool: ReplicaPool, plan: Plan, exclude: ReadonlySet<string>): GatewayError {
  const adapterId = plan.adapter!.id;
  const now = Date.now();
  const all = pool.of(plan.baseModel);
  const up = all.filter((r) => !exclude.has(r.id) && r.openUntil <= now && !r.drained);
  if (up.length === 0 && all.some((r) => r.runtimeLoading || r.registered.has(adapterId))) {
    return noHealthyReplica(plan.baseModel);
  }
  return adapterUnavailable(adapterId, `any replica of ${plan.baseModel}`);
}

function answerOf(
  replica: ReplicaState,
  res: Dispatcher.ResponseData,
  body: AsyncIterable<Buffer>,
  release: UpstreamAnswer['release'],
  degradedToBase: boolean,
): UpstreamAnswer {
  return {
    replicaId: replica.id,
    degradedToBase,
    statusCode: res.statusCode,
    body,
    text: () => res.body.text(),
    destroy: () => res.body.destroy(),
    release,
  };
}
