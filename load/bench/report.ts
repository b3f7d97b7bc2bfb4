/**
 * @module load/bench/report — turns the rounds into one row per scenario (medians over rounds), prints the
 * table and the targets, and writes the JSON file.
 */
import { writeFileSync } from 'node:fs';
import type { LoadResult } from './load-http.ts';
import type { Scenario } from './scenarios.ts';
import { median } from './stats.ts';

export interface Round {
  c1: LoadResult;
  c32: LoadResult;
  rss: number | null;
  /** CPU time of the proxy process per request at c=32 (robust to a busy machine, unlike req/s). */
  cpuUsPerReq: number | null;
}

export interface Row {
  name: string;
  kind: 'http' | 'stream';
  note?: string;
  skipped?: string;
  rps: number;
  p50: number;
  p99: number;
  ttfbP50?: number;
  c1P50: number;
  c1TtfbP50?: number;
  /** c=1 p50 minus the baseline's (direct) c=1 p50: what the hop adds, unloaded. */
  addedMs?: number;
  /** For streams: added time to first byte at c=1. */
  addedTtfbMs?: number;
  xBare?: number;
  rss: number | null;
  cpuUsPerReq: number;
  errors: number;
  requests: number;
}

export interface OpenStreams {
  name: string;
  streams: number;
  opened: number;
  completed: number;
  rss: number | null;
  baselineRss: number | null;
}

export function summarise(list: Scenario[], rounds: Map<string, Round[]>): Row[] {
  const rows: Row[] = list.map((s) => {
    const rs = rounds.get(s.name) ?? [];
    const m = (f: (r: Round) => number | undefined) => median(rs.map((r) => f(r) ?? Number.NaN));
    return {
      name: s.name,
      kind: s.kind,
      note: s.note,
      skipped: s.skipped,
      rps: m((r) => r.c32.rps),
      p50: m((r) => r.c32.p50),
      p99: m((r) => r.c32.p99),
      ttfbP50: s.kind === 'stream' ? m((r) => r.c32.ttfbP50) : undefined,
      c1P50: m((r) => r.c1.p50),
      c1TtfbP50: s.kind === 'stream' ? m((r) => r.c1.ttfbP50) : undefined,
      rss: rs.length && rs.some((r) => r.rss !== null) ? Math.max(...rs.map((r) => r.rss ?? 0)) : null,
      cpuUsPerReq: m((r) => r.cpuUsPerReq ?? undefined),
      errors: rs.reduce((a, r) => a + r.c1.errors + r.c32.errors, 0),
      requests: rs.reduce((a, r) => a + r.c1.requests + r.c32.requests, 0),
    };
  });
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const [row, s] of rows.map((r, i) => [r, list[i]] as const)) {
    if (row.skipped) continue;
    const base = byName.get(s.baseline);
    const bare = byName.get(s.bare);
    if (base && !base.skipped && row.name !== s.baseline) {
      row.addedMs = row.c1P50 - base.c1P50;
      if (s.kind === 'stream' && row.c1TtfbP50 !== undefined && base.c1TtfbP50 !== undefined)
        row.addedTtfbMs = row.c1TtfbP50 - base.c1TtfbP50;
    }
    if (bare && !bare.skipped) row.xBare = row.rps / bare.rps;
  }
  return rows;
}

const f = (v: number | undefined | null, digits = 2) =>
  v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);

export function table(rows: Row[]): string {
  const head = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'p99/p50',
    'c=1 p50',
    'added c=1',
    '× bare',
    'TTFB p50',
    'added TTFB c=1',
    'RSS MB',
    'CPU µs/req',
    'errors',
    'note',
  ];
  const lines = rows.map((r) =>
    r.skipped
      ? [r.name, `skipped: ${r.skipped}`, '', '', '', '', '', '', '', '', '', '', '', '']
      : [
          r.name,
          f(r.rps, 0),
          f(r.p50),
          f(r.p99),
          f(r.p99 / r.p50, 1),
          f(r.c1P50, 3),
          r.addedMs === undefined ? '—' : `${r.addedMs >= 0 ? '+' : ''}${f(r.addedMs, 3)}`,
          f(r.xBare),
          f(r.ttfbP50),
          r.addedTtfbMs === undefined ? '—' : `${r.addedTtfbMs >= 0 ? '+' : ''}${f(r.addedTtfbMs, 3)}`,
          f(r.rss, 0),
          f(r.cpuUsPerReq, 0),
          String(r.errors),
          r.note ?? '',
        ],
  );
  const md = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [md(head), md(head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:'))), ...lines.map(md)].join(
    '\n',
  );
}

