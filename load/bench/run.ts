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
import { measureScaling, type ScalingRow, scalingTable } from './scaling.ts';
import { PATH, probe, type Scenario, scenarios, selectScenarios, TARGET_OF } from './scenarios.ts';
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

  let names: string[];
  try {
    names = selectScenarios(args.only, args.peers);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const stand = await buildStand({
    needed: new Set(names.map((n) => TARGET_OF[n])),
    loadCpu: canPin ? 0 : null,
    proxyCpu: canPin ? 1 : null,
    log,
    churnAdapters: 8,
    hybridChunks: args.hybridChunks,
    gatewayNodeArgs: args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(args.cpuProf)] : [],
  });
  log(`bench: processes up in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  try {
    const list = scenarios(stand).filter((s) => names.includes(s.name));
    log('bench: probing scenarios');
    await probe(stand, list);
    for (const s of list.filter((x) => x.skipped)) log(`bench: ${s.name} skipped: ${s.skipped}`);
    const runnable = list.filter((s) => !s.skipped);
    log(`bench: probes done at ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);

    log(`bench: warm-up ${args.warmupSeconds}s each`);
    for (const s of runnable) await measure(stand, s, args.connections, args.warmupSeconds);

    const rounds = new Map<string, Round[]>();
    for (let round = 0; round < args.rounds; round++) {
      const order = round % 2 === 0 ? runnable : [...runnable].reverse();
      for (const s of order) {
        const c1 = await measure(stand, s, 1, args.c1Seconds);
        const pid = stand.targets.get(s.target)?.pid ?? null;
        const { result: c32, peak, cpu } = await peakRss(pid, () => measure(stand, s, args.connections, args.seconds));
        rounds.set(s.name, [
          ...(rounds.get(s.name) ?? []),
          { c1, c32, rss: peak, cpuUsPerReq: cpu === null || c32.requests === 0 ? null : (cpu * 1000) / c32.requests },
        ]);
        const ttfb = c32.ttfbP50 !== undefined ? ` ttfb p50 ${c32.ttfbP50.toFixed(2)}ms` : '';
        log(
          `bench: round ${round + 1}/${args.rounds} ${s.name.padEnd(18)} ${c32.rps.toFixed(0).padStart(6)} req/s p50 ${c32.p50.toFixed(2)}ms p99 ${c32.p99.toFixed(2)}ms${ttfb} | c=1 p50 ${c1.p50.toFixed(3)}ms${peak ? ` | rss ${peak.toFixed(0)}MB` : ''}${cpu !== null && c32.requests ? ` | cpu ${((cpu * 1000) / c32.requests).toFixed(0)}µs/req` : ''}${c1.errors + c32.errors ? ` | errors ${c1.errors + c32.errors}` : ''}`,
        );
      }
    }

    const open: OpenStreams[] = args.openStreams > 0 ? await measureOpenStreams(stand, args.openStreams, log) : [];
    let scaling: ScalingRow[] = [];
    if (args.scaling) {
      log('bench: scaling table');
      const sim = await stand.startSim('sim-scale', ['--max-loras', '4', '--max-model-len', '1000000']);
      scaling = await measureScaling(stand, sim.url, {
        seconds: Math.max(1, args.seconds / 2),
        connections: args.connections,
        log,
      });
    }
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
      ...(scaling.length
        ? ['### Scaling (CPU of the gateway per request, c=32, cache misses)', '', scalingTable(scaling), '']
        : []),
      '### Targets (issue 16)',
      targetLines(checks),
      '',
    ].join('\n');
    process.stdout.write(`${out}\n`);

    mkdirSync(args.outDir, { recursive: true });
    const svg = join(args.outDir, args.quick ? 'bench-quick.svg' : 'bench.svg');
    writeFileSync(svg, await chartSvg(rows, title));
    log(`bench: chart ${svg}`);
    if (args.json) {
      writeJson(
        args.json,
        rows,
        open,
        {
          node: process.versions.node,
          pinned: canPin,
          rounds: args.rounds,
          seconds: args.seconds,
          c1_seconds: args.c1Seconds,
          connections: args.connections,
          quick: args.quick,
          hybrid_chunks: args.hybridChunks,
        },
        scaling.length ? { scaling } : {},
      );
      log(`bench: JSON ${args.json}`);
    }
    log(`bench: done in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  } finally {
    const t0 = Date.now();
    await stopAll();
    await stand.sink.close();
    log(`bench: processes stopped in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
}

await main();
// Every child is stopped by now; do not wait for idle keep-alive sockets of the load generator.
process.exit(0);
