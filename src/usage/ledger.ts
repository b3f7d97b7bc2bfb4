/**
 * @module usage/ledger — the usage ledger's shape: requests and tokens per tenant, adapter and API key name,
 * bucketed per UTC hour. The request path only calls `record()` (fire and forget); admin and CLI `query()`.
 */
import type { Usage } from '../openai/responses.ts';

export const HOUR_MS = 3_600_000;
/** Buckets older than this expire (Redis) or are dropped (memory). */
export const RETENTION_MS = 90 * 24 * HOUR_MS;

export interface UsageCounts {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface UsageRow extends UsageCounts {
  /** Start of the UTC hour, ISO 8601. */
  hour: string;
  tenant: string;
  adapter: string;
  key: string;
}

export interface UsageFilter {
  tenant?: string;
  adapter?: string;
  key?: string;
  from: Date;
  to: Date;
}

/** What one finished request adds to the ledger. */
export interface UsageRecord {
  tenantId: string;
  adapter: string;
  keyName: string;
  usage: Usage | null;
}

/** The ledger seam (memory | Redis): the request path calls `record()` (fire and forget); admin `query()`. */
export interface UsageLedger {
  record(entry: UsageRecord): void;
  /** Admin: rows per UTC hour and (tenant, adapter, key) in [from, to]. */
  query?(filter: UsageFilter): Promise<UsageRow[]>;
  close?(): Promise<void>;
}
export const noLedger: UsageLedger = { record() {} };

export interface UsageLedgerStore extends UsageLedger {
  /** Rows per hour and (tenant, adapter, key) in [from, to], oldest first. */
  query(filter: UsageFilter): Promise<UsageRow[]>;
  close?(): Promise<void>;
}

export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The counts one request adds. */
export function countsOf(record: UsageRecord): UsageCounts {
  const u = record.usage;
  const prompt = u?.prompt_tokens ?? 0;
  const completion = u?.completion_tokens ?? 0;
  return {
    requests: 1,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u?.total_tokens ?? prompt + completion,
  };
}

export function rowMatches(row: { tenant: string; adapter: string; key: string }, f: UsageFilter): boolean {
  return (
    (f.tenant === undefined || row.tenant === f.tenant) &&
    (f.adapter === undefined || row.adapter === f.adapter) &&
    (f.key === undefined || row.key === f.key)
  );
}

export function sortRows(rows: UsageRow[]): UsageRow[] {
  return rows.sort(
    (a, b) =>
      a.hour.localeCompare(b.hour) ||
      a.tenant.localeCompare(b.tenant) ||
      a.adapter.localeCompare(b.adapter) ||
      a.key.localeCompare(b.key),
  );
}
