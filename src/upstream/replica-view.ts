/**
 * @module upstream/replica-view — builds the admin view (adapters/admin-view.ts schemas) from the registry and
 * the pool's replica state, without I/O.
 */
import type { AdminAdapters, ReplicaView } from '../adapters/admin-view.ts';
import { registeredName } from '../adapters/manifest.ts';
import type { AdapterRegistry } from '../adapters/registry.ts';
import { busyAdapters, type ReplicaState } from './replica-state.ts';

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
