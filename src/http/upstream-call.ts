/**
 * @module http/upstream-call — sends one generation request to a replica chosen by the pool, and retries on
 * another replica only while nothing has reached the client: connection failures and 5xx answers before
 * the response started. A 4xx is the request's fault and is answered as is.
 */
import type { Dispatcher } from 'undici';
import type { TenantConfig } from '../config/schema.ts';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import type { Plan } from '../routing/plan.ts';
import type { Lease, ReplicaPool } from '../upstream/replica-pool.ts';
import { markUnregistered } from '../upstream/replica-state.ts';
import { generationError, isConnectFailure, parseUpstreamError, transportError } from '../upstream/upstream-errors.ts';
import type { Observer } from './deps.ts';

export interface UpstreamAnswer {
  lease: Lease;
  res: Dispatcher.ResponseData;
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
): Promise<UpstreamAnswer> {
  const tried = new Set<string>();
  const attempts = pool.of(plan.baseModel).length + 1;
  let lastError: GatewayError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const lease = await pool.acquire(plan, { exclude: tried, onAdapterFailure: tenant.on_adapter_failure });
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
    if (res.statusCode < 400) return { lease, res };

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
  throw new GatewayError('no_healthy_replica', `No model server for ${plan.baseModel} could take the request${lastError ? ` (last error: ${lastError.message})` : ''}.`, {
    headers: { 'retry-after': '1' },
  });
}

export { isGatewayError };
