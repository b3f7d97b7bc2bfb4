/** @module limits/config — the `limits` section and per-tenant limits. */
import { z } from 'zod';

export const limitsConfigSchema = z
  .object({
    /** `redis`: shared across gateway replicas (falls back to memory while Redis is down); `memory`: per process. */
    kind: z.enum(['memory', 'redis']).default('memory'),
  })
  .strict()
  .default({ kind: 'memory' });

export const tenantLimitsSchema = z
  .object({
    requests_per_minute: z.number().int().min(1).optional(),
    tokens_per_minute: z.number().int().min(1).optional(),
    concurrent: z.number().int().min(1).optional(),
  })
  .strict()
  .default({});
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;
