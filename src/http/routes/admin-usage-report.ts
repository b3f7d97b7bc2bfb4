/**
 * @module http/routes/admin-usage-report — `GET /admin/usage/report?period=2026-11&tenant=&format=json|csv` (admin
 * key, checked by app.ts): the chargeback report of `lorag usage report` from this gateway's ledgers, so it also
 * works without Redis (where each process keeps its own). Default period: the current month in
 * `budgets.time_zone`.
 */
import { Hono } from 'hono';
import type { BudgetConfigView } from '../../budgets/budget-stage.ts';
import { parsePeriodLabel, periodAt } from '../../budgets/periods.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { UsageFilter, UsageRow } from '../../usage/ledger.ts';
import { formatReportCsv } from '../../usage/report-format.ts';
import { queryReport } from '../../usage/report-query.ts';
import type { AppEnv } from '../env.ts';

type Query = { query?(filter: UsageFilter): Promise<UsageRow[]> };

export interface AdminUsageReportDeps {
  current(): { config: BudgetConfigView; baseOf?(adapter: string): string | undefined };
  ledger: Query;
  hits: Query;
}

const none = async () => [];

export function adminUsageReportRoutes(deps: AdminUsageReportDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/usage/report', async (c) => {
    const { config, baseOf } = deps.current();
    const tz = config.budgets.time_zone;
    const label = c.req.query('period');
    const period = label ? parsePeriodLabel(label, tz) : periodAt('month', Date.now(), tz);
    if (!period) {
      throw new GatewayError(
        'invalid_value',
        "Invalid value for 'period': expected a month (2026-11), an ISO week (2026-W48) or a day (2026-11-30).",
        { param: 'period' },
      );
    }
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      throw new GatewayError('invalid_value', "Invalid value for 'format': expected json or csv.", { param: 'format' });
    }
    const sources = {
      usage: { query: deps.ledger.query?.bind(deps.ledger) ?? none },
      hits: { query: deps.hits.query?.bind(deps.hits) ?? none },
    };
    const report = await queryReport(config, sources, {
      period,
      timeZone: tz,
      tenant: c.req.query('tenant') || undefined,
      baseOf,
    }).catch((err: unknown) => {
      throw new GatewayError('internal_error', 'The usage ledger is unavailable; try again.', {
        status: 503,
        cause: err,
      });
    });
    if (format === 'csv') return c.body(formatReportCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8' });
    return c.json(report);
  });
  return app;
}
