/**
 * `npm run soak`: bounded mixed traffic (load/soak/traffic.ts) at a fixed arrival rate against a real stand —
 * Redis (cache, limits), one `lorag sim`, `lorag serve` with LanceDB and legal's documents ingested — for a
 * fixed duration. Reports per window: requests, errors, cache hit share, p50/p99, gateway RSS; RSS growth and
 * p99 drift per minute; a table and a Vega-Lite chart rendered to SVG. Exits 1 when any request failed.
 *
 *   npm run soak [-- --duration 10m] [--window 60s] [--rps 30] [--concurrency 16] [--out DIR]
 *
 * Sends traffic only to loopback and stops by itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { sha256Hex } from '../../src/auth/keys.ts';
import { ingest, repoRoot, runDir, startGatewayProc, startRedis, startSimProc } from '../../test/helpers/processes.ts';
import { keys, testConfig } from '../../test/helpers/stack.ts';
import { chartSpec, renderSvg, summarise, table } from './report.ts';
import { type Result, sendOne, type Tenant } from './traffic.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    window: { type: 'string', default: '60s' },
    rps: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '16' },
    out: { type: 'string' },
  },
});

/** `90`, `90s`, `10m` → seconds. */
function seconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (e.g. 60s, 10m)`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}
const durationS = seconds(values.duration);
const windowS = Math.min(durationS, seconds(values.window));
const rps = Number(values.rps);
const concurrency = Number(values.concurrency);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = values.out ?? join(repoRoot, 'load/soak/results', stamp);
mkdirSync(outDir, { recursive: true });

const dir = runDir('soak');
const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
log(`run directory ${dir} (process logs, config); results in ${outDir}`);

const redis = await startRedis(dir);
const sim = await startSimProc(dir, 'sim', [
  '--max-num-seqs',
  '1000',
  '--max-loras',
  '4',
  '--ttft-ms',
  '5',
  '--itl-ms',
  '2',
]);
const high = { requests_per_minute: 1_000_000, tokens_per_minute: 1_000_000_000 };
const config = testConfig([sim.url], {
  config: {
    redis: { url: redis.url, key_prefix: 'lorag-soak:' },
    cache: { kind: 'redis' },
    limits: { kind: 'redis' },
    embeddings: { kind: 'openai', url: `${sim.url}/v1`, model: 'tiny-base' },
    telemetry: { log_level: 'warn' },
  },
  tenants: {
    legal: { collections: ['legal-docs'], limits: high },
    hr: { limits: high },
    finance: {
      keys: [{ sha256: sha256Hex(keys.finance), name: 'finance' }],
      adapters: [],
      strategy: { default: 'base', allowed: ['base'] },
      limits: high,
    },
  },
}) as Record<string, any>;

// Legal's knowledge base, ingested before the gateway starts (the same LanceDB path and embedder).
ingest(dir, config, 'legal', 'legal-docs', [join(repoRoot, 'load/k6/docs')]);
const gateway = await startGatewayProc(dir, 'gateway', config);
const pid = gateway.proc.child.pid!;
const clients = Object.fromEntries(
  (['legal', 'hr', 'finance'] as Tenant[]).map((t) => [
    t,
    new OpenAI({ apiKey: keys[t], baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 30_000 }),
  ]),
) as Record<Tenant, OpenAI>;

function rssMb(): number | null {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

const results: Result[] = [];
const rss: { at: number; mb: number }[] = [];
const startedAt = Date.now();
const endAt = startedAt + durationS * 1000;
const sampler = setInterval(() => {
  const mb = rssMb();
  if (mb !== null) rss.push({ at: Date.now(), mb });
}, 1000);
let reported = 0;
const progress = setInterval(() => {
  const done = Math.floor((Date.now() - startedAt) / (windowS * 1000));
  if (done <= reported) return;
  reported = done;
  const w = summarise(results, rss, startedAt, durationS, windowS).windows[done - 1];
  if (w) {
    log(
      `window ${done}/${Math.ceil(durationS / windowS)}: ${w.requests} requests, ${w.errors} errors, ` +
        `p99 ${w.p99Ms.toFixed(1)} ms, RSS ${w.rssMb?.toFixed(1)} MiB`,
    );
  }
}, 500);

log(`${durationS} s at ${rps} req/s (at most ${concurrency} in flight), 3 tenants, mix of chat/stream/cache/rag`);
const inFlight = new Set<Promise<void>>();
let behind = 0;
for (let n = 0; ; n++) {
  const due = startedAt + (n * 1000) / rps;
  if (due >= endAt) break;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  while (inFlight.size >= concurrency) {
    behind++;
    await Promise.race(inFlight);
  }
  const p: Promise<void> = sendOne(clients, n).then((r) => {
    results.push(r);
    inFlight.delete(p);
  });
  inFlight.add(p);
}
await Promise.all(inFlight);
clearInterval(sampler);
clearInterval(progress);
await gateway.proc.kill('SIGTERM');
await sim.proc.kill('SIGTERM');
await redis.kill();

const summary = summarise(results, rss, startedAt, durationS, windowS);
const title = `lorag soak: ${durationS} s at ${rps} req/s`;
const text = table(summary);
const spec = chartSpec(summary, title);
writeFileSync(join(outDir, 'soak.json'), `${JSON.stringify({ ...summary, rps, concurrency, behind }, null, 2)}\n`);
writeFileSync(join(outDir, 'soak.md'), `# ${title}\n\n${text}`);
writeFileSync(join(outDir, 'soak.vl.json'), `${JSON.stringify(spec, null, 2)}\n`);
writeFileSync(join(outDir, 'soak.svg'), await renderSvg(spec));
process.stdout.write(`\n${text}`);
if (behind) log(`the arrival schedule waited ${behind} times for a free slot (${concurrency} in flight)`);
for (const e of summary.errorSamples) log(`error: ${e}`);
log(`wrote ${join(outDir, 'soak.md')}, soak.svg, soak.json`);
process.exit(summary.errors === 0 ? 0 : 1);
