/**
 * @module adapters/admin-view — what `GET /admin/adapters` and `lorag adapters status` show: every adapter
 * and version from the registry (desired state) beside where each is registered, loading and in flight on
 * each replica (observed state), and each replica's health and drain state. Plain data, built without I/O.
 */
import { z } from 'zod';
import { busyAdapters, type ReplicaState } from '../upstream/replica-state.ts';
import { registeredName } from './manifest.ts';
import type { AdapterRegistry } from './registry.ts';

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

export function replicaView(r: ReplicaState, now = Date.now()): ReplicaView {
  return {
    id: r.id,
    base_model: r.baseModel,
    url: r.client.url,
    healthy: r.seenUp && r.openUntil <= now,
    drained: r.drained,
    max_loras: r.maxLoras,
    runtime_loading: r.runtimeLoading,
    in_flight: r.inFlight,
    running: r.observedRunning,
    waiting: r.observedWaiting,
    kv_cache_usage: r.kvCacheUsage,
    busy: [...busyAdapters(r)].sort(),
    registered: [...r.registered].sort(),
    last_error: r.lastError,
  };
}

export function adminAdapters(registry: AdapterRegistry, replicas: ReplicaState[], loading: string[]): AdminAdapters {
  const inLoad = new Set(loading);
  const data = registry.all().map((m) => ({
    name: m.name,
    description: m.description,
    base_model: m.base_model,
    split: registry.defaultSplit(m.name),
    versions: m.versions.map((v) => {
      const id = registeredName(m.name, v.version);
      const placements = replicas
        .filter((r) => r.baseModel === m.base_model)
        .map((r) => ({
          replica: r.id,
          registered: r.registered.has(id),
          loading: inLoad.has(`${r.id}|${id}`),
          in_flight: r.inFlightByAdapter.get(id) ?? 0,
          active: r.observedActive.has(id),
        }));
      return {
        version: v.version,
        id,
        source: v.source,
        retired: v.retired,
        unload_pending: v.retired && placements.some((p) => p.registered),
        replicas: placements,
      };
    }),
  }));
  return { object: 'list', data, replicas: replicas.map((r) => replicaView(r)) };
}
