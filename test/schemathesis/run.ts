/**
 * `npm run test:schema`: Schemathesis against a real gateway's /openapi.json. Starts Redis, one `lorag sim`
 * (model server and embeddings upstream) and `lorag serve` (Redis cache + limits, LanceDB, a tenant key),
 * then runs the pinned Schemathesis (test/schemathesis/setup.sh) for a bounded number of examples per
 * operation. Fails on any 5xx (`not_a_server_error`) or any answer that breaks the document (status, content
 * type, response schema), a body the schema forbids that is accepted, or a route that ignores its key.
 *
 *   npm run test:schema [-- --max-examples 100] [--seed 13] [--workers 1]
 *
 * Logs and reports (JUnit, NDJSON) go to a run directory printed at the start.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, runDir, startGatewayProc, startRedis, startSimProc } from '../helpers/processes.ts';
import { keys, testConfig } from '../helpers/stack.ts';

const { values } = parseArgs({
  options: {
    'max-examples': { type: 'string', default: '100' },
    seed: { type: 'string', default: '13' },
    // One worker: with two, Schemathesis 4.32.5 sometimes fails inside its own generator (FlakyFailure/KeyError).
    workers: { type: 'string', default: '1' },
  },
});

/** Checks that hold for every operation (see the module comment; the two left out are explained in README). */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'ignored_auth',
];

const venvBin = join(repoRoot, 'test/schemathesis/.venv/bin/schemathesis');
if (!existsSync(venvBin)) {
  process.stderr.write('test:schema: run `bash test/schemathesis/setup.sh` first (pinned Schemathesis venv)\n');
  process.exit(2);
}

const dir = runDir('schemathesis');
process.stderr.write(`test:schema: run directory ${dir}\n`);
const redis = await startRedis(dir);
const sim = await startSimProc(dir, 'sim', ['--max-loras', '4', '--max-num-seqs', '1000']);
const config = testConfig([sim.url], {
  config: {
    redis: { url: redis.url, key_prefix: 'lorag-schema:' },
    cache: { kind: 'redis' },
    limits: { kind: 'redis' },
    embeddings: { kind: 'openai', url: `${sim.url}/v1`, model: 'tiny-base' },
    telemetry: { log_level: 'info' },
  },
  tenants: {
    legal: {
      collections: ['legal-docs'],
      // Far above what a run sends: a 429 would be correct but would hide everything behind it.
      limits: { requests_per_minute: 1_000_000, tokens_per_minute: 1_000_000_000 },
    },
  },
}) as Record<string, any>;
const gateway = await startGatewayProc(dir, 'gateway', config);

const args = [
  'run',
  `${gateway.url}/openapi.json`,
  '--url',
  gateway.url,
  '--header',
  `Authorization: Bearer ${keys.legal}`,
  '--checks',
  CHECKS.join(','),
  '--phases',
  'examples,coverage,fuzzing',
  '--max-examples',
  values['max-examples'],
  '--seed',
  values.seed,
  '--workers',
  values.workers,
  '--request-timeout',
  '30',
  '--suppress-health-check',
  'all',
  '--output-sanitize',
  'false',
  '--report',
  'junit,ndjson',
  '--report-dir',
  join(dir, 'report'),
];
process.stderr.write(`test:schema: schemathesis ${args.join(' ')}\n`);
const code = await new Promise<number>((resolve) => {
  const child = spawn(venvBin, args, { cwd: dir, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

await gateway.proc.kill('SIGTERM');
await sim.proc.kill('SIGTERM');
await redis.kill();
// The gateway's request log (one line per /v1 request) gives the status histogram of the whole run.
const histogram = new Map<string, number>();
let fiveHundreds = 0;
for (const line of readFileSync(gateway.proc.logFile, 'utf8').split('\n')) {
  const m = /"endpoint":"(\w+)".*"status":(\d+)/.exec(line);
  if (!m) continue;
  const key = `${m[1]} ${m[2]}`;
  histogram.set(key, (histogram.get(key) ?? 0) + 1);
  if (Number(m[2]) >= 500) fiveHundreds++;
}
process.stderr.write('test:schema: gateway statuses (endpoint status count):\n');
for (const [key, n] of [...histogram].sort()) process.stderr.write(`  ${key.padEnd(18)} ${n}\n`);
process.stderr.write(
  `test:schema: schemathesis exit ${code}; 5xx answers in the gateway log: ${fiveHundreds} (${gateway.proc.logFile})\n`,
);
process.exit(code === 0 && fiveHundreds === 0 ? 0 : 1);
