/**
 * The Responses API test stand: a real gateway (startGateway) in front of `lorag sim`, the `company` collection
 * ingested with `lorag ingest` (the CLI, as a process) for the `legal` tenant, the `hr` tenant sharing it, and
 * the stored-response store in memory or in a private Redis. Logs go nowhere (`log: () => {}`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { keys, testConfig } from '../helpers/stack.ts';

const cli = new URL('../../src/cli.ts', import.meta.url).pathname;

export const question = 'How many days of notice does the Zephyr supplier contract require for termination?';

export interface ResponsesStack {
  sim: RunningSim;
  gateways: RunningGateway[];
  baseURL: string;
  keys: typeof keys;
  close(): Promise<void>;
}

/** `gateways` > 1 needs `redisUrl`: the replicas then share the store (and nothing else is needed). */
export async function startResponsesStack(
  options: { redisUrl?: string; gateways?: number } = {},
): Promise<ResponsesStack> {
  const dir = mkdtempSync(join(tmpdir(), 'lorag-responses-'));
  const sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
  const docs = join(dir, 'docs');
  mkdirSync(docs);
  writeFileSync(
    join(docs, 'zephyr.md'),
    '---\ntitle: Zephyr supplier contract\n---\n# Termination\n\nThe Zephyr supplier contract can be terminated by either party with 45 days of written notice.\n',
  );
  writeFileSync(join(docs, 'nda.md'), '# NDA policy\n\nEvery NDA must be reviewed by counsel before signature.\n');
  const raw = testConfig([sim.url], {
    config: {
      embeddings: { kind: 'openai', url: `${sim.url}/v1`, model: 'tiny-base' },
      knowledge: { revision_poll_ms: 100 },
      ...(options.redisUrl
        ? { redis: { url: options.redisUrl, key_prefix: `resp${process.pid}:` }, responses: { store: 'redis' } }
        : {}),
    },
    tenants: {
      legal: { collections: ['company'], strategy: { default: 'lora', allowed: ['base', 'lora', 'hybrid', 'rag'] } },
      hr: { collections: [], strategy: { default: 'lora', allowed: ['base', 'lora', 'hybrid', 'rag'] } },
    },
  });
  const configFile = join(dir, 'lorag.yaml');
  writeFileSync(configFile, stringify(raw));
  const args = [cli, 'ingest', '--config', configFile, '--tenant', 'legal', '--collection', 'company', '--json', docs];
  await promisify(execFile)(process.execPath, args, { encoding: 'utf8' });
  const config = parseConfig(raw);
  const gateways: RunningGateway[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) gateways.push(await startGateway(config, { log: () => {} }));
  return {
    sim,
    gateways,
    baseURL: `${gateways[0].url}/v1`,
    keys,
    async close() {
      for (const g of gateways) await g.close();
      await sim.close();
    },
  };
}
