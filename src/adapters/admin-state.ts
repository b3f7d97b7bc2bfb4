/**
 * @module adapters/admin-state — the seam for admin state (versions added or retired through the admin API,
 * default splits, split history for rollback, replica drains, the audit trail): one JSON document with a
 * revision counter. Two implementations: in process memory (admin-state-memory.ts; per gateway process, which
 * is right for one machine) and Redis (admin-state-redis.ts; shared by every gateway on that Redis, each
 * applying a change within a second). The manifests under `adapters.dir` stay the base; this state is laid
 * over them (admin-state-overlay.ts).
 */
import { z } from 'zod';
import { canarySplitSchema } from '../config/schema.ts';
import { adapterVersionSchema } from './manifest.ts';

export const auditEntrySchema = z.object({
  /** ISO time of the change. */
  at: z.string(),
  /** The admin key's name (or `admin`) and, when the client says so, the person (`x-lorag-actor`). */
  by: z.string(),
  action: z.string(),
  adapter: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const adminAdapterStateSchema = z.object({
  /** Versions added through the admin API and retirements of manifest versions; same version = this one wins. */
  versions: z.array(adapterVersionSchema).default([]),
  /** The default split set through the admin API; `null`: removed (all traffic to the last live version). */
  split: canarySplitSchema.nullable().optional(),
  /** Earlier effective splits, most recent last: `rollback` goes back to the last one at once. */
  previous_splits: z.array(canarySplitSchema).default([]),
  /** Model cards (or any metadata) recorded with versions, by version. */
  cards: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type AdminAdapterState = z.infer<typeof adminAdapterStateSchema>;

export const adminStateSchema = z.object({
  adapters: z.record(z.string(), adminAdapterStateSchema).default({}),
  /** Replica URL (the name every gateway knows a replica by) → drained. */
  drained: z.record(z.string(), z.boolean()).default({}),
  /** The last changes, oldest first (bounded: see AUDIT_KEEP). */
  audit: z.array(auditEntrySchema).default([]),
});
export type AdminState = z.infer<typeof adminStateSchema>;

export const AUDIT_KEEP = 500;

export interface AdminSnapshot {
  /** 0 = nothing changed yet; every update adds 1. */
  revision: number;
  state: AdminState;
}

export function emptyAdminState(): AdminState {
  return { adapters: {}, drained: {}, audit: [] };
}

export interface AdminStateStore {
  /** True when the state is shared with other gateway processes (Redis). */
  readonly shared: boolean;
  /** The latest stored snapshot (revision 0 and an empty state when nothing was ever changed). */
  read(): Promise<AdminSnapshot>;
  /**
   * Applies `change` to the latest stored state and stores the result under the next revision, atomically:
   * when another writer got there first, `change` runs again on the newer state. A throw in `change` aborts
   * with that error and stores nothing. Rejects (RedisUnavailableError) when the store cannot be reached.
   */
  update(change: (state: AdminState) => AdminState): Promise<AdminSnapshot>;
  /**
   * Calls `listener` with every newer snapshot, whoever wrote it (this process or another), also the one
   * already stored when a process starts late or reconnects. Returns the unsubscribe function.
   */
  watch(listener: (snapshot: AdminSnapshot) => void): () => void;
  close(): Promise<void>;
}
