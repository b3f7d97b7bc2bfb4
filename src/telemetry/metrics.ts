/**
 * @module telemetry/metrics — the gateway's metrics as one small interface the request path calls, with two
 * implementations: Prometheus (prom-client, own registry, served on GET /metrics) and a no-op for
 * `telemetry.metrics: false`. Label values are config names only (tenant, adapter@version, replica id); a
 * guard maps anything past a bounded number of distinct values to `other`.
 */
import { metricsSettings, type TelemetryConfig } from './config.ts';
import { type Metrics, type MetricsOptions, noopMetrics } from './metrics-api.ts';
import { createPromMetrics } from './prom-metrics.ts';

export * from './metrics-api.ts';
export { createPromMetrics };

/** Prometheus metrics when `telemetry.metrics` is on (the default), else the no-op. */
export function createMetrics(config: Pick<TelemetryConfig, 'metrics'>, options: MetricsOptions = {}): Metrics {
  return metricsSettings(config.metrics).enabled ? createPromMetrics(options) : noopMetrics;
}
