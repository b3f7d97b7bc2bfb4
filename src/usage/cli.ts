/**
 * @module usage/cli — `lorag usage [--config FILE] [--tenant T] [--adapter A] [--key NAME] [--since 24h] [--hourly]
 * [--json]`: reads the shared usage ledger in Redis (the in-memory ledger of a gateway without Redis is only
 * visible through `GET /admin/usage`). `lorag usage report …` is the chargeback report (usage/report-cli.ts).
 */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { createRedisLedger } from './redis-ledger.ts';
import { formatUsageTable, parseSince } from './table.ts';

export async function main(argv: string[], out: { write(text: string): unknown } = process.stdout): Promise<void> {
  if (argv[0] === 'report') return (await import('./report-cli.ts')).main(argv.slice(1), out);
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      tenant: { type: 'string' },
      adapter: { type: 'string' },
      key: { type: 'string' },
      since: { type: 'string', default: '24h' },
      hourly: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const since = parseSince(values.since);
  const config = loadConfigFile(values.config ?? process.env.LORAG_CONFIG ?? './lorag.yaml');
  if (!config.redis.url) {
    throw new Error(
      'the usage ledger is shared through Redis and redis.url is not set; use GET /admin/usage on the gateway',
    );
  }
  // A CLI can afford to wait longer than a request would.
  const redis = createRedisConnection({
    url: config.redis.url,
    commandTimeoutMs: Math.max(config.redis.command_timeout_ms, 5000),
    keyPrefix: config.redis.key_prefix,
    name: 'lorag-usage',
  });
  try {
    if (!(await redis.waitReady(5000))) throw new Error(`cannot reach Redis at ${config.redis.url}`);
    const to = new Date();
    const rows = await createRedisLedger(redis).query({
      tenant: values.tenant,
      adapter: values.adapter,
      key: values.key,
      from: new Date(to.getTime() - since),
      to,
    });
    out.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatUsageTable(rows, { hourly: values.hourly }));
  } finally {
    await redis.close();
  }
}
