/**
 * @module load/bench/scaling — the scaling table (`npm run bench -- --scaling`): CPU time of the gateway
 * process per request (the steadiest number on a shared machine) as one thing grows at a time, each pair in
 * its own gateway, same simulator, c=32, cache misses:
 * - tenants 1 → 1,000 (requests spread round-robin over every tenant's key),
 * - keys 10 → 10,000 of one tenant (requests spread over 100 of them),
 * - registered adapters 10 → 1,000 (requests to one of them),
 * - prompt body 1 KB → 100 KB (expected: linear; µs per KB shown),
 * - stream length 20 → 2,000 chunks (expected: linear; µs per chunk shown).
 * Flat rows should stay within noise; linear rows should grow by the size ratio at most.
 */
import { join } from 'node:path';
import { BENCH_KEY, extraKey, type GatewayConfigOptions, tenantKey, writeChurnAdapters } from './gateway-config.ts';
import { runHttp } from './load-http.ts';
import { runStream } from './load-stream.ts';
import { peakRss, stopPid } from './procs.ts';
import { PATH } from './scenarios.ts';
import type { Stand } from './stand.ts';

export interface ScalingRow {
  dimension: string;
  small: string;
  large: string;
  smallCpuUs: number | null;
  largeCpuUs: number | null;
  /** large ÷ small CPU per request. */
  growth: number | null;
  /** What growth the size ratio would give if cost were linear in it (1 for the "flat" dimensions). */
  sizeRatio: number;
  /** The sizes as numbers (KB, chunks), for the cost per extra unit of a linear row. */
  units: [number, number] | null;
  expect: 'flat' | 'linear';
  errors: number;
}

interface Case {
  label: string;
  config: Omit<GatewayConfigOptions, 'port' | 'simUrl' | 'cache'>;
  headerSets?: Record<string, string>[];
  body: string;
  stream?: boolean;
  /** Fewer connections for heavy requests (the simulator shares a core with the load generator). */
  connections?: number;
}

const auth = (key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` });
const chat = (model: string, content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: 16, temperature: 0, ...extra });
const question = 'scale [<id>] What does clause 4 say about early termination?';
const padded = (bytes: number) =>
  `${question} ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27))}`.slice(0, bytes);

async function measureCase(stand: Stand, simUrl: string, c: Case, seconds: number, connections: number) {
  const target = await stand.startGateway(`scale-${c.label}`, { simUrl, cache: 'memory', ...c.config });
  try {
    const url = target.url + PATH;
    const headers = c.headerSets?.[0] ?? auth(BENCH_KEY);
    const load = { url, connections: c.connections ?? connections, headers, uniqueBodies: true };
    const run = (s: number) =>
      c.stream
        ? runStream({ ...load, seconds: s, body: c.body })
        : runHttp({ ...load, seconds: s, bodies: [c.body], headerSets: c.headerSets });
    await run(Math.min(1, seconds)); // warm-up: JIT, adapter load, pools
    const { result, cpu } = await peakRss(target.pid, () => run(seconds));
    return {
      cpuUs: cpu === null || result.requests === 0 ? null : (cpu * 1000) / result.requests,
      errors: result.errors,
    };
  } finally {
    await stopPid(target.pid);
  }
}

export async function measureScaling(
  stand: Stand,
  simUrl: string,
  opts: { seconds: number; connections: number; log: (line: string) => void },
): Promise<ScalingRow[]> {
  const tenants = (n: number): Case => ({
    label: `tenants-${n}`,
    config: { extraTenants: n - 1 },
    headerSets: [auth(BENCH_KEY), ...Array.from({ length: n - 1 }, (_, i) => auth(tenantKey(i)))],
    body: chat('legal', question),
  });
  const keys = (n: number): Case => ({
    label: `keys-${n}`,
    config: { extraKeys: n - 1 },
    headerSets: Array.from({ length: Math.min(100, n - 1) }, (_, i) => auth(extraKey(Math.floor((i * (n - 1)) / 100)))),
    body: chat('legal', question),
  });
  const adapters = (n: number): Case => {
    const dir = join(stand.dir, `adapters-${n}`);
    const names = writeChurnAdapters(dir, n);
    return { label: `adapters-${n}`, config: { adaptersDir: dir, adapters: names }, body: chat(names[0], question) };
  };
  const body = (kb: number): Case => ({
    label: `body-${kb}kb`,
    config: { maxModelLen: 1_000_000 },
    body: chat('legal', padded(kb * 1024)),
    connections: kb > 10 ? 8 : undefined,
  });
  const stream = (chunks: number): Case => ({
    label: `stream-${chunks}`,
    config: { maxModelLen: 1_000_000 },
    // ignore_eos: the simulator (like vLLM) would otherwise stop at its natural length (~30 tokens).
    body: chat('legal', question, { max_tokens: chunks, ignore_eos: true, stream: true }),
    stream: true,
    connections: chunks > 200 ? 8 : undefined,
  });
  const pairs: [string, Case, Case, [number, number] | null, 'flat' | 'linear', string, string][] = [
    ['tenants', tenants(1), tenants(1000), null, 'flat', '1', '1,000'],
    ['keys of one tenant', keys(10), keys(10_000), null, 'flat', '10', '10,000'],
    ['registered adapters', adapters(10), adapters(1000), null, 'flat', '10', '1,000'],
    ['prompt body', body(1), body(100), [1, 100], 'linear', '1 KB', '100 KB'],
    ['stream length', stream(20), stream(2000), [20, 2000], 'linear', '20 chunks', '2,000 chunks'],
  ];
  const rows: ScalingRow[] = [];
  for (const [dimension, a, b, units, expect, small, large] of pairs) {
    const ra = await measureCase(stand, simUrl, a, opts.seconds, opts.connections);
    const rb = await measureCase(stand, simUrl, b, opts.seconds, opts.connections);
    const growth = ra.cpuUs && rb.cpuUs ? rb.cpuUs / ra.cpuUs : null;
    rows.push({
      dimension,
      small,
      large,
      smallCpuUs: ra.cpuUs,
      largeCpuUs: rb.cpuUs,
      growth,
      sizeRatio: units ? units[1] / units[0] : 1,
      units,
      expect,
      errors: ra.errors + rb.errors,
    });
    opts.log(
      `bench: scaling ${dimension}: ${small} → ${large}: ${ra.cpuUs?.toFixed(0)} → ${rb.cpuUs?.toFixed(0)} µs/req (${growth?.toFixed(2)}×)`,
    );
  }
  return rows;
}

const f = (v: number | null, d = 0) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(d));

export function scalingTable(rows: ScalingRow[]): string {
  const lines = [
    '| grows | from → to | CPU µs/req (from) | CPU µs/req (to) | growth | expected | errors |',
    '|---|---|---:|---:|---:|---|---:|',
  ];
  for (const r of rows) {
    const expected =
      r.expect === 'flat'
        ? 'flat (≈1×)'
        : `linear: ≤ ${r.sizeRatio}× (${f(r.largeCpuUs && r.smallCpuUs && r.units ? (r.largeCpuUs - r.smallCpuUs) / (r.units[1] - r.units[0]) : null, 2)} µs per extra ${r.dimension.startsWith('prompt') ? 'KB' : 'chunk'})`;
    lines.push(
      `| ${r.dimension} | ${r.small} → ${r.large} | ${f(r.smallCpuUs)} | ${f(r.largeCpuUs)} | ${f(r.growth, 2)}× | ${expected} | ${r.errors} |`,
    );
  }
  return lines.join('\n');
}
