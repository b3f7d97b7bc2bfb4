/**
 * @module load/bench/gateway-config — the lorag.yaml of each gateway under test (written as JSON, which is
 * YAML). One tenant `bench` with the repo's `legal` adapter, limits configured (so the limiter runs) but far
 * above the load, the usage ledger and metrics on: the request path a production tenant takes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../src/auth/keys.ts';

export const BENCH_KEY = 'sk-bench-tenant';
export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export interface GatewayConfigOptions {
  port: number;
  simUrl: string;
  cache: 'memory' | 'redis' | 'off';
  redisUrl?: string;
  adaptersDir?: string;
  adapters?: string[];
  strategy?: 'lora' | 'hybrid';
  /** Embedded LanceDB path and collection for `hybrid`. */
  lancedbPath?: string;
  collection?: string;
  traces?: boolean;
  /** Upstream connections per replica (raise it for the many-open-streams measurement). */
  connections?: number;
  /** Scaling table: this many more tenants (t1…tN, key `sk-bench-t<i>`), like `bench`. */
  extraTenants?: number;
  /** Scaling table: this many more keys of `bench` (`sk-bench-k<i>`). */
  extraKeys?: number;
  /** The base model's context window (large prompts). */
  maxModelLen?: number;
}

export const tenantKey = (i: number) => `sk-bench-t${i}`;
export const extraKey = (i: number) => `sk-bench-k${i}`;

export function gatewayConfig(o: GatewayConfigOptions): Record<string, unknown> {
  const strategy = o.strategy ?? 'lora';
  const tenant: Record<string, unknown> = {
    keys: [
      { sha256: sha256Hex(BENCH_KEY), name: 'bench' },
      ...Array.from({ length: o.extraKeys ?? 0 }, (_, i) => ({ sha256: sha256Hex(extraKey(i)), name: `k${i}` })),
    ],
    adapters: o.adapters ?? ['legal'],
    strategy: { default: strategy, allowed: ['base', 'lora', 'rag', 'hybrid'] },
    limits: { requests_per_minute: 100_000_000, tokens_per_minute: 1_000_000_000, concurrent: 100_000 },
  };
  if (o.collection) tenant.collections = [o.collection];
  const config: Record<string, unknown> = {
    server: { host: '127.0.0.1', port: o.port, shutdown_grace_ms: 1000 },
    adapters: { dir: o.adaptersDir ?? join(repoRoot, 'adapters') },
    upstreams: {
      base_models: [
        {
          name: 'tiny-base',
          max_model_len: o.maxModelLen ?? 4096,
          replicas: [{ id: 'sim-0', url: o.simUrl, runtime_lora_loading: true }],
        },
      ],
      connections_per_replica: o.connections ?? 128,
    },
    cache: { kind: o.cache },
    limits: { kind: o.cache === 'redis' ? 'redis' : 'memory' },
    telemetry: { traces: o.traces ?? false, metrics: true, log_level: 'info' },
    tenants: { bench: tenant },
  };
  const tenants = config.tenants as Record<string, unknown>;
  for (let i = 0; i < (o.extraTenants ?? 0); i++)
    tenants[`t${i}`] = { ...tenant, keys: [{ sha256: sha256Hex(tenantKey(i)), name: `t${i}` }] };
  if (o.redisUrl) config.redis = { url: o.redisUrl, key_prefix: `lorag-bench-${process.pid}:` };
  if (strategy === 'hybrid') {
    config.embeddings = { kind: 'openai', url: `${o.simUrl}/v1`, model: 'tiny-base' };
    config.vector_store = { kind: 'lancedb', path: o.lancedbPath };
  }
  return config;
}

export function writeGatewayConfig(dir: string, name: string, o: GatewayConfigOptions): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(gatewayConfig(o), null, 2)}\n`);
  return file;
}

/** A throwaway adapters dir with `count` adapters whose sources the simulator accepts without files. */
export function writeChurnAdapters(dir: string, count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `churn-${i}`;
    names.push(name);
    const manifest = [
      `name: ${name}`,
      `description: bench adapter ${i} for adapter churn`,
      'base_model: tiny-base',
      'rank: 8',
      'versions:',
      '  - version: "1"',
      `    source: sim://${name}?rank=8`,
    ].join('\n');
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'adapter.yaml'), `${manifest}\n`);
  }
  return names;
}
