/**
 * `npm run test:faults`: runs test/faults/*.test.ts (node:test, one file at a time) and prints the
 * faults × outcomes table from the rows each test records. Exits with the test run's status.
 *
 *   npm run test:faults [-- --table-out FILE.md]
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDir } from '../helpers/processes.ts';

const { values } = parseArgs({ options: { 'table-out': { type: 'string' } } });
const here = new URL('.', import.meta.url).pathname;
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => join(here, f));
const results = join(runDir('faults-run'), 'results.jsonl');
rmSync(results, { force: true });

const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=180000', ...files], {
    stdio: 'inherit',
    env: { ...process.env, FAULTS_RESULTS: results },
  });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

interface Row {
  fault: string;
  succeeded: number;
  clean_error: number;
  unclean: number;
  hung: number;
  cleanCodes: Record<string, number>;
  note: string;
}
const rows: Row[] = existsSync(results)
  ? readFileSync(results, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
const lines = [
  '| fault | clients saw: succeeded | clean error | unclean | hung | clean errors by code | traffic |',
  '|---|---:|---:|---:|---:|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.fault} | ${r.succeeded} | ${r.clean_error} | ${r.unclean} | ${r.hung} | ` +
      `${Object.entries(r.cleanCodes)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ')} | ${r.note} |`,
  ),
];
const table = `${lines.join('\n')}\n`;
process.stdout.write(`\nfaults × outcomes (official openai SDK, no retries)\n\n${table}`);
if (values['table-out']) writeFileSync(values['table-out'], table);
process.exit(code);
