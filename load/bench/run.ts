/**
 * @module load/bench/run — `npm run bench`: in one run, the simulator and each proxy under test as separate
 * processes (load generator + simulator on CPU 0, proxy on CPU 1 via taskset), interleaved rounds at 1 and 32
 * connections, then the table, the issue's targets, an SVG chart and optionally JSON. Progress on stderr,
 * results on stdout. See load/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseBenchArgs } from './args.ts';
import { chartSvg } from './chart.ts';
import { type LoadResult, runHttp } from './load-http.ts';
import { runStream } from './load-stream.ts';
import { measureOpenStreams } from './open-streams.ts';
import { cpuCount, hasTaskset, killAllSync, peakRss, pinSelf, stopAll } from './procs.ts';
import {
  type OpenStreams,
  openStreamsTable,
  type Round,
  summarise,
  table,
  targetLines,
  targets,
  writeJson,
} from './report.ts';
import { PATH, probe, type Scenario, scenarios } from './scenarios.ts';
import { buildStand, type Stand } from './stand.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

function measure(stand: Stand, s: Scenario, connections: number, seconds: number): Promise<LoadResult> {
  const url = stand.targets.get(s.target)!.url + PATH;
  const load = { url, connections, seconds, headers: s.headers, uniqueBodies: s.uniqueBodies };
  return s.kind === 'stream' ? runStream({ ...load, body: s.bodies[0] }) : runHttp({ ...load, bodies: s.bodies });
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseBenchArgs>;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const startedAt = Date.now();
  const canPin = args.pin && hasTaskset() && cpuCount() >= 2;
  if (args.pin && !canPin)
    log(`bench: not pinning (${hasTaskset() ? `${cpuCount()} CPU` : 'taskset not found'}); numbers are noisier`);
  if (canPin) pinSelf(0);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllSync();
      process.exit(130);
    });
  }
  process.on('exit', killAllSync);

  const stand = await buildStand({
    loadCpu: canPin ? 0 : null,
    proxyCpu: canPin ? 1 : null,
    log,
    churnAdapters: 8,
    gatewayNodeArgs: args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(args.cpuProf)] : [],
  });
  try {
    let list = scenarios(stand);
    if (args.only) {
      const keep = new Set([
        ...args.only,
        'direct',
        'bare-proxy',
        ...(args.only.some((n) => n.includes('stream')) ? ['direct-stream', 'bare-proxy-stream'] : []),
      ]);
      list = list.filter((s) => keep.has(s.name));
    }
    log('bench: probing scenarios');
    await probe(stand, list);
    for (const s of list.filter((x) => x.skipped)) log(`bench: ${s.name} skipped: ${s.skipped}`);
    const runnable = list.filter((s) => !s.skipped);

    log(`bench: warm-up ${args.warmupSeconds}s each`);
    for (const s of runnable) await measure(stand, s, args.connections, args.warmupSeconds);

    const rounds = new Map<string, Round[]>();
    for (let round = 0; round < args.rounds; round++) {
      const order = round % 2 === 0 ? runnable : [...runnable].reverse();
      for (const s of order) {
        const c1 = await measure(stand, s, 1, args.c1Seconds);
        const pid = stand.targets.get(s.target)?.pid ?? null;
        const { result: c32, peak, cpu } = await peakRss(pid, () => measure(stand, s, args.connections, args.seconds));
        rounds.set(s.name, [...(rounds.get(s.name) ?? []), { c1, c32, rss: peak, cpuUsPerReq: cpu === null || c32.requests === 0 ? null : (cpu * 1000) / c32.requests }]);
        const ttfb = c32.ttfbP50 !== undefined ? ` ttfb p50 ${c32.ttfbP50.toFixed(2)}ms` : '';
        log(
          `bench: round ${round + 1}/${args.rounds} ${s.name.padEnd(18)} ${c32.rps.toFixed(0).padStart(6)} req/s p50 ${c32.p50.toFixed(2)}ms p99 ${c32.p99.toFixed(2)}ms${ttfb} | c=1 p50 ${c1.p50.toFixed(3)}ms${peak ? ` | rss ${peak.toFixed(0)}MB` : ''}${cpu !== null && c32.requests ? ` | cpu ${((cpu * 1000) / c32.requests).toFixed(0)}µs/req` : ''}${c1.errors + c32.errors ? ` | errors ${c1.errors + c32.errors}` : ''}`,
        );
      }
    }

    const open: OpenStreams[] = args.openStreams > 0 ? await measureOpenStreams(stand, args.openStreams, log) : [];
    const rows = summarise(list, rounds);
    const checks = targets(rows, open);
    const title = `lorag bench — ${args.rounds} round(s), c=${args.connections} for ${args.seconds}s and c=1 for ${args.c1Seconds}s, ${canPin ? 'pinned: load+sim CPU 0, proxy CPU 1' : 'not pinned'}, Node ${process.versions.node}`;
    const out = [
      `## ${title}`,
      '',
      table(rows),
      '',
      openStreamsTable(open),
      '',
      '### Targets (issue 9)',
      targetLines(checks),
      '',
    ].join('\n');
    process.stdout.write(`${out}\n`);

    mkdirSync(args.outDir, { recursive: true });
    const svg = join(args.outDir, args.quick ? 'bench-quick.svg' : 'bench.svg');
    writeFileSync(svg, chartSvg(rows, title));
    writeFileSync(join(args.outDir, args.quick ? 'bench-quick.md' : 'bench.md'), `${out}\n`);
    log(`bench: chart ${svg}`);
    if (args.json) {
      writeJson(args.json, rows, open, {
        node: process.versions.node,
        pinned: canPin,
        rounds: args.rounds,
        seconds: args.seconds,
        c1_seconds: args.c1Seconds,
        connections: args.connections,
        quick: args.quick,
      });
      log(`bench: JSON ${args.json}`);
    }
    log(`bench: done in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  } finally {
    await stopAll();
    await stand.sink.close();
  }
}

await main();
