/**
 * @module http/routes/admin-budgets — `/admin/budgets` (admin key, checked by app.ts).
 * `GET /budgets[?tenant=]`: every configured budget line in its current period (used, remaining, period end).
 * `PUT /budgets/{tenant}` with `{key?, period?, unit?, limit?, reset?}`: raises (or with `limit: null` restores)
 * the hard limit for the current period and/or resets what was spent. The change is stored where every gateway
 * reads it on its next admission (Redis with `budgets.kind: redis`), and audited as one log line.
 */
import { Hono } from 'hono';
import type { BudgetConfigView } from '../../budgets/budget-stage.ts';
import { applyBudgetChange, budgetChangeSchema, budgetState, linesForChange } from '../../budgets/service.ts';
import type { BudgetStore } from '../../budgets/store.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';

export interface AdminBudgetDeps {
  current(): { config: BudgetConfigView };
  store: BudgetStore;
  log(entry: Record<string, unknown>): void;
  now?: () => number;
}

function unavailable(err: unknown): never {
  if (err instanceof GatewayError) throw err;
  throw new GatewayError('budget_unavailable', 'The budget store is unavailable; try again.', { cause: err });
}

export function adminBudgetRoutes(deps: AdminBudgetDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const now = deps.now ?? Date.now;

  app.get('/budgets', async (c) => {
    const { config } = deps.current();
    const tenant = c.req.query('tenant') || undefined;
    if (tenant !== undefined && !config.budgets.tenants[tenant]) {
      throw new GatewayError('not_found', `No budget is configured for tenant '${tenant}'.`, { param: 'tenant' });
    }
    const data = await budgetState(config, deps.store, now(), tenant).catch(unavailable);
    return c.json({ object: 'list', currency: config.prices.currency, data });
  });

  app.put('/budgets/:tenant', async (c) => {
    const { config } = deps.current();
    const tenant = c.req.param('tenant');
    const change = validate(budgetChangeSchema, await readJson(c, 64 * 1024));
    if (!config.budgets.tenants[tenant]) {
      throw new GatewayError('not_found', `No budget is configured for tenant '${tenant}'.`, { param: 'tenant' });
    }
    const lines = linesForChange(config, tenant, change, now());
    if (lines.length === 0) {
      const what = change.key ? `key '${change.key}' of tenant '${tenant}'` : `tenant '${tenant}'`;
      throw new GatewayError('not_found', `No budget of ${what} matches the given period and unit.`, {
        param: change.key ? 'key' : 'period',
      });
    }
    await applyBudgetChange(deps.store, lines, change).catch(unavailable);
    deps.log({
      level: 'info',
      msg: 'audit: budget changed',
      audit: 'budget_change',
      via: 'admin_api',
      request_id: c.get('requestId'),
      tenant,
      change,
      lines: lines.map((l) => l.id),
    });
    const data = await budgetState(config, deps.store, now(), tenant).catch(unavailable);
    return c.json({ object: 'list', currency: config.prices.currency, data });
  });
  return app;
}
