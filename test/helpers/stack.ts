/**
 * Test stand: real `lorag sim` replicas on random loopback ports and a real gateway (startGateway, the same
 * code `lorag serve` runs) in front of them, plus OpenAI SDK clients per tenant.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { sha256Hex } from '../../src/auth/keys.ts';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, type SimOptions, startSim } from '../../src/sim/main.ts';

export const keys = { legal: 'sk-test-legal', hr: 'sk-test-hr', finance: 'sk-test-finance', admin: 'sk-test-admin' };
export const adaptersDir = new URL('../../adapters', import.meta.url).pathname;

export interface Stack {
  sims: RunningSim[];
  gateway: RunningGateway;
  baseURL: string;
  client(tenant: keyof typeof keys): OpenAI;
  close(): Promise<void>;
}

export interface StackOptions {
  sims?: SimOptions[];
  /** Deep-merged over the default test config. */
  config?: Record<string, unknown>;
  tenants?: Record<string, Record<string, unknown>>;
}

function merge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' && !Array.isArray(a[k])
        ? merge(a[k], v)
        : v;
  }
  return out;
}

export function testConfig(simUrls: string[], extra: StackOptions = {}): Record<string, unknown> {
  const tenant = (key: string, adapters: string[]) => ({
    keys: [{ sha256: sha256Hex(key), name: `${key}-name` }],
    adapters,
    strategy: { default: 'lora', allowed: ['base', 'lora', 'rag', 'hybrid'] },
  });
  const base = {
    server: { host: '127.0.0.1', port: 0 },
    admin: { keys: [{ sha256: sha256Hex(keys.admin) }] },
    adapters: { dir: adaptersDir },
    upstreams: {
      base_models: [
        { name: 'tiny-base', max_model_len: 2048, replicas: simUrls.map((url, i) => ({ id: `sim-${i}`, url })) },
      ],
      poll_interval_ms: 200,
      circuit_breaker: { failures: 1, cooldown_ms: 500 },
    },
    cache: { kind: 'off' },
    vector_store: { kind: 'lancedb', path: mkdtempSync(join(tmpdir(), 'lorag-test-lancedb-')) },
    // Request log lines are info; tests that read them use their own logger.
    telemetry: { log_level: 'warn' },
    tenants: merge({ legal: tenant(keys.legal, ['legal']), hr: tenant(keys.hr, ['hr']) }, extra.tenants ?? {}),
  };
  return merge(base, extra.config ?? {});
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simOptions = options.sims ?? [{}];
  const sims = await Promise.all(simOptions.map((o) => startSim({ port: 0, allowRuntimeLoraUpdating: true, ...o })));
  const config = parseConfig(
    testConfig(
      sims.map((s) => s.url),
      options,
    ),
    'test',
  );
  const gateway = await startGateway(config, { log: () => {} });
  const baseURL = `${gateway.url}/v1`;
  return {
    sims,
    gateway,
    baseURL,
    client: (tenant) => new OpenAI({ apiKey: keys[tenant], baseURL, maxRetries: 0 }),
    async close() {
      await gateway.close();
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}

/** The simulator's reply starts with `adapter=<model> digest=<8 hex>`. */
export function answeredBy(text: string | null | undefined): string | undefined {
  return /adapter=(\S+)/.exec(text ?? '')?.[1];
}

/** Reads a Prometheus counter from a simulator's /metrics (sum over matching label sets). */
export async function simCounter(sim: RunningSim, name: string, labelMatch = ''): Promise<number> {
  const text = await (await fetch(`${sim.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      if (labelMatch && !line.includes(labelMatch)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
