/**
 * @module http/upstream-call — sends one generation request to a replica chosen by the pool, and retries on
 * another replica only while nothing has reached the client: connection failures and 5xx answers before
 * the response started. A 4xx is the request's fault and is answered as is.
 */

import type { Dispatcher } from 'undici';
import type { TenantConfig } from '../config/schema.ts';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import type { Plan } from '../routing/plan.ts';
import { stageSpan } from '../telemetry/spans.ts';
import type { Lease, ReplicaPool } from '../upstream/replica-pool.ts';
import { markUnregistered } from '../upstream/replica-state.ts';
import { generationError, isConnectFailure, parseUpstreamError, transportError } from '../upstream/upstream-errors.ts';
import type { Observer } from './deps.ts';

export interface UpstreamAnswer {
  lease: Lease;
  res: Dispatcher.ResponseData;
  /** For streams: the body with its first chunk already read (see `firstChunk`). */
  stream?: AsyncIterable<Buffer>;
}

/**
 * Reads a stream's first chunk before anything goes to the client, so that a replica that dies between its
 * headers and its first event is still retried elsewhere. Returns null when the body failed or ended empty.
 */
async function firstChunk(body: Dispatcher.ResponseData['body']): Promise<AsyncIterable<Buffer> | null> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: IteratorResult<Buffer>;
  try {
    first = await it.next();
  } catch {
    return null;
  }
  if (first.done) return null;
  return {
    async *[Symbol.asyncIterator]() {
      yield first.value;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

export async function callUpstream(
  pool: ReplicaPool,
  observer: Observer,
  plan: Plan,
  tenant: TenantConfig,
  path: string,
  bodyFor: (model: string) => string,
  signal: AbortSignal,
  headers?: Record<string, string>,
  stream = false,
): Promise<UpstreamAnswer> {
  const tried = new Set<string>();
  const attempts = pool.of(plan.baseModel).length + 1;
  let lastError: GatewayError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const lease = await stageSpan('replica_choice', undefined, () =>
      pool.acquire(plan, { exclude: tried, onAdapterFailure: tenant.on_adapter_failure }),
    );
    const replica = lease.replica;
    let res: Dispatcher.ResponseData;
    try {
      res = await replica.client.post(path, bodyFor(lease.model), { signal, headers });
    } catch (err) {
      if (signal.aborted) {
        lease.release('aborted');
        throw err;
      }
      const failure = transportError(err, replica.id);
      observer.upstreamError(replica.id, failure.code === 'upstream_timeout' ? 'timeout' : 'connect');
      lease.release('failed', failure.message);
      if (!isConnectFailure(err)) throw failure;
      tried.add(replica.id);
      lastError = failure;
      continue;
    }
    if (res.statusCode < 400) {
      if (!stream) return { lease, res };
      const body = await firstChunk(res.body);
      if (body) return { lease, res, stream: body };
      if (signal.aborted) {
        lease.release('aborted');
        throw new GatewayError('upstream_error', 'The client went away.');
      }
      observer.upstreamError(replica.id, 'stream_broken');
      lease.release('failed', 'the stream ended before its first event');
      res.body.destroy();
      tried.add(replica.id);
      lastError = new GatewayError(
        'upstream_error',
        `The model server (${replica.id}) closed the stream before its first event.`,
      );
      continue;
    }

    const info = parseUpstreamError(res.statusCode, await res.body.text().catch(() => ''));
    if (res.statusCode >= 500) {
      observer.upstreamError(replica.id, `http_${res.statusCode}`);
      lease.release('failed', info.message);
      tried.add(replica.id);
      lastError = generationError(info, replica.id);
      continue;
    }
    lease.release('ok');
    if (res.statusCode === 404 && plan.adapter && lease.model === plan.adapter.id) {
      // The replica no longer has the adapter (it restarted): forget it and load it again.
      markUnregistered(replica, plan.adapter.id);
      lastError = generationError(info, replica.id);
      continue;
    }
    throw generationError(info, replica.id);
  }
  if (lastError && lastError.code !== 'upstream_error') throw lastError;
  throw new GatewayError(
    'no_healthy_replica',
    `No model server for ${plan.baseModel} could take the request${lastError ? ` (last error: ${lastError.message})` : ''}.`,
    {
      headers: { 'retry-after': '1' },
    },
  );
}

export { isGatewayError };
