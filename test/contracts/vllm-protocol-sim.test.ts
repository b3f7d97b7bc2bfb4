/**
 * The vLLM protocol contract (e2e/contract/vllm-protocol.contract.ts) against `lorag sim`; the same suite runs
 * against a real vLLM in e2e/vllm-protocol-real.test.ts (`npm run test:e2e`).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type ProtocolTarget, vllmProtocolContract } from '../../e2e/contract/vllm-protocol.contract.ts';
import { vllmStructuredContract } from '../../e2e/contract/vllm-structured.contract.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';

// Adapter directories as the simulator checks them (a directory with adapter_config.json), like PEFT's output.
const dir = mkdtempSync(join(tmpdir(), 'lorag-contract-'));
function adapterDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16 }));
  return path;
}
const preloaded = { name: 'legal@1', path: adapterDir('legal') };
const loadablePath = adapterDir('hr');

let sim: RunningSim;
before(async () => {
  sim = await startSim({
    port: 0,
    model: '/models/tiny-base',
    servedModelNames: ['tiny-base'],
    maxLoras: 1,
    maxLoraRank: 8,
    loraModules: [preloaded],
    allowRuntimeLoraUpdating: true,
  });
});
after(() => sim?.close());

vllmProtocolContract(
  'lorag sim',
  (): ProtocolTarget => ({
    url: sim.url,
    baseModel: 'tiny-base',
    modelRoot: '/models/tiny-base',
    preloaded,
    loadablePath,
  }),
);

// The simulator runs as vLLM with `--enable-auto-tool-choice --tool-call-parser hermes` (its default).
vllmStructuredContract('lorag sim', () => ({ url: sim.url, model: 'tiny-base', toolCallParser: true }));
