/**
 * @module usage/report-query — reads one period's rows from the usage ledger and the cache-hit ledger and
 * prices them: the one path behind `lorag usage report` (Redis) and `GET /admin/usage/report` (any ledger).
 */
import { type BudgetConfigView, priceContext } from '../budgets/budget-stage.ts';
import type { PeriodWindow } from '../budgets/periods.ts';
import type { UsageFilter, UsageRow } from './ledger.ts';
import { buildReport, type ChargebackReport } from './report.ts';

export interface ReportSources {
  usage: { query(filter: UsageFilter): Promise<UsageRow[]> };
  hits: { query(filter: UsageFilter): Promise<UsageRow[]> };
}

export async function queryReport(
  config: BudgetConfigView,
  sources: ReportSources,
  options: { period: PeriodWindow; timeZone: string; tenant?: string; baseOf?(adapter: string): string | undefined },
): Promise<ChargebackReport> {
  const filter = {
    tenant: options.tenant,
    from: new Date(options.period.startMs),
    to: new Date(options.period.endMs - 1),
  };
  const [usage, hits] = await Promise.all([sources.usage.query(filter), sources.hits.query(filter)]);
  return buildReport({
    period: options.period,
    timeZone: options.timeZone,
    currency: config.prices.currency,
    cachedFactor: config.prices.cached_factor,
    usage,
    hits,
    priceContext: (tenant) => priceContext(config, tenant, options.baseOf),
  });
}
