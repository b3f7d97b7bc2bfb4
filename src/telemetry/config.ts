/** @module telemetry/config — the `telemetry` section; traces are exported per the standard OTEL_* variables. */
import { z } from 'zod';

export const telemetryConfigSchema = z
  .object({
    traces: z.boolean().default(false),
    metrics: z.boolean().default(true),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .default({ traces: false, metrics: true, log_level: 'info' });
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;
