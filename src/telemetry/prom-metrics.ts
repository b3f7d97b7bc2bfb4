/**
 * @module telemetry/prom-metrics — the Prometheus implementation of `Metrics` on prom-client, in a registry of
 * its own (never the global default, so tests and libraries cannot collide with it). Metric names are a
 * contract with deploy/grafana/lorag.json: rename one only together with the dashboard.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { labelGuard } from './label-guard.ts';
import { type Metrics, type MetricsOptions, NO_TENANT, type RequestTimer } from './metrics-api.ts';

// Request and TTFT buckets span a cached hit (ms) to a long generation (minutes).
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const RETRIEVAL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createPromMetrics(options: MetricsOptions = {}): Metrics {
  const register = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register, prefix: 'lorag_' });
    // prom-client exports these gauges with a `_total` suffix, which Prometheus reserves for counters
    // (`promtool check metrics` rejects them); the same numbers are in lorag_nodejs_active_{handles,requests,resources}.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
      register.removeSingleMetric(`lorag_nodejs_${name}`);
    }
  }

  const tenant = labelGuard(options.maxTenants ?? 100, [NO_TENANT, ...(options.tenants ?? [])]);
  const adapter = labelGuard(options.maxAdapters ?? 300, ['base', 'none', ...(options.adapters ?? [])]);
  const replica = labelGuard(options.maxReplicas ?? 100, options.replicas ?? []);
  // Fixed by code, not by users; guarded anyway so a mistake cannot explode the series count.
  const endpoint = labelGuard(32);
  const status = labelGuard(64);
  const errorKind = labelGuard(32);

  const requestDuration = new Histogram({
    name: 'lorag_request_duration_seconds',
    help: 'Time from request received to last byte sent, by tenant, resolved adapter, endpoint and HTTP status.',
    labelNames: ['tenant', 'adapter', 'endpoint', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [register],
  });
  const ttft = new Histogram({
    name: 'lorag_time_to_first_token_seconds',
    help: 'Time from request received to the first content token written to the client.',
    labelNames: ['tenant', 'adapter'] as const,
    buckets: TTFT_BUCKETS,
    registers: [register],
  });
  const tokens = new Counter({
    name: 'lorag_tokens_total',
    help: 'Tokens by direction: in = prompt tokens, out = completion tokens (upstream usage).',
    labelNames: ['tenant', 'adapter', 'direction'] as const,
    registers: [register],
  });
  const cache = new Counter({
    name: 'lorag_cache_requests_total',
    help: 'Response cache lookups by result (hit, miss, bypass, coalesced).',
    labelNames: ['tenant', 'result'] as const,
    registers: [register],
  });
  const adapterLoads = new Counter({
    name: 'lorag_adapter_loads_total',
    help: 'Runtime LoRA adapter loads on vLLM replicas by result (ok, error).',
    labelNames: ['replica', 'adapter', 'result'] as const,
    registers: [register],
  });
  const retrieval = new Histogram({
    name: 'lorag_retrieval_duration_seconds',
    help: 'Retrieval time per request: query embedding, hybrid search and context composition.',
    labelNames: ['tenant'] as const,
    buckets: RETRIEVAL_BUCKETS,
    registers: [register],
  });
  const upstreamErrors = new Counter({
    name: 'lorag_upstream_errors_total',
    help: 'Failed calls to vLLM replicas by kind.',
    labelNames: ['replica', 'kind'] as const,
    registers: [register],
  });
  const rateLimited = new Counter({
    name: 'lorag_rate_limited_total',
    help: 'Requests rejected with 429 by the per-tenant limits.',
    labelNames: ['tenant'] as const,
    registers: [register],
  });
  const inFlight = new Gauge({
    name: 'lorag_requests_in_flight',
    help: 'Requests being served (streams count until their last byte).',
    labelNames: ['tenant'] as const,
    registers: [register],
  });
  const replicaHealthy = new Gauge({
    name: 'lorag_replica_healthy',
    help: '1 when the vLLM replica is healthy (polled and circuit closed), else 0.',
    labelNames: ['replica'] as const,
    registers: [register],
  });

  const metrics: Metrics = {
    enabled: true,
    requestStarted(name = NO_TENANT): RequestTimer {
      const started = performance.now();
      let current = name;
      let done = false;
      metrics.inFlight(current, 1);
      return {
        setTenant(next) {
          if (done || next === current) return;
          metrics.inFlight(current, -1);
          metrics.inFlight(next, 1);
          current = next;
        },
        end(labels) {
          const seconds = (performance.now() - started) / 1000;
          if (done) return seconds;
          done = true;
          metrics.inFlight(current, -1);
          metrics.requestFinished({ ...labels, tenant: current }, seconds);
          return seconds;
        },
      };
    },
    requestFinished(labels, seconds) {
      requestDuration.observe(
        {
          tenant: tenant(labels.tenant),
          adapter: adapter(labels.adapter),
          endpoint: endpoint(labels.endpoint),
          status: status(String(labels.status)),
        },
        seconds,
      );
    },
    inFlight: (t, delta) => inFlight.inc({ tenant: tenant(t) }, delta),
    firstToken: (t, a, seconds) => ttft.observe({ tenant: tenant(t), adapter: adapter(a) }, seconds),
    tokens(t, a, input, output) {
      const labels = { tenant: tenant(t), adapter: adapter(a) };
      if (input > 0) tokens.inc({ ...labels, direction: 'in' }, input);
      if (output > 0) tokens.inc({ ...labels, direction: 'out' }, output);
    },
    cache: (t, result) => cache.inc({ tenant: tenant(t), result }),
    adapterLoad: (r, a, result) => adapterLoads.inc({ replica: replica(r), adapter: adapter(a), result }),
    upstreamError: (r, kind) => upstreamErrors.inc({ replica: replica(r), kind: errorKind(kind) }),
    rateLimited: (t) => rateLimited.inc({ tenant: tenant(t) }),
    retrieval: (t, seconds) => retrieval.observe({ tenant: tenant(t) }, seconds),
    replicaHealth: (r, healthy) => replicaHealthy.set({ replica: replica(r) }, healthy ? 1 : 0),
    async render() {
      return { contentType: register.contentType, body: await register.metrics() };
    },
  };
  return metrics;
}
