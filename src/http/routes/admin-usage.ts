/**
 * @module http/routes/admin-usage — `GET /admin/usage?tenant=&adapter=&key=&from=&to=` (admin key, checked by
 * app.ts): the usage ledger as JSON rows per UTC hour and (tenant, adapter, key). `from`/`to` are ISO 8601 times
 * or Unix seconds; by default the last 24 hours.
 */
import { Hono } from 'hono';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { UsageLedger } from '../../usage/ledger.ts';
import type { AppEnv } from '../env.ts';

const DAY_MS = 86_400_000;
const MAX_DATE_MS = 8.64e15;
/** The longest range one query may ask for: the ledger keeps 90 days of hourly buckets. */
export const MAX_RANGE_DAYS = 92;

function parseTime(value: string | undefined, fallback: number, param: string): Date {
  if (value === undefined || value === '') return new Date(fallback);
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  // A Date holds ±8.64e15 ms; past that toISOString() throws (from=99999999999999999999 was a 500).
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS)
    throw new GatewayError(
      'invalid_value',
      `Invalid value for '${param}': expected an ISO 8601 time or Unix seconds.`,
      { param },
    );
  return new Date(ms);
}

export function adminUsageRoutes(deps: { ledger: UsageLedger }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/usage', async (c) => {
    const q = c.req.query();
    const to = parseTime(q.to, Date.now(), 'to');
    const from = parseTime(q.from, to.getTime() - DAY_MS, 'from');
    if (from > to) throw new GatewayError('invalid_value', '`from` must not be after `to`.', { param: 'from' });
    // Hours after now hold nothing yet: only the part up to now counts against the bound.
    if (Math.min(to.getTime(), Date.now()) - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new GatewayError(
        'invalid_value',
        `The range from \`from\` to \`to\` must not exceed ${MAX_RANGE_DAYS} days.`,
        {
          param: 'from',
        },
      );
    }
    if (!deps.ledger.query) return c.json({ object: 'list', from: from.toISOString(), to: to.toISOString(), data: [] });
    const data = await deps.ledger
      .query({ tenant: q.tenant || undefined, adapter: q.adapter || undefined, key: q.key || undefined, from, to })
      .catch((err: unknown) => {
        throw new GatewayError('internal_error', 'The usage ledger is unavailable; try again.', {
          status: 503,
          cause: err,
        });
      });
    return c.json({ object: 'list', from: from.toISOString(), to: to.toISOString(), data });
  });
  return app;
}
