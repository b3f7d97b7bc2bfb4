/**
 * @module usage/report — the chargeback report for one calendar period: per department (tenant), adapter and
 * API key, the requests, tokens in/out, cache hit share and cost at the configured prices. Pure: the usage
 * ledger's rows (answers from vLLM, per key) and the cache-hit ledger's rows (answers from the cache, per
 * tenant and adapter; key `*`) go in, rows and totals come out.
 */
import type { PriceContext } from '../budgets/pricing.ts';
import { costMicros, microsToAmount, priceOf } from '../budgets/pricing.ts';
import type { UsageRow } from './ledger.ts';

/** The key column of the row that holds a (tenant, adapter)'s cache hits (the hit ledger has no key). */
export const CACHE_ROW_KEY = '(cache)';

export interface ChargebackRow {
  tenant: string;
  adapter: string;
  key: string;
  /** Answered requests: from vLLM, or for a `(cache)` row from the cache. */
  requests: number;
  cache_hits: number;
  /** Cache hits / all answered requests of the row's scope; null on key rows (hits are not kept per key). */
  cache_hit_share: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** In the price currency; a cache hit costs `prices.cached_factor` of the full price. */
  cost: number;
}

export interface ChargebackReport {
  period: string;
  from: string;
  to: string;
  time_zone: string;
  currency: string;
  rows: ChargebackRow[];
  /** One per tenant (adapter and key `*`), then the grand total (tenant `*`). */
  totals: ChargebackRow[];
}

export interface ReportInput {
  period: { label: string; startMs: number; endMs: number };
  timeZone: string;
  currency: string;
  cachedFactor: number;
  usage: UsageRow[];
  hits: UsageRow[];
  priceContext(tenant: string): PriceContext;
}

const round = (n: number) => Number(n.toFixed(6));

function sumInto(map: Map<string, ChargebackRow>, id: string, base: ChargebackRow, add: ChargebackRow): void {
  const acc = map.get(id) ?? { ...base, requests: 0, cache_hits: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 };
  acc.requests += add.requests;
  acc.cache_hits += add.cache_hits;
  acc.prompt_tokens += add.prompt_tokens;
  acc.completion_tokens += add.completion_tokens;
  acc.cost += add.cost;
  map.set(id, acc);
}

export function buildReport(input: ReportInput): ChargebackReport {
  const rows = new Map<string, ChargebackRow>();
  const inPeriod = (r: UsageRow) => {
    const h = Date.parse(r.hour);
    // Hour buckets are UTC: a bucket belongs to the period its start falls in (zones with half-hour offsets
    // therefore shift by up to 30 minutes at the edges).
    return h + 3_600_000 > input.period.startMs && h < input.period.endMs;
  };
  const add = (r: UsageRow, cached: boolean) => {
    const price = priceOf(r.adapter, input.priceContext(r.tenant));
    const micros = costMicros(r, price, cached ? input.cachedFactor : 1);
    const key = cached ? CACHE_ROW_KEY : r.key;
    const row: ChargebackRow = {
      tenant: r.tenant,
      adapter: r.adapter,
      key,
      requests: r.requests,
      cache_hits: cached ? r.requests : 0,
      cache_hit_share: null,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      cost: microsToAmount(micros),
    };
    sumInto(rows, JSON.stringify([r.tenant, r.adapter, key]), row, row);
  };
  for (const r of input.usage) if (inPeriod(r)) add(r, false);
  for (const r of input.hits) if (inPeriod(r)) add(r, true);

  const sorted = [...rows.values()].sort(
    (a, b) =>
      a.tenant.localeCompare(b.tenant) ||
      a.adapter.localeCompare(b.adapter) ||
      Number(a.key === CACHE_ROW_KEY) - Number(b.key === CACHE_ROW_KEY) ||
      a.key.localeCompare(b.key),
  );
  // A (cache) row's share is its (tenant, adapter)'s: hits over everything that adapter answered for the tenant.
  const byAdapter = new Map<string, ChargebackRow>();
  for (const r of sorted) sumInto(byAdapter, JSON.stringify([r.tenant, r.adapter]), r, r);
  for (const r of sorted) {
    if (r.key !== CACHE_ROW_KEY) continue;
    const all = byAdapter.get(JSON.stringify([r.tenant, r.adapter]))!;
    r.cache_hit_share = all.requests ? round(r.cache_hits / all.requests) : 0;
  }
  const tenants = new Map<string, ChargebackRow>();
  for (const r of sorted) sumInto(tenants, r.tenant, { ...r, adapter: '*', key: '*' }, r);
  const grand = new Map<string, ChargebackRow>();
  for (const r of tenants.values()) sumInto(grand, '*', { ...r, tenant: '*' }, r);
  const totals = [...tenants.values(), ...grand.values()].map((t) => ({
    ...t,
    cache_hit_share: t.requests ? round(t.cache_hits / t.requests) : 0,
  }));
  for (const r of [...sorted, ...totals]) r.cost = round(r.cost);
  return {
    period: input.period.label,
    from: new Date(input.period.startMs).toISOString(),
    to: new Date(input.period.endMs).toISOString(),
    time_zone: input.timeZone,
    currency: input.currency,
    rows: sorted,
    totals,
  };
}
