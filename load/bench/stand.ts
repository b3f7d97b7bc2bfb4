/**
 * @module load/bench/stand — starts what a bench run measures: the simulator (zero think time) and Redis on
 * the load generator's CPU, the bare proxy and each lorag gateway on the other CPU, each its own process.
 * A gateway whose feature has not landed (or fails its probe) is left out with the reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayConfigOptions, repoRoot, writeChurnAdapters, writeGatewayConfig } from './gateway-config.ts';
import { type OtlpSink, startOtlpSink } from './otlp-sink.ts';
import { type Child, freePort, nodeBin, spawnPinned, waitReady, waitTcp } from './procs.ts';

export interface Target {
  name: string;
  url: string;
  /** The process whose RSS is reported (null: not measured). */
  pid: number | null;
}

export interface StandOptions {
  /** CPU of the load generator, simulator and Redis; null = no pinning. */
  loadCpu: number | null;
  proxyCpu: number | null;
  log: (line: string) => void;
  churnAdapters: number;
  /** Targets to start (besides the simulator). */
  needed: Set<string>;
  /** Extra node flags for the gateways (e.g. --cpu-prof). */
  gatewayNodeArgs?: string[];
  /** Chunks in lorag-hybrid's knowledge base. */
  hybridChunks?: number;
}

export interface Stand {
  dir: string;
  targets: Map<string, Target>;
  /** Target name → why it is not there. */
  missing: Map<string, string>;
  sink: OtlpSink;
  churnAdapters: string[];
  options: StandOptions;
  startSim(name: string, extraArgs: string[]): Promise<{ child: Child; url: string }>;
  startBare(name: string, upstream: string, connections?: number): Promise<Target>;
  startGateway(name: string, config: Omit<GatewayConfigOptions, 'port'>, env?: NodeJS.ProcessEnv): Promise<Target>;
}

const cli = join(repoRoot, 'src/cli.ts');

