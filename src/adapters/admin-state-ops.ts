/**
 * @module adapters/admin-state-ops — the admin changes as pure functions of (manifests, admin state) → next
 * admin state. Each validates against the registry the change would apply to (the manifests with the
 * *latest stored* state laid over them, so two gateways changing at once cannot produce a state neither
 * checked) by throwing AdapterRegistryError, and appends one audit entry.
 */
import { type AdminAdapterState, type AdminState, AUDIT_KEEP, type AuditEntry } from './admin-state.ts';
import { overlayRegistry } from './admin-state-overlay.ts';
import { type AdapterVersion, adapterVersionSchema } from './manifest.ts';
import { type AdapterRegistry, AdapterRegistryError } from './registry.ts';

export interface Actor {
  by: string;
  /** ISO time. */
  at: string;
}

function adapterState(state: AdminState, name: string): AdminAdapterState {
  state.adapters[name] ??= { versions: [], previous_splits: [], cards: {} };
  return state.adapters[name];
}

function audit(state: AdminState, actor: Actor, entry: Omit<AuditEntry, 'at' | 'by'>): AdminState {
  state.audit = [...state.audit, { at: actor.at, by: actor.by, ...entry }].slice(-AUDIT_KEEP);
  return state;
}

function putVersion(a: AdminAdapterState, v: AdapterVersion): void {
  const i = a.versions.findIndex((x) => x.version === v.version);
  if (i >= 0) a.versions[i] = v;
  else a.versions.push(v);
}

/** Keeps the split in force before a change, for `rollback`. */
function remember(a: AdminAdapterState, before: Record<string, number>): void {
  if (Object.keys(before).length) a.previous_splits = [...a.previous_splits, before].slice(-50);
}

export interface NewVersion {
  version: unknown;
  split?: Record<string, number> | null;
  /** Without `split`: the new version's share (the others keep their proportions); default 0. */
  canaryShare?: number;
  card?: Record<string, unknown>;
}

/** `split` with `id` at `share` percent and the other entries scaled to the rest, in their proportions. */
export function withShare(split: Record<string, number>, id: string, share: number): Record<string, number> {
  const others = Object.entries(split).filter(([k, w]) => k !== id && w > 0);
  const total = others.reduce((a, [, w]) => a + w, 0);
  if (total === 0 && share < 100)
    throw new AdapterRegistryError(`${id} is the only live version with traffic; its share must be 100`);
  const out: Record<string, number> = Object.fromEntries(others.map(([k, w]) => [k, ((100 - share) * w) / total]));
  out[id] = share;
  return out;
}

function liveOr404(reg: AdapterRegistry, name: string, version: string): string {
  const id = `${name}@${version}`;
  const v = reg.get(name)?.versions.find((x) => x.version === version);
  if (!v) throw new AdapterRegistryError(`unknown adapter version '${id}'`);
  if (v.retired) throw new AdapterRegistryError(`unknown adapter version '${id}' (retired)`);
  return id;
}

/** The version at `share` percent, the others scaled (action `canary`, or `promote` at 100). */
export function shareOp(
  base: AdapterRegistry,
  state: AdminState,
  name: string,
  version: string,
  share: number,
  actor: Actor,
  action: 'canary' | 'promote' = 'canary',
) {
  const reg = overlayRegistry(base, state);
  const id = liveOr404(reg, name, version);
  const split = share >= 100 ? { [id]: 100 } : withShare(reg.defaultSplit(name), id, share);
  return setSplitOp(base, state, name, split, actor, action);
}

export function addVersionOp(base: AdapterRegistry, state: AdminState, name: string, nv: NewVersion, actor: Actor) {
  const reg = overlayRegistry(base, state);
  const before = reg.defaultSplit(name);
  const resolved = reg.addVersion(name, nv.version);
  const a = adapterState(state, name);
  putVersion(a, adapterVersionSchema.parse(nv.version));
  if (nv.card) a.cards[resolved.version] = nv.card;
  // A new version starts at the share asked for (0% by default): it never takes all traffic by arriving.
  const split =
    nv.split !== undefined
      ? nv.split
      : Object.keys(before).length
        ? withShare(before, resolved.id, nv.canaryShare ?? 0)
        : undefined;
  if (split !== undefined) {
    reg.setSplit(name, split);
    remember(a, before);
    a.split = split;
  }
  return audit(state, actor, {
    action: 'add-version',
    adapter: resolved.id,
    detail: { split: reg.defaultSplit(name) },
  });
}

export function setSplitOp(
  base: AdapterRegistry,
  state: AdminState,
  name: string,
  split: Record<string, number> | null,
  actor: Actor,
  action = 'split',
) {
  const reg = overlayRegistry(base, state);
  const before = reg.defaultSplit(name);
  reg.setSplit(name, split);
  const a = adapterState(state, name);
  remember(a, before);
  a.split = split;
  return audit(state, actor, { action, adapter: name, detail: { from: before, to: reg.defaultSplit(name) } });
}

/** Back to the split before the last change, at once. */
export function rollbackOp(base: AdapterRegistry, state: AdminState, name: string, actor: Actor) {
  const reg = overlayRegistry(base, state);
  if (!reg.get(name)) throw new AdapterRegistryError(`unknown adapter '${name}'`);
  const a = adapterState(state, name);
  const live = new Set(reg.liveVersions(name).map((v) => `${name}@${v.version}`));
  // Skip earlier splits that name a version retired since: they cannot be routed to.
  while (a.previous_splits.length) {
    const previous = a.previous_splits.pop()!;
    if (!Object.keys(previous).every((k) => live.has(k))) continue;
    const before = reg.defaultSplit(name);
    reg.setSplit(name, previous);
    a.split = previous;
    return audit(state, actor, { action: 'rollback', adapter: name, detail: { from: before, to: previous } });
  }
  throw new AdapterRegistryError(`'${name}' has no earlier split to roll back to`);
}

export function retireOp(base: AdapterRegistry, state: AdminState, name: string, version: string, actor: Actor) {
  const reg = overlayRegistry(base, state);
  const v = reg.get(name)?.versions.find((x) => x.version === version);
  reg.retire(name, version);
  putVersion(adapterState(state, name), { ...v!, retired: true });
  return audit(state, actor, { action: 'retire', adapter: `${name}@${version}`, detail: {} });
}

export function drainOp(state: AdminState, replicaUrl: string, replicaId: string, drained: boolean, actor: Actor) {
  state.drained = { ...state.drained, [replicaUrl]: drained };
  return audit(state, actor, {
    action: drained ? 'drain' : 'undrain',
    detail: { replica: replicaId, url: replicaUrl },
  });
}
