/**
 * @module telemetry/metrics-api — the `Metrics` interface and its no-op implementation. Import from
 * `metrics.ts`, which also builds the Prometheus one.
 */
export type CacheResult = 'hit' | 'miss' | 'bypass' | 'coalesced';
export type AdapterLoadResult = 'ok' | 'error';

/** The label a request gets before its tenant is known (e.g. rejected by auth). */
export const NO_TENANT = 'none';

export interface RequestEnd {
  /** `adapter@version` as resolved, `base`, or `none` when the request never got that far. */
  adapter: string;
  /** The route pattern: `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/models`, … */
  endpoint: string;
  /** The HTTP status sent to the client. */
  status: number;
}

/** One request in flight: counted in `lorag_requests_in_flight` until `end`. */
export interface RequestTimer {
  /** Moves the in-flight count to `tenant` once auth has resolved it. */
  setTenant(tenant: string): void;
  /** Observes `lorag_request_duration_seconds` and leaves the in-flight gauge; returns the duration in seconds.
   *  Call it when the last byte was sent (streams) or the request failed; later calls are ignored. */
  end(labels: RequestEnd): number;
}

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

export interface Metrics {
  readonly enabled: boolean;
  /** At the start of the request (tenant may come later through `setTenant`); times it and counts it in flight. */
  requestStarted(tenant?: string): RequestTimer;
  /** The primitives under `requestStarted`, for callers that time requests themselves: observe one finished
   *  request's duration (seconds) … */
  requestFinished(labels: RequestEnd & { tenant: string }, seconds: number): void;
  /** … and move `lorag_requests_in_flight` by +1 (started) or -1 (finished). */
  inFlight(tenant: string, delta: 1 | -1): void;
  /** Time to first token, seconds, as the client saw it (first content byte written). */
  firstToken(tenant: string, adapter: string, seconds: number): void;
  /** Prompt and completion tokens from the upstream usage (or the cached answer's). */
  tokens(tenant: string, adapter: string, input: number, output: number): void;
  cache(tenant: string, result: CacheResult): void;
  adapterLoad(replica: string, adapter: string, result: AdapterLoadResult): void;
  /** `kind`: a short fixed vocabulary, e.g. `connect`, `timeout`, `status_5xx`, `stream_aborted`, `circuit_open`. */
  upstreamError(replica: string, kind: string): void;
  rateLimited(tenant: string): void;
  /** Embedding + hybrid search + compose, seconds. */
  retrieval(tenant: string, seconds: number): void;
  replicaHealth(replica: string, healthy: boolean): void;
  /** The Prometheus text exposition for GET /metrics. */
  render(): Promise<RenderedMetrics>;
}

export interface MetricsOptions {
  /** Configured tenant names: always kept as label values. */
  tenants?: Iterable<string>;
  /** Registry names `adapter@version` (and `base`): always kept as label values. */
  adapters?: Iterable<string>;
  /** Replica ids from config. */
  replicas?: Iterable<string>;
  /** Distinct values allowed per label beyond the known ones before `other` (defaults 100 / 300 / 100). */
  maxTenants?: number;
  maxAdapters?: number;
  maxReplicas?: number;
  /** Process metrics (`lorag_process_*`, `lorag_nodejs_*`); default true. */
  defaultMetrics?: boolean;
}

const noopTimer: RequestTimer = { setTenant() {}, end: () => 0 };

/** Same interface, records nothing; `render` answers an empty exposition. */
export const noopMetrics: Metrics = {
  enabled: false,
  requestStarted: () => noopTimer,
  requestFinished() {},
  inFlight() {},
  firstToken() {},
  tokens() {},
  cache() {},
  adapterLoad() {},
  upstreamError() {},
  rateLimited() {},
  retrieval() {},
  replicaHealth() {},
  render: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
};
