/**
 * @module adapters/admin-state-overlay — the registry a gateway routes by: the manifests (base) with the admin
 * state laid over them. A version in the admin state replaces the manifest's version of the same name (so a
 * retirement wins) or is appended; the admin split, when set, replaces the manifest's (`null` removes it).
 * A split entry that is no longer live (retired meanwhile) is dropped rather than routed to. Adapters the
 * admin state names but the manifests do not have are ignored (admin versions are added to existing adapters).
 */
import type { AdminState } from './admin-state.ts';
import { type AdapterManifest, registeredName } from './manifest.ts';
import { AdapterRegistry } from './registry.ts';

export function overlayManifest(m: AdapterManifest, state: AdminState): AdapterManifest {
  const a = state.adapters[m.name];
  if (!a) return m;
  const versions = [...m.versions];
  for (const v of a.versions) {
    const i = versions.findIndex((x) => x.version === v.version);
    if (i >= 0) versions[i] = v;
    else versions.push(v);
  }
  let split = a.split === undefined ? m.split : (a.split ?? undefined);
  if (split) {
    const live = new Set(versions.filter((v) => !v.retired).map((v) => registeredName(m.name, v.version)));
    const kept = Object.entries(split).filter(([k]) => live.has(k));
    const total = kept.reduce((s, [, w]) => s + w, 0);
    // Weights of the remaining live versions are scaled back to 100; nothing live left → the default rule.
    split = total > 0 ? Object.fromEntries(kept.map(([k, w]) => [k, (w * 100) / total])) : undefined;
  }
  return { ...m, versions, split };
}

export function overlayRegistry(base: AdapterRegistry, state: AdminState): AdapterRegistry {
  return new AdapterRegistry(base.all().map((m) => overlayManifest(m, state)));
}