export function openStreamsTable(rows: OpenStreams[]): string {
  if (rows.length === 0) return '';
  const lines = rows.map(
    (r) => `| ${r.name} | ${r.streams} | ${r.opened} | ${r.completed} | ${f(r.rss, 0)} | ${f(r.baselineRss, 0)} |`,
  );
  return [
    '| open streams | wanted | opened | completed | RSS MB, all open | RSS MB, idle before |',
    '|---|---:|---:|---:|---:|---:|',
    ...lines,
  ].join('\n');
}

interface Target {
  text: string;
  ok: boolean | null;
}

/** Issue 16's targets, each PASS/MISS or n/a when a scenario it needs did not run. */
export function targets(rows: Row[], open: OpenStreams[]): Target[] {
  const r = new Map(rows.filter((x) => !x.skipped).map((x) => [x.name, x]));
  const out: Target[] = [];
  const check = (text: string, ok: boolean | undefined | null) => out.push({ text, ok: ok ?? null });
  const ratio = (name: string, min: number, label = name) => {
    const x = r.get(name);
    check(`${label} ≥ ${min.toFixed(2)} × bare proxy: ${f(x?.xBare)}×`, x?.xBare !== undefined ? x.xBare >= min : null);
  };
  ratio('lorag-miss', 0.7, 'miss throughput');
  ratio('lorag-stream', 0.7, 'stream throughput');
  ratio('lorag-hit', 1.2, 'memory-cache hit throughput');
  ratio('lorag-hit-redis', 0.9, 'Redis hit throughput');
  ratio('lorag-hybrid', 0.2, 'hybrid retrieval (LanceDB) throughput');
  const miss = r.get('lorag-miss');
  const stream = r.get('lorag-stream');
  check(
    `miss added latency p50 at c=1 ≤ 0.35 ms: ${f(miss?.addedMs, 3)} ms`,
    miss?.addedMs !== undefined ? miss.addedMs <= 0.35 : null,
  );
  check(
    `stream added time to first byte at c=1 ≤ 0.35 ms: ${f(stream?.addedTtfbMs, 3)} ms`,
    stream?.addedTtfbMs !== undefined ? stream.addedTtfbMs <= 0.35 : null,
  );
  for (const x of [miss, stream])
    if (x) check(`${x.name} p99 ≤ 3 × p50 at c=32: ${f(x.p99 / x.p50, 2)}×`, x.p99 <= 3 * x.p50);
  const lo = open.find((o) => o.name.startsWith('lorag'));
  const bo = open.find((o) => o.name.startsWith('bare'));
  if (lo?.rss && bo?.rss)
    check(
      `RSS with ${lo.streams} open streams ≤ 1.4 × bare proxy: ${f(lo.rss, 0)} / ${f(bo.rss, 0)} MB = ${f(lo.rss / bo.rss)}×`,
      lo.rss <= 1.4 * bo.rss,
    );
  return out;
}

export function targetLines(list: Target[]): string {
  return list.map((t) => `- [${t.ok === null ? 'n/a' : t.ok ? 'PASS' : 'MISS'}] ${t.text}`).join('\n');
}

const num = (v: number | undefined | null) =>
  v === undefined || v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;

export function writeJson(
  file: string,
  rows: Row[],
  open: OpenStreams[],
  meta: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): void {
  const scenarios = rows.map((r) => {
    if (r.skipped) return { name: r.name, rps: null, p50_ms: null, p99_ms: null, skipped: r.skipped };
    const o: Record<string, unknown> = { name: r.name, rps: num(r.rps), p50_ms: num(r.p50), p99_ms: num(r.p99) };
    if (r.ttfbP50 !== undefined) o.ttfb_p50_ms = num(r.ttfbP50);
    if (r.rss !== null) o.rss_mb = num(r.rss);
    if (Number.isFinite(r.cpuUsPerReq)) o.cpu_us_per_req = num(r.cpuUsPerReq);
    o.c1_p50_ms = num(r.c1P50);
    if (r.addedMs !== undefined) o.added_ms = num(r.addedMs);
    if (r.addedTtfbMs !== undefined) o.added_ttfb_ms = num(r.addedTtfbMs);
    if (r.xBare !== undefined) o.x_bare = num(r.xBare);
    o.errors = r.errors;
    return o;
  });
  const openStreams = open.map((o) => ({
    name: o.name,
    streams: o.streams,
    opened: o.opened,
    completed: o.completed,
    rss_mb: num(o.rss),
    idle_rss_mb: num(o.baselineRss),
  }));
  writeFileSync(file, `${JSON.stringify({ scenarios, open_streams: openStreams, ...extra, meta }, null, 2)}\n`);
}
