/**
 * The gateway as a user runs it: `node src/cli.ts serve --config <file>` in its own process, in front of the
 * real vLLM, with one tenant per department adapter and the registry written by engine/prepare.py
 * (engine/work/registry/<name>/adapter.yaml, version 1, `source` = the trained adapter's directory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, killGroup, type Prepared, type RunningProcess, repoRoot, waitFor } from './engine.ts';

export const tenantKeys = {
  legal: 'sk-e2e-legal',
  hr: 'sk-e2e-hr',
  finance: 'sk-e2e-finance',
} as const;
export type Tenant = keyof typeof tenantKeys;
export const adminKey = 'sk-e2e-admin';

/** Optional RAG wiring: an embeddings upstream, the tenants' collections and retrieval settings. */
export interface GatewayExtras {
  embeddings?: Record<string, unknown>;
  collections?: string[];
  rag?: Record<string, unknown>;
  lancedbPath?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The lorag.yaml the e2e lane runs with (schema: src/config/schema.ts). */
export function gatewayConfig(
  vllmUrl: string,
  prepared: Prepared,
  port: number,
  extra: GatewayExtras = {},
): Record<string, unknown> {
  const tenant = (name: Tenant) => ({
    keys: [{ sha256: sha256(tenantKeys[name]), name: `e2e-${name}` }],
    adapters: [name],
    strategy: { default: 'lora', allowed: ['base', 'lora', ...(extra.embeddings ? (['rag', 'hybrid'] as const) : [])] },
    collections: extra.collections ?? [],
    ...(extra.rag ? { rag: extra.rag } : {}),
  });
  return {
    server: { host: '127.0.0.1', port },
    admin: { keys: [{ sha256: sha256(adminKey) }] },
    adapters: { dir: prepared.registry },
    upstreams: {
      base_models: [
        {
          name: prepared.served_model_name,
          max_model_len: 512,
          replicas: [
            // serve-vllm.sh preloads legal@1 with --lora-modules and runs with --max-loras 1.
            { id: 'vllm-cpu', url: vllmUrl, preloaded: ['legal@1'], runtime_lora_loading: true, max_loras: 1 },
          ],
        },
      ],
      poll_interval_ms: 1000,
    },
    cache: { kind: 'off' },
    ...(extra.embeddings ? { embeddings: extra.embeddings } : {}),
    vector_store: { kind: 'lancedb', path: extra.lancedbPath ?? mkdtempSync(join(tmpdir(), 'lorag-e2e-lancedb-')) },
    telemetry: { log_level: 'info' },
    tenants: { legal: tenant('legal'), hr: tenant('hr'), finance: tenant('finance') },
  };
}

/** The environment without LORAG_* variables, which lorag would read as config overrides. */
export function withoutLoragVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('LORAG_')));
}

/** Writes the config file (returned as `configFile`, e.g. for `lorag ingest --config`) without starting anything. */
export async function writeGatewayConfig(
  vllmUrl: string,
  prepared: Prepared,
  extra: GatewayExtras = {},
): Promise<{ file: string; dir: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'lorag-e2e-gateway-'));
  const port = await freePort();
  const file = join(dir, 'lorag.yaml');
  writeFileSync(file, stringify(gatewayConfig(vllmUrl, prepared, port, extra)));
  return { file, dir, port };
}

export async function startGatewayProcess(
  vllmUrl: string,
  prepared: Prepared,
  extra: GatewayExtras = {},
  configured?: { file: string; dir: string; port: number },
): Promise<RunningProcess> {
  const { file, dir, port } = configured ?? (await writeGatewayConfig(vllmUrl, prepared, extra));
  const log = join(dir, 'gateway.log');
  const out = createWriteStream(log);
  const node = join(repoRoot, 'node_modules', '.bin', 'node');
  const child: ChildProcess = spawn(node, ['src/cli.ts', 'serve', '--config', file], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only the file configures it: inherited LORAG_* variables (LORAG_E2E_VLLM_URL among them) would be read as
    // config overrides.
    env: { ...withoutLoragVars(process.env), LORAG_SERVER__PORT: String(port) },
  });
  // Two sources into one file: neither may end it (write after end), the exit does.
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  child.once('close', () => out.end());
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/healthz`, child, 60_000, `gateway (log: ${log})`);
  } catch (err) {
    await killGroup(child);
    throw new Error(`${(err as Error).message}\n--- ${log}:\n${readFileSync(log, 'utf8').slice(-4000)}`);
  }
  return { url, log, close: () => killGroup(child) };
}
