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
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingest, repoRoot, runDir, startGatewayProc, startRedis, startSimProc } from '../helpers/processes.ts';
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
ingest(dir, config, 'legal', 'legal-docs', [join(repoRoot, 'load/k6/docs')]);
const gateway = await startGatewayProc(dir, 'gateway', config);

// Real ids for the path parameters and feedback's request_id, so that half the cases reach a found chunk,
// stored response or served request (and its documented schema) instead of a 404.
const requestIds: string[] = [];
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  requestIds.push(res.headers.get('x-request-id') ?? '');
  return (await res.json()) as Record<string, any>;
};
const rag = await post('/v1/chat/completions', {
  model: 'legal',
  messages: [{ role: 'user', content: 'How much notice does a supplier contract need?' }],
  lorag: { strategy: 'rag' },
});
const chunkIds: string[] = (rag.citations ?? []).map((c: { chunk_id: string }) => c.chunk_id);
const stored = await post('/v1/responses', { model: 'legal', input: 'What does clause 4 say?' });
const responseIds: string[] = typeof stored.id === 'string' ? [stored.id] : [];
const toml = [
  ...(chunkIds.length ? ['[dictionaries.chunks]', `values = ${JSON.stringify(chunkIds)}`] : []),
  ...(responseIds.length ? ['[dictionaries.responses]', `values = ${JSON.stringify(responseIds)}`] : []),
  '[dictionaries.requests]',
  `values = ${JSON.stringify(requestIds.filter(Boolean))}`,
  '[parameters]',
  ...(chunkIds.length ? ['"path.chunk_id" = { dictionary = "chunks", probability = 0.5 }'] : []),
  ...(responseIds.length ? ['"path.response_id" = { dictionary = "responses", probability = 0.5 }'] : []),
  '"body.request_id" = { dictionary = "requests", probability = 0.5 }',
  '',
].join('\n');
const configToml = join(dir, 'schemathesis.toml');
writeFileSync(configToml, toml);
process.stderr.write(
  `test:schema: ${chunkIds.length} chunk, ${responseIds.length} response and ${requestIds.length} request id(s) for parameters\n`,
);

const args = [
  '--config-file',
  configToml,
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
