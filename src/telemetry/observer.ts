/**
 * @module telemetry/observer — the telemetry hooks the routes call (the `Observer` of src/http/deps.ts, matched
 * structurally so telemetry stays a leaf), implemented over `Metrics` and the request log.
 */
import type { Logger } from 'pino';
import { requestLog } from './logger.ts';
import { type CacheResult, type Metrics, NO_TENANT } from './metrics.ts';

/** One finished request as the route reports it (same shape as http/deps.ts `RequestRecord`). */
export interface FinishedRequest {
  requestId: string;
  endpoint: string;
  tenant: string | null;
  adapter: string | null;
  strategy: string | null;
  cache: string | null;
  replica: string | null;
  status: number;
  durationMs: number;
  ttftMs: number | null;
  usage: { prompt_tokens: number; completion_tokens?: number } | null;
  degraded: string[];
  citations: number;
  /** Present only when the tenant opted into content logging. */
  content?: { request: unknown; response: string };
  /** Defaults to the active span's trace id. */
  traceId?: string;
  /** The `id` of the answer the client got (chat completion id, or the Responses API's `resp_…`). */
  responseId?: string;
}

export interface TelemetryObserver {
  requestStarted(tenant: string): void;
  requestFinished(record: FinishedRequest): void;
  cacheResult(tenant: string, result: string): void;
  rateLimited(tenant: string): void;
  upstreamError(replica: string, kind: string): void;
  retrieval(tenant: string, seconds: number): void;
  /** Absent when metrics are off, so GET /metrics can answer 404. */
  renderMetrics?(): Promise<{ contentType: string; body: string }>;
}

const CACHE_RESULTS = new Set<string>(['hit', 'miss', 'bypass', 'coalesced']);

export function createObserver(metrics: Metrics, logger: Logger): TelemetryObserver {
  // Started-but-not-finished per tenant, so a finish without a start cannot drive the gauge below zero.
  const open = new Map<string, number>();
  const observer: TelemetryObserver = {
    requestStarted(tenant) {
      open.set(tenant, (open.get(tenant) ?? 0) + 1);
      metrics.inFlight(tenant, 1);
    },
    requestFinished(r) {
      const tenant = r.tenant ?? NO_TENANT;
      const pending = open.get(tenant) ?? 0;
      if (pending > 0) {
        if (pending === 1) open.delete(tenant);
        else open.set(tenant, pending - 1);
        metrics.inFlight(tenant, -1);
      }
      const adapter = r.adapter ?? 'none';
      metrics.requestFinished({ tenant, adapter, endpoint: r.endpoint, status: r.status }, r.durationMs / 1000);
      if (r.ttftMs != null && r.status < 400) metrics.firstToken(tenant, adapter, r.ttftMs / 1000);
      // Tokens vLLM processed: a cached or coalesced answer cost none.
      if (r.usage && r.cache !== 'hit' && r.cache !== 'coalesced') {
        metrics.tokens(tenant, adapter, r.usage.prompt_tokens, r.usage.completion_tokens ?? 0);
      }
      const content = r.content;
      requestLog(
        logger,
        {
          request_id: r.requestId,
          trace_id: r.traceId,
          endpoint: r.endpoint,
          tenant: r.tenant,
          adapter: r.adapter,
          strategy: r.strategy,
          cache: r.cache,
          status: r.status,
          duration_ms: r.durationMs,
          ttft_ms: r.ttftMs,
          tokens_in: r.usage?.prompt_tokens ?? null,
          tokens_out: r.usage?.completion_tokens ?? null,
          replica: r.replica,
          degraded: r.degraded,
        },
        { logContent: content !== undefined, content: () => content },
      );
    },
    cacheResult(tenant, result) {
      if (CACHE_RESULTS.has(result)) metrics.cache(tenant, result as CacheResult);
    },
    rateLimited: (tenant) => metrics.rateLimited(tenant),
    upstreamError: (replica, kind) => metrics.upstreamError(replica, kind),
    retrieval: (tenant, seconds) => metrics.retrieval(tenant, seconds),
  };
  if (metrics.enabled) observer.renderMetrics = () => metrics.render();
  return observer;
}

/** The replica pool's event hooks (upstream/replica-pool.ts `PoolEvents`, matched structurally). */
export interface TelemetryPoolEvents {
  onLoad(replicaId: string, adapterId: string, result: 'ok' | 'error', seconds: number): void;
  onReplicaHealth(replicaId: string, healthy: boolean): void;
}

export function poolEvents(metrics: Metrics): TelemetryPoolEvents {
  return {
    onLoad: (replica, adapter, result) => metrics.adapterLoad(replica, adapter, result),
    onReplicaHealth: (replica, healthy) => metrics.replicaHealth(replica, healthy),
  };
}
