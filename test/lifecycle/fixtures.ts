/**
 * Lifecycle test stand: a temp adapters folder (8 adapters, `sim://` sources and one directory with an
 * adapter_config.json, plus a broken and a missing one), a gateway config for N sims, `lorag serve` as a real
 * child process, and small helpers to read the sims' counters.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { sha256Hex } from '../../src/auth/keys.ts';
import type { RunningSim } from '../../src/sim/main.ts';

export const ADAPTERS = ['legal', 'hr', 'finance', 'sales', 'support', 'ops'] as const;
export const TENANT_KEY = 'sk-lifecycle-ops';
export const CANARY_KEY = 'sk-lifecycle-canary';
export const FALLBACK_KEY = 'sk-lifecycle-fallback';
export const ADMIN_KEY = 'sk-lifecycle-admin';
const repoRoot = new URL('../..', import.meta.url).pathname;

export interface AdaptersDir {
  dir: string;
  /** The directory source of `research@1` (a real adapter_config.json). */
  researchPath: string;
  remove(): void;
}

function manifest(name: string, versions: { version: string; source: string }[], extra: Record<string, unknown> = {}) {
  return {
    name,
    description: `The ${name} department's adapter.`,
    base_model: 'tiny-base',
    rank: 8,
    versions,
    ...extra,
  };
}

export function makeAdaptersDir(): AdaptersDir {
  const dir = mkdtempSync(join(tmpdir(), 'lorag-adapters-'));
  const write = (m: ReturnType<typeof manifest>) => {
    mkdirSync(join(dir, m.name), { recursive: true });
    writeFileSync(join(dir, m.name, 'adapter.yaml'), `# test manifest\n${stringify(m)}`);
  };
  for (const name of ADAPTERS) {
    write(
      name === 'legal'
        ? manifest(
            name,
            [
              { version: '1', source: 'sim://legal/v1' },
              { version: '2', source: 'sim://legal/v2' },
            ],
            { split: { 'legal@1': 100 } },
          )
        : manifest(name, [{ version: '1', source: `sim://${name}/v1` }]),
    );
  }
  const researchPath = join(dir, 'research', 'v1');
  mkdirSync(researchPath, { recursive: true });
  writeFileSync(
    join(researchPath, 'adapter_config.json'),
    JSON.stringify({ peft_type: 'LORA', r: 8, base_model_name_or_path: 'tiny-base' }),
  );
  write(manifest('research', [{ version: '1', source: researchPath }]));
  write(manifest('broken', [{ version: '1', source: 'sim://broken/v1?rank=512' }]));
  write(manifest('missing', [{ version: '1', source: join(dir, 'no-such-adapter') }]));
  return { dir, researchPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ConfigOptions {
  adaptersDir: string;
  sims: { url: string; id?: string; preloaded?: string[]; runtime?: boolean; maxLoras?: number }[];
  redisUrl?: string;
  redisPrefix?: string;
  canary?: Record<string, Record<string, number>>;
}

export function gatewayConfig(o: ConfigOptions): Record<string, unknown> {
  const all = [...ADAPTERS, 'research', 'broken', 'missing'];
  const tenant = (key: string, extra: Record<string, unknown> = {}) => ({
    keys: [{ sha256: sha256Hex(key), name: key }],
    adapters: all,
    strategy: { default: 'lora', allowed: ['base', 'lora'] },
    ...extra,
  });
  return {
    server: { host: '127.0.0.1', port: 0, shutdown_grace_ms: 200 },
    // In-process gateways would print a request line per call into the test output.
    telemetry: { log_level: 'warn' },
    admin: { keys: [{ sha256: sha256Hex(ADMIN_KEY) }] },
    adapters: { dir: o.adaptersDir },
    upstreams: {
      base_models: [
        {
          name: 'tiny-base',
          replicas: o.sims.map((s, i) => ({
            id: s.id ?? `sim-${i}`,
            url: s.url,
            ...(s.preloaded ? { preloaded: s.preloaded } : {}),
            ...(s.runtime === undefined ? {} : { runtime_lora_loading: s.runtime }),
            ...(s.maxLoras === undefined ? {} : { max_loras: s.maxLoras }),
          })),
        },
      ],
      poll_interval_ms: 100,
      timeouts: { connect_ms: 500, first_byte_ms: 20_000, idle_ms: 20_000, adapter_load_ms: 10_000 },
      circuit_breaker: { failures: 1, cooldown_ms: 300 },
    },
    ...(o.redisUrl
      ? { redis: { url: o.redisUrl, key_prefix: o.redisPrefix ?? 'lorag-test:', command_timeout_ms: 200 } }
      : {}),
    cache: { kind: 'off' },
    tenants: {
      ops: tenant(TENANT_KEY),
      canary: tenant(CANARY_KEY, { canary: o.canary ?? {} }),
      fallback: tenant(FALLBACK_KEY, { on_adapter_failure: 'base' }),
    },
  };
}

export function client(baseURL: string, key = TENANT_KEY): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${baseURL}/v1`, maxRetries: 0, timeout: 30_000 });
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `lorag serve --config <tmp yaml>` as its own process; resolves with its URL once it listens. */
export async function spawnGateway(config: Record<string, unknown>): Promise<GatewayProcess> {
  const file = join(mkdtempSync(join(tmpdir(), 'lorag-gw-')), 'lorag.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/node'),
    [join(repoRoot, 'src/cli.ts'), 'serve', '--config', file],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LORAG_CONFIG: '' },
    },
  );
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${log}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /gateway listening on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}):\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  child.stdout!.resume();
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export function loadCalls(sim: RunningSim, adapterId?: string): number {
  const counts = sim.state.loadRequestCounts();
  return adapterId === undefined ? Object.values(counts).reduce((a, b) => a + b, 0) : (counts[adapterId] ?? 0);
}

export async function admin(
  baseURL: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${baseURL}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The simulator's reply starts with `adapter=<model> digest=<8 hex>`. */
export function answeredBy(text: string | null | undefined): string | undefined {
  return /adapter=(\S+)/.exec(text ?? '')?.[1];
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Samples the sims' `num_requests_waiting` every 2 ms until `stop()`: the most seen, over how many samples. */
export function sampleWaiting(sims: RunningSim[]): { stop(): { maxWaiting: number; samples: number } } {
  let maxWaiting = 0;
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    for (const s of sims) maxWaiting = Math.max(maxWaiting, s.state.waiting);
  }, 2);
  return {
    stop() {
      clearInterval(timer);
      return { maxWaiting, samples };
    },
  };
}
