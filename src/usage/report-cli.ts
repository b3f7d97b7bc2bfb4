/**
 * @module usage/report-cli — `lorag usage report [--period 2026-11|2026-W48|2026-11-30] [--tenant T]
 * [--format table|csv|json] [--out FILE] [--chart FILE.svg] [--time-zone TZ] [--config FILE]`: the chargeback
 * report of one calendar period (default: the current month) from the shared usage and cache-hit ledgers in
 * Redis, priced with the config's `prices`, in `budgets.time_zone` unless `--time-zone` says otherwise.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadRegistry } from '../adapters/registry.ts';
import { parsePeriodLabel, periodAt } from '../budgets/periods.ts';
import { loadConfigFile } from '../config/load.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { createHitsLedger } from './hits-ledger.ts';
import { createRedisLedger } from './redis-ledger.ts';
import { renderChartSvg } from './report-chart.ts';
import { formatReportCsv, formatReportTable } from './report-format.ts';
import { queryReport } from './report-query.ts';

export async function main(argv: string[], out: { write(text: string): unknown } = process.stdout): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      period: { type: 'string' },
      tenant: { type: 'string' },
      format: { type: 'string', default: 'table' },
      out: { type: 'string' },
      chart: { type: 'string' },
      'time-zone': { type: 'string' },
    },
  });
  if (!['table', 'csv', 'json'].includes(values.format)) throw new Error(`--format must be table, csv or json`);
  const config = loadConfigFile(values.config ?? process.env.LORAG_CONFIG ?? './lorag.yaml');
  const tz = values['time-zone'] ?? config.budgets.time_zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`--time-zone: unknown IANA time zone '${tz}'`);
  }
  const period = values.period ? parsePeriodLabel(values.period, tz) : periodAt('month', Date.now(), tz);
  if (!period) throw new Error(`--period: expected a month (2026-11), an ISO week (2026-W48) or a day (2026-11-30)`);
  if (!config.redis.url) {
    throw new Error(
      'the usage ledger is shared through Redis and redis.url is not set; a gateway without Redis keeps it in its process',
    );
  }
  const redis = createRedisConnection({
    url: config.redis.url,
    commandTimeoutMs: Math.max(config.redis.command_timeout_ms, 5000),
    keyPrefix: config.redis.key_prefix,
    name: 'lorag-usage-report',
  });
  let registry: ReturnType<typeof loadRegistry> | undefined;
  try {
    registry = loadRegistry(config.adapters.dir);
  } catch {
    registry = undefined; // without manifests an unpriced adapter costs its tenant's base model
  }
  try {
    if (!(await redis.waitReady(5000))) throw new Error(`cannot reach Redis at ${config.redis.url}`);
    const report = await queryReport(
      config,
      { usage: createRedisLedger(redis), hits: createHitsLedger(redis) },
      { period, timeZone: tz, tenant: values.tenant, baseOf: (a) => registry?.get(a)?.base_model },
    );
    const text =
      values.format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : values.format === 'csv'
          ? formatReportCsv(report)
          : formatReportTable(report);
    if (values.out) writeFileSync(values.out, text);
    else out.write(text);
    if (values.chart) {
      writeFileSync(values.chart, await renderChartSvg(report));
      process.stderr.write(`chart written to ${values.chart}\n`);
    }
  } finally {
    await redis.close();
  }
}
