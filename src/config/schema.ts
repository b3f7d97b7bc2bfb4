/**
 * @module config/schema — lorag.yaml as one zod schema. Backends are discriminated unions on `kind`;
 * each stage's section lives beside the stage (cache/config.ts, rag/config.ts, …) and is assembled here.
 */

import { z } from 'zod';
import { telemetryConfigSchema } from '../telemetry/config.ts';
import { adaptersSectionDefault, adaptersSectionSchema } from './adapters-section.ts';
import { budgetsConfigSchema, pricesConfigSchema } from './budgets-schema.ts';
import { cacheConfigSchema, tenantCacheSchema } from './cache-section.ts';
import { limitsConfigSchema, tenantLimitsSchema } from './limits-section.ts';
import {
  embeddingsConfigSchema,
  knowledgeConfigSchema,
  tenantRagSchema,
  vectorStoreConfigSchema,
} from './rag-section.ts';
import { responsesConfigSchema } from './responses-section.ts';
import { serverConfigSchema } from './server-section.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be the sha256 of the key, 64 lower-case hex digits');

export const apiKeySchema = z
  .object({
    sha256: sha256Hex,
    /** A label shown in logs and the usage ledger instead of the key. */
    name: z.string().min(1).optional(),
    expires_at: z.coerce.date().optional(),
  })
  .strict();
export type ApiKey = z.infer<typeof apiKeySchema>;

export const strategySchema = z.enum(['base', 'lora', 'rag', 'hybrid']);
export type Strategy = z.infer<typeof strategySchema>;

/** A traffic split between versions of one adapter, in percent: `{"legal@3": 90, "legal@4": 10}`. */
export const canarySplitSchema = z
  .record(z.string().regex(/^[^@\s]+@[^@\s]+$/, 'keys must be adapter@version'), z.number().min(0).max(100))
  .refine((split) => Math.abs(Object.values(split).reduce((a, b) => a + b, 0) - 100) < 1e-9, {
    message: 'weights must add up to 100',
  });

export const tenantSchema = z
  .object({
    keys: z.array(apiKeySchema).default([]),
    /** Adapter names (registry names) this tenant may use. */
    adapters: z.array(z.string().min(1)).default([]),
    /** The base model the tenant's base/rag requests go to (a name from `upstreams`); default the first. */
    base_model: z.string().min(1).optional(),
    strategy: z
      .object({ default: strategySchema.default('lora'), allowed: z.array(strategySchema).min(1).optional() })
      .strict()
      .default({ default: 'lora' }),
    collections: z.array(z.string().min(1)).default([]),
    /** Per adapter name, a split that wins over the manifest's default. */
    canary: z.record(z.string(), canarySplitSchema).default({}),
    /** When the adapter cannot be loaded: `error` (503 adapter_unavailable) or answer with the base model. */
    on_adapter_failure: z.enum(['error', 'base']).default('error'),
    cache: tenantCacheSchema,
    limits: tenantLimitsSchema,
    rag: tenantRagSchema,
    /** Log prompts and completions for this tenant (off: they are never logged). */
    log_content: z.boolean().default(false),
  })
  .strict();
export type TenantConfig = z.infer<typeof tenantSchema>;

export const replicaSchema = z
  .object({
    id: z.string().min(1).optional(),
    url: z.string().url(),
    /** Adapters preloaded on this replica with --lora-modules (registered names, e.g. legal@1). */
    preloaded: z.array(z.string()).default([]),
    /** Whether the replica runs with VLLM_ALLOW_RUNTIME_LORA_UPDATING (runtime loading). */
    runtime_lora_loading: z.boolean().default(true),
    /** --max-loras of the replica; observed from /metrics when present. */
    max_loras: z.number().int().min(1).optional(),
    api_key: z.string().optional(),
  })
  .strict();
export type ReplicaConfig = z.infer<typeof replicaSchema>;

export const baseModelSchema = z
  .object({
    /** The served model name on vLLM (`--served-model-name`, else `--model`). */
    name: z.string().min(1),
    max_model_len: z.number().int().min(16).optional(),
    replicas: z.array(replicaSchema).min(1),
  })
  .strict();

export const upstreamsSchema = z
  .object({
    base_models: z.array(baseModelSchema).min(1),
    timeouts: z
      .object({
        connect_ms: z.number().int().min(1).default(2000),
        /** Until vLLM's response headers arrive (includes queueing and prefill). */
        first_byte_ms: z.number().int().min(1).default(120_000),
        /** Longest silence between two stream chunks. */
        idle_ms: z.number().int().min(1).default(60_000),
        adapter_load_ms: z.number().int().min(1).default(120_000),
      })
      .strict()
      .default({ connect_ms: 2000, first_byte_ms: 120_000, idle_ms: 60_000, adapter_load_ms: 120_000 }),
    /** How often each replica's /v1/models and /metrics are polled. */
    poll_interval_ms: z.number().int().min(50).default(2000),
    circuit_breaker: z
      .object({ failures: z.number().int().min(1).default(3), cooldown_ms: z.number().int().min(1).default(5000) })
      .strict()
      .default({ failures: 3, cooldown_ms: 5000 }),
    connections_per_replica: z.number().int().min(1).default(128),
  })
  .strict();

export const configSchema = z
  .object({
    server: serverConfigSchema.prefault({}),
    admin: z
      .object({ keys: z.array(apiKeySchema).default([]) })
      .strict()
      .default({ keys: [] }),
    adapters: adaptersSectionSchema.default(adaptersSectionDefault),
    upstreams: upstreamsSchema,
    redis: z
      .object({
        url: z.string().optional(),
        /** Every Redis call gives up after this long and the request proceeds without it. */
        command_timeout_ms: z.number().int().min(1).default(50),
        key_prefix: z.string().default('lorag:'),
      })
      .strict()
      .default({ command_timeout_ms: 50, key_prefix: 'lorag:' }),
    cache: cacheConfigSchema,
    limits: limitsConfigSchema,
    embeddings: embeddingsConfigSchema,
    vector_store: vectorStoreConfigSchema,
    knowledge: knowledgeConfigSchema,
    telemetry: telemetryConfigSchema,
    prices: pricesConfigSchema,
    budgets: budgetsConfigSchema,
    responses: responsesConfigSchema,
    tenants: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'tenant ids are lower-case [a-z0-9_-]'), tenantSchema),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
