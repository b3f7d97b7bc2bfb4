/**
 * `npm run bench -- --quick` smoke test on a small subset (CI stays short): the runner starts the simulator,
 * the bare proxy and a gateway as child processes, measures, prints the table, writes the SVG and the JSON
 * in the documented shape, and leaves no process behind. Numbers are not asserted (no timed assertions).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Round, summarise, table, writeJson } from '../../load/bench/report.ts';
import type { Scenario } from '../../load/bench/scenarios.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lorag-bench-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench -- --quick (subset)', () => {
  test('measures direct, bare-proxy, lorag-miss and lorag-stream and writes table, SVG and JSON', () => {
    const json = join(dir, 'bench.json');
    const run = spawnSync(
      process.execPath,
      [
        'load/bench/run.ts',
        '--quick',
        '--only',
        'lorag-miss,lorag-stream',
        '--seconds',
        '0.5',
        '--c1-seconds',
        '0.3',
        '--open-streams',
        '20',
        '--out',
        dir,
        '--json',
        json,
      ],
      { cwd: root, encoding: 'utf8', timeout: 110_000 },
    );
    assert.equal(run.status, 0, `bench failed:\n${run.stderr.slice(-3000)}`);
    assert.match(run.stdout, /\| scenario \| req\/s \| p50 ms \| p99 ms \|/);
    assert.match(run.stdout, /### Targets \(issue 16\)/);
    assert.match(run.stderr, /bench: round 1\/1 lorag-miss/, 'progress goes to stderr');
    assert.ok(existsSync(join(dir, 'bench-quick.svg')));
    assert.match(
      readFileSync(join(dir, 'bench-quick.svg'), 'utf8'),
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );

    const out = JSON.parse(readFileSync(json, 'utf8'));
    const names = out.scenarios.map((s: { name: string }) => s.name);
    assert.deepEqual(names, [
      'direct',
      'bare-proxy',
      'lorag-miss',
      'direct-stream',
      'bare-proxy-stream',
      'lorag-stream',
    ]);
    for (const s of out.scenarios) {
      assert.ok(s.rps > 0, `${s.name} measured requests`);
      assert.ok(s.p50_ms > 0 && s.p99_ms >= s.p50_ms, `${s.name} has p50 ≤ p99`);
      assert.equal(s.errors, 0, `${s.name} had errors`);
    }
    const stream = out.scenarios.find((s: { name: string }) => s.name === 'lorag-stream');
    assert.ok(stream.ttfb_p50_ms > 0 && stream.ttfb_p50_ms <= stream.p50_ms);
    assert.ok(out.scenarios.find((s: { name: string }) => s.name === 'lorag-miss').rss_mb > 0);
    assert.equal(out.open_streams.length, 2);
    for (const o of out.open_streams) assert.equal(o.opened, 20, `${o.name}: all streams open at once`);
  });
});

describe('bench report', () => {
  const result = (rps: number, p50: number) => ({ rps, p50, p99: p50 * 2, requests: 100, errors: 0 });
  const scenario = (name: string, extra: Partial<Scenario> = {}): Scenario => ({
    name,
    kind: 'http',
    target: name,
    headers: {},
    bodies: ['{}'],
    uniqueBodies: false,
    baseline: 'direct',
    bare: 'bare-proxy',
    ...extra,
  });
  const round = (rps: number, c1: number, rss: number | null = null): Round => ({
    c1: result(1 / c1, c1),
    c32: result(rps, 32 / rps),
    rss,
    cpuUsPerReq: null,
  });

  test('added latency, ratio to the bare proxy and medians over rounds; skipped rows keep their reason', () => {
    const list = [
      scenario('direct'),
      scenario('bare-proxy'),
      scenario('lorag-miss'),
      scenario('lorag-hybrid', { skipped: 'not landed' }),
    ];
    const rounds = new Map<string, Round[]>([
      ['direct', [round(10_000, 0.1), round(12_000, 0.1), round(11_000, 0.1)]],
      ['bare-proxy', [round(5000, 0.5, 150), round(4000, 0.5, 160), round(6000, 0.5, 155)]],
      ['lorag-miss', [round(3000, 1.1, 200), round(3500, 0.9, 210), round(2500, 1.0, 205)]],
    ]);
    const rows = summarise(list, rounds);
    const miss = rows.find((r) => r.name === 'lorag-miss')!;
    assert.equal(miss.rps, 3000);
    assert.equal(miss.xBare, 0.6);
    assert.ok(Math.abs((miss.addedMs ?? 0) - 0.9) < 1e-9);
    assert.equal(miss.rss, 210, 'RSS is the peak over rounds');
    const lines = table(rows).split('\n');
    const cells = (line: string) => line.split('|').length;
    for (const line of lines)
      assert.equal(cells(line), cells(lines[0]), `every table row has the header's columns: ${line}`);
    assert.match(lines.at(-1) ?? '', /^\| lorag-hybrid \| skipped: not landed \|/);
    const file = join(dir, 'report.json');
    writeJson(file, rows, [], {});
    const out = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(out.scenarios[3], {
      name: 'lorag-hybrid',
      rps: null,
      p50_ms: null,
      p99_ms: null,
      skipped: 'not landed',
    });
    assert.deepEqual(Object.keys(out.scenarios[2]).slice(0, 5), ['name', 'rps', 'p50_ms', 'p99_ms', 'rss_mb']);
  });
});

describe('bench tables and chart', () => {
  const cells = (line: string) => line.split('|').length;
  test('scaling and corpus tables: every row has the header columns; skipped rows keep their reason', async () => {
    const { scalingTable } = await import('../../load/bench/scaling.ts');
    const { corpusTable } = await import('../../load/bench/corpus.ts');
    const scaling = scalingTable([
      {
        dimension: 'tenants',
        small: '1',
        large: '1,000',
        smallCpuUs: 280,
        largeCpuUs: 290,
        growth: 290 / 280,
        sizeRatio: 1,
        units: null,
        expect: 'flat',
        errors: 0,
      },
      {
        dimension: 'prompt body',
        small: '1 KB',
        large: '100 KB',
        smallCpuUs: 300,
        largeCpuUs: null,
        growth: null,
        sizeRatio: 100,
        units: [1, 100],
        expect: 'linear',
        errors: 3,
      },
    ]).split('\n');
    for (const line of scaling) assert.equal(cells(line), cells(scaling[0]), line);
    assert.match(scaling[2], /\| tenants \| 1 → 1,000 \| 280 \| 290 \| 1\.04× \| flat/);
    const corpus = corpusTable([
      {
        store: 'lancedb',
        chunks: 1000,
        ingestS: 0.5,
        hybridP50: 4.8,
        hybridP99: 20,
        hybridCpuMs: 5,
        denseP50: 2,
        lexicalP50: Number.NaN,
        recall: 0.98,
        index: 'fts(terms)',
      },
      { store: 'qdrant', chunks: 1000, skipped: 'stand-in venv missing' },
    ]).split('\n');
    for (const line of corpus) assert.equal(cells(line), cells(corpus[0]), line);
    assert.match(corpus[3], /skipped: stand-in venv missing/);
  });

  test('the chart is a Vega-Lite spec rendered to SVG, one bar per measured scenario', async () => {
    const { chartSvg } = await import('../../load/bench/chart.ts');
    const row = (name: string, rps: number) => ({
      name,
      kind: 'http' as const,
      rps,
      p50: 1,
      p99: 2,
      c1P50: 0.5,
      addedMs: 0.2,
      xBare: rps / 4000,
      rss: 100,
      cpuUsPerReq: 200,
      errors: 0,
      requests: 10,
    });
    const svg = await chartSvg([row('bare-proxy', 4000), row('lorag-miss', 2000), row('portkey', 400)], 'bench');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const name of ['bare-proxy', 'lorag-miss', 'portkey']) assert.ok(svg.includes(name), name);
  });
});