export async function buildStand(options: StandOptions): Promise<Stand> {
  const dir = mkdtempSync(join(tmpdir(), 'lorag-bench-'));
  const targets = new Map<string, Target>();
  const missing = new Map<string, string>();
  const sink = await startOtlpSink();
  const { loadCpu, proxyCpu, log } = options;

  const stand: Stand = {
    dir,
    targets,
    missing,
    sink,
    churnAdapters: [],
    options,
    async startSim(name, extraArgs) {
      const port = await freePort();
      const child = spawnPinned(
        name,
        nodeBin,
        [
          cli,
          'sim',
          '--port',
          String(port),
          '--ttft-ms',
          '0',
          '--itl-ms',
          '0',
          '--max-num-seqs',
          '100000',
          ...extraArgs,
        ],
        { cpu: loadCpu, logDir: dir, cwd: repoRoot, env: { VLLM_ALLOW_RUNTIME_LORA_UPDATING: 'true' } },
      );
      const url = `http://127.0.0.1:${port}`;
      await waitReady(child, `${url}/health`);
      return { child, url };
    },
    async startBare(name, upstream, connections = 128) {
      const port = await freePort();
      const child = spawnPinned(
        name,
        nodeBin,
        [
          join(repoRoot, 'load/bench/bare-proxy.ts'),
          '--port',
          String(port),
          '--upstream',
          upstream,
          '--connections',
          String(connections),
        ],
        { cpu: proxyCpu, logDir: dir, cwd: repoRoot },
      );
      const url = `http://127.0.0.1:${port}`;
      await waitReady(child, `${url}/`);
      const target = { name, url, pid: child.pid };
      targets.set(name, target);
      return target;
    },
    async startGateway(name, config, env = {}) {
      const port = await freePort();
      const file = writeGatewayConfig(dir, name, { ...config, port });
      const child = spawnPinned(name, nodeBin, [...(options.gatewayNodeArgs ?? []), cli, 'serve', '--config', file], {
        cpu: proxyCpu,
        logDir: dir,
        cwd: repoRoot,
        env: { NODE_ENV: 'production', ...env },
        quietStdout: true,
      });
      const url = `http://127.0.0.1:${port}`;
      await waitReady(child, `${url}/healthz`);
      const target = { name, url, pid: child.pid };
      targets.set(name, target);
      return target;
    },
  };

  log(`bench: working dir ${dir} (process logs, configs)`);
  const sim = await stand.startSim('sim', ['--max-loras', '4']);
  targets.set('sim', { name: 'sim', url: sim.url, pid: null });
  // Direct and bare-proxy requests name the adapter the gateway resolves `legal` to, so every path asks the
  // simulator for the same work.
  await fetch(`${sim.url}/v1/load_lora_adapter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lora_name: 'legal@1', lora_path: './adapters/legal/v1' }),
  }).then((r) => r.arrayBuffer());

  const need = (name: string) => options.needed.has(name);
  const jobs: Promise<unknown>[] = [];
  if (need('bare-proxy')) jobs.push(stand.startBare('bare-proxy', sim.url));
  if (need('lorag')) jobs.push(stand.startGateway('lorag', { simUrl: sim.url, cache: 'memory' }));
  if (need('lorag-redis')) {
    const redisUrl = await startRedis(stand);
    if (redisUrl) jobs.push(stand.startGateway('lorag-redis', { simUrl: sim.url, cache: 'redis', redisUrl }));
    else missing.set('lorag-redis', 'redis-server not found');
  }
  if (need('lorag-traced')) {
    jobs.push(
      stand
        .startGateway(
          'lorag-traced',
          { simUrl: sim.url, cache: 'memory', traces: true },
          {
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_BSP_SCHEDULE_DELAY: '500',
          },
        )
        .catch((err) => missing.set('lorag-traced', `gateway with traces on did not start: ${firstLine(err)}`)),
    );
  }
  if (need('lorag-churn'))
    jobs.push(
      startChurn(stand).catch((err) => missing.set('lorag-churn', `churn stand did not start: ${firstLine(err)}`)),
    );
  if (need('portkey'))
    jobs.push(
      import('./peers.ts')
        .then(({ startPortkey }) => startPortkey(stand))
        .catch((err) => missing.set('portkey', `Portkey did not start: ${firstLine(err)}`)),
    );
  if (need('lorag-hybrid'))
    jobs.push(startHybrid(stand, sim.url).catch((err) => missing.set('lorag-hybrid', firstLine(err))));
  await Promise.all(jobs);
  return stand;
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0];
}

async function startRedis(stand: Stand): Promise<string | null> {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const port = await freePort();
  const child = spawnPinned(
    'redis',
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    {
      cpu: stand.options.loadCpu,
      logDir: stand.dir,
    },
  );
  await waitTcp(child, port);
  return `redis://127.0.0.1:${port}`;
}

/** Many adapters over a simulator that runs at most 2 distinct adapters at once (vLLM's --max-loras 2). */
async function startChurn(stand: Stand): Promise<void> {
  const sim = await stand.startSim('sim-churn', ['--max-loras', '2']);
  const adaptersDir = join(stand.dir, 'adapters-churn');
  stand.churnAdapters = writeChurnAdapters(adaptersDir, stand.options.churnAdapters);
  await stand.startGateway('lorag-churn', {
    simUrl: sim.url,
    cache: 'memory',
    adaptersDir,
    adapters: stand.churnAdapters,
  });
}

/** Hybrid retrieval over the embedded LanceDB store, after `lorag ingest` of `hybridChunks` chunks. */
async function startHybrid(stand: Stand, simUrl: string): Promise<void> {
  if (!existsSync(join(repoRoot, 'src/ingest/cli.ts'))) {
    throw new Error('`lorag ingest` has not landed (src/ingest/cli.ts missing)');
  }
  const { ingestBenchDocs } = await import('./hybrid-docs.ts');
  const config = {
    simUrl,
    cache: 'memory' as const,
    strategy: 'hybrid' as const,
    lancedbPath: join(stand.dir, 'lancedb'),
    collection: 'bench-docs',
  };
  const t0 = Date.now();
  const chunks = stand.options.hybridChunks ?? 10_000;
  await ingestBenchDocs(stand, config, chunks);
  stand.options.log(
    `bench: lorag-hybrid knowledge base: ${chunks} chunks ingested in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );
  await stand.startGateway('lorag-hybrid', config);
}
