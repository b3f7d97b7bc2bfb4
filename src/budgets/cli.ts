/**
 * @module budgets/cli — `lorag budgets [--tenant T] [--json]` (state of every budget line in its current period),
 * `lorag budgets set TENANT --limit N|config [--key K] [--period P] [--unit U]` (raise for the current period, or
 * back to the configured limit) and `lorag budgets reset TENANT [--key K] [--period P] [--unit U]`. Works on the
 * shared budget store in Redis (`budgets.kind: redis`), where every gateway sees a change on its next request;
 * each change is audited as one JSON line on stderr. Per-process budgets are changed through PUT /admin/budgets.
 */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { createRedisBudgetStore } from './redis-store.ts';
import {
  applyBudgetChange,
  type BudgetChange,
  type BudgetStateRow,
  budgetChangeSchema,
  budgetState,
  linesForChange,
} from './service.ts';
import { textTable } from './text-table.ts';

export function formatBudgetTable(rows: BudgetStateRow[]): string {
  const header = ['TENANT', 'KEY', 'PERIOD', 'UNIT', 'ENDS', 'LIMIT', 'USED', 'REMAINING', 'USED %'];
  const body = rows.map((r) => [
    r.tenant,
    r.key ?? '-',
    r.period_label,
    r.unit_label,
    r.period_end.replace('.000Z', 'Z'),
    `${r.limit}${r.overridden ? '*' : ''}`,
    String(r.used),
    String(r.remaining),
    `${r.limit ? ((100 * r.used) / r.limit).toFixed(1) : '0.0'}%`,
  ]);
  const note = rows.some((r) => r.overridden) ? '* raised by an admin for this period\n' : '';
  return textTable(header, body, 5) + note;
}

export async function main(argv: string[], out: { write(text: string): unknown } = process.stdout): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      tenant: { type: 'string' },
      key: { type: 'string' },
      period: { type: 'string' },
      unit: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [action = 'list', target] = positionals;
  if (!['list', 'set', 'reset'].includes(action)) throw new Error(`unknown action '${action}' (list, set, reset)`);
  const config = loadConfigFile(values.config ?? process.env.LORAG_CONFIG ?? './lorag.yaml');
  if (config.budgets.kind !== 'redis' || !config.redis.url) {
    throw new Error('budgets are counted per gateway process (budgets.kind: memory); use GET/PUT /admin/budgets');
  }
  const tenant = target ?? values.tenant;
  if (tenant !== undefined && !config.budgets.tenants[tenant])
    throw new Error(`no budget is configured for tenant '${tenant}'`);
  let change: BudgetChange | undefined;
  if (action !== 'list') {
    if (!tenant) throw new Error(`lorag budgets ${action} TENANT …`);
    const limit = values.limit === undefined ? undefined : values.limit === 'config' ? null : Number(values.limit);
    const parsed = budgetChangeSchema.safeParse({
      key: values.key,
      period: values.period,
      unit: values.unit,
      limit: action === 'set' ? limit : undefined,
      reset: action === 'reset' ? true : undefined,
    });
    if (!parsed.success) {
      throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
    }
    change = parsed.data;
  }
  const redis = createRedisConnection({
    url: config.redis.url,
    commandTimeoutMs: Math.max(config.redis.command_timeout_ms, 5000),
    keyPrefix: config.redis.key_prefix,
    name: 'lorag-budgets',
  });
  try {
    if (!(await redis.waitReady(5000))) throw new Error(`cannot reach Redis at ${config.redis.url}`);
    const store = createRedisBudgetStore(redis);
    if (change && tenant) {
      const lines = linesForChange(config, tenant, change, Date.now());
      if (lines.length === 0) throw new Error('no budget line of that tenant matches --key/--period/--unit');
      await applyBudgetChange(store, lines, change);
      process.stderr.write(
        `${JSON.stringify({ msg: 'audit: budget changed', audit: 'budget_change', via: 'cli', user: process.env.USER ?? null, tenant, change, lines: lines.map((l) => l.id) })}\n`,
      );
    }
    const rows = await budgetState(config, store, Date.now(), tenant);
    out.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatBudgetTable(rows));
  } finally {
    await redis.close();
  }
}
