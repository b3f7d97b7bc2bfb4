/** @module telemetry/config — the `telemetry` section; traces are exported per the standard OTEL_* variables. */
import { z } from 'zod';

/**
 * `metrics: true | false`, or an object: `/metrics` lists every tenant's names, adapters and token counts, so
 * it is for operators only — behind `bearer_token` (Prometheus `authorization: {credentials: …}`), or on its
 * own `listen` address (`host:port`, not exposed to tenants), or else answered to loopback clients only.
 */
export const metricsConfigSchema = z.union([
  z.boolean(),
  z
    .object({
      enabled: z.boolean().default(true),
      bearer_token: z.string().min(16, 'use at least 16 characters').optional(),
      listen: z
        .string()
        .regex(/^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'host:port')
        .optional(),
    })
    .strict(),
]);

export const telemetryConfigSchema = z
  .object({
    traces: z.boolean().default(false),
    metrics: metricsConfigSchema.default(true),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .default({ traces: false, metrics: true, log_level: 'info' });
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;

export interface MetricsSettings {
  enabled: boolean;
  bearerToken?: string;
  /** `{host, port}` of the metrics-only listener. */
  listen?: { host: string; port: number };
}

export function metricsSettings(value: TelemetryConfig['metrics']): MetricsSettings {
  if (typeof value === 'boolean') return { enabled: value };
  const out: MetricsSettings = { enabled: value.enabled !== false, bearerToken: value.bearer_token };
  if (value.listen) {
    const i = value.listen.lastIndexOf(':');
    out.listen = { host: value.listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(value.listen.slice(i + 1)) };
  }
  return out;
}
