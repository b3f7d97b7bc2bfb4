/**
 * @module adapters/admin-state-sync — keeps one gateway in step with the admin state store: holds the newest
 * snapshot, lays it over the manifests for routing (cached per manifests + revision), and applies what the
 * pool must act on — drains (by replica URL) and retirements (unloaded once drained) — whenever a newer
 * snapshot arrives, whoever wrote it. Admin routes change state only through `change()`.
 */
import {
  type AdminSnapshot,
  type AdminState,
  type AdminStateStore,
  type AuditEntry,
  emptyAdminState,
} from './admin-state.ts';
import { overlayRegistry } from './admin-state-overlay.ts';
import { registeredName } from './manifest.ts';
import type { AdapterRegistry } from './registry.ts';

/** What the sync needs of the replica pool (its public admin methods). */
export interface AdminPool {
  replicaViews(): readonly { id: string; url: string; drained: boolean }[];
  setDrained(id: string, drained: boolean): unknown;
  retire(adapterId: string): Promise<void>;
}

/** The admin audit line, one JSON line on stderr (the request log owns stdout), written by the changing gateway. */
function auditLine(entry: AuditEntry): void {
  process.stderr.write(
    `${JSON.stringify({ time: entry.at, level: 'info', service: 'lorag', msg: 'admin audit', ...entry })}\n`,
  );
}

export class AdminStateSync {
  readonly store: AdminStateStore;
  #pool: AdminPool;
  #base: () => AdapterRegistry;
  #snapshot: AdminSnapshot = { revision: 0, state: emptyAdminState() };
  #cache: { base: AdapterRegistry; revision: number; registry: AdapterRegistry } | undefined;
  #view: { base: object; registry: AdapterRegistry; out: object } | undefined;
  #retired = new Set<string>();
  #unwatch: (() => void) | undefined;

  #audit: (entry: AuditEntry) => void;

  constructor(
    store: AdminStateStore,
    pool: AdminPool,
    base: () => AdapterRegistry,
    options: { audit?: (entry: AuditEntry) => void } = {},
  ) {
    this.store = store;
    this.#pool = pool;
    this.#base = base;
    this.#audit = options.audit ?? auditLine;
  }

  /** Reads the stored state (an unreachable store: start from the manifests; the watch catches up) and watches. */
  async start(): Promise<void> {
    try {
      this.#receive(await this.store.read());
    } catch {
      // Store away at start: routed by the manifests until the watch delivers the stored state.
    }
    this.#unwatch = this.store.watch((s) => this.#receive(s));
    this.apply();
  }

  /** The manifests alone, without the admin state. */
  manifests(): AdapterRegistry {
    return this.#base();
  }

  get snapshot(): AdminSnapshot {
    return this.#snapshot;
  }

  /** The manifests with the admin state over them: what routing and the admin API see. */
  registry(base: AdapterRegistry = this.#base()): AdapterRegistry {
    const c = this.#cache;
    if (c && c.base === base && c.revision === this.#snapshot.revision) return c.registry;
    const registry = overlayRegistry(base, this.#snapshot.state);
    this.#cache = { base, revision: this.#snapshot.revision, registry };
    return registry;
  }

  /** `state` with its registry replaced by the overlaid one; the same object while nothing changed. */
  view<T extends { registry: AdapterRegistry }>(state: T): T {
    const registry = this.registry(state.registry);
    const v = this.#view;
    if (v && v.base === state && v.registry === registry) return v.out as T;
    const out = { ...state, registry };
    this.#view = { base: state, registry, out };
    return out;
  }

  /** Stores a change (see AdminStateStore.update) and applies it here at once. */
  async change(build: (state: AdminState) => AdminState): Promise<AdminSnapshot> {
    const s = await this.store.update(build);
    this.#receive(s);
    const entry = s.state.audit.at(-1);
    if (entry) this.#audit(entry);
    return s;
  }

  #receive(s: AdminSnapshot): void {
    if (s.revision <= this.#snapshot.revision) return;
    this.#snapshot = s;
    this.apply();
  }

  /** Drains and retirements into the pool; also after the manifests change (SIGHUP). Idempotent. */
  apply(): void {
    const { drained } = this.#snapshot.state;
    for (const r of this.#pool.replicaViews()) {
      const want = drained[r.url];
      if (want !== undefined && r.drained !== want) this.#pool.setDrained(r.id, want);
    }
    for (const m of this.registry().all()) {
      for (const v of m.versions) {
        const id = registeredName(m.name, v.version);
        if (!v.retired || this.#retired.has(id)) continue;
        this.#retired.add(id);
        void this.#pool.retire(id).catch(() => {});
      }
    }
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    await this.store.close();
  }
}
