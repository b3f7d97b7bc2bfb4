/**
 * @module adapters/admin-view — the shape of what `GET /admin/adapters` and `lorag adapters status` show:
 * every adapter and version from the registry (desired state) beside where each is registered, loading and in
 * flight on each replica (observed state), and each replica's health and drain state. The schemas only; the
 * pool, which owns replica state, builds the view (upstream/replica-view.ts).
 */
import { z } from 'zod';

export const replicaViewSchema = z.object({
  id: z.string(),
  base_model: z.string(),
  url: z.string(),
  healthy: z.boolean(),
  drained: z.boolean(),
  max_loras: z.number(),
  runtime_loading: z.boolean(),
  in_flight: z.number(),
  running: z.number(),
  waiting: z.number(),
  kv_cache_usage: z.number().nullable(),
  busy: z.array(z.string()),
  registered: z.array(z.string()),
  last_error: z.string().nullable(),
});
export type ReplicaView = z.infer<typeof replicaViewSchema>;

export const placementSchema = z.object({
  replica: z.string(),
  registered: z.boolean(),
  loading: z.boolean(),
  /** This gateway's requests in flight there. */
  in_flight: z.number(),
  /** vLLM reports requests for it in flight (any gateway). */
  active: z.boolean(),
});

export const adapterViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  base_model: z.string(),
  split: z.record(z.string(), z.number()),
  versions: z.array(
    z.object({
      version: z.string(),
      id: z.string(),
      source: z.string(),
      retired: z.boolean(),
      /** Retired and still registered somewhere: unloaded once it has drained. */
      unload_pending: z.boolean(),
      replicas: z.array(placementSchema),
    }),
  ),
});
export type AdapterView = z.infer<typeof adapterViewSchema>;

export const adminAdaptersSchema = z.object({
  object: z.literal('list'),
  data: z.array(adapterViewSchema),
  replicas: z.array(replicaViewSchema),
});
export type AdminAdapters = z.infer<typeof adminAdaptersSchema>;
