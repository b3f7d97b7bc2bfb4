/**
 * @module adapters/admin-state-memory — AdminStateStore in this process only: without Redis every gateway
 * process keeps its own admin state (persisted to the manifests, so it survives a restart of that process).
 * Several instances may share one `MemoryAdminStateBackend` (tests: stands in for one store seen by two).
 */
import { type AdminSnapshot, type AdminStateStore, adminStateSchema, emptyAdminState } from './admin-state.ts';

export interface MemoryAdminStateBackend {
  snapshot: AdminSnapshot;
  listeners: Set<(s: AdminSnapshot) => void>;
}

export function memoryAdminStateBackend(): MemoryAdminStateBackend {
  return { snapshot: { revision: 0, state: emptyAdminState() }, listeners: new Set() };
}

/** Snapshots are copied in and out, so no caller can change the stored state by mutating what it holds. */
const copy = (s: AdminSnapshot): AdminSnapshot => ({ revision: s.revision, state: structuredClone(s.state) });

export function createMemoryAdminStateStore(backend = memoryAdminStateBackend()): AdminStateStore {
  const mine = new Set<(s: AdminSnapshot) => void>();
  return {
    shared: false,
    async read() {
      return copy(backend.snapshot);
    },
    async update(change) {
      const next = adminStateSchema.parse(change(copy(backend.snapshot).state));
      backend.snapshot = { revision: backend.snapshot.revision + 1, state: next };
      const out = copy(backend.snapshot);
      for (const l of backend.listeners) queueMicrotask(() => l(copy(out)));
      return out;
    },
    watch(listener) {
      mine.add(listener);
      backend.listeners.add(listener);
      const current = copy(backend.snapshot);
      if (current.revision > 0) queueMicrotask(() => listener(current));
      return () => {
        mine.delete(listener);
        backend.listeners.delete(listener);
      };
    },
    async close() {
      for (const l of mine) backend.listeners.delete(l);
      mine.clear();
    },
  };
}
