/**
 * `lorag train` as a process, without Python: a dataset with errors stops before training with the report and
 * leaves no folder; a recipe with an unknown key or an impossible rank is a readable error; the llamafactory
 * backend writes its YAML (checked) into the versioned folder and prints the exact command when
 * llamafactory-cli is not installed. (Real training with the peft backend runs in the real-vLLM lane.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

function adaptersCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lorag-train-'));
  cpSync(join(root, 'adapters', 'legal'), join(dir, 'legal'), { recursive: true });
  return dir;
}

async function lorag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(join(root, 'node_modules/.bin/node'), [join(root, 'src/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, PATH: '/usr/bin:/bin' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

test('a dataset with errors stops before training, with the report; no version folder is left', async () => {
  const dir = adaptersCopy();
  writeFileSync(
    join(dir, 'legal', 'data', 'train.jsonl'),
    '{"instruction": "ok", "input": "", "output": "fine"}\n{"instruction": "", "input": "", "output": ""}\nnot json\n',
  );
  const r = await lorag('train', 'legal', '--adapters-dir', dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /dataset check failed; nothing was trained/);
  assert.match(r.stderr, /train\.jsonl:3/);
  assert.equal(existsSync(join(dir, 'legal', 'v2')), false);
  assert.equal(existsSync(join(dir, 'legal', 'v2.partial')), false);
});

test('a recipe with an unknown key or an impossible rank is a readable error', async () => {
  const dir = adaptersCopy();
  const file = join(dir, 'legal', 'train', 'recipe.yaml');
  const recipe = parse(readFileSync(file, 'utf8'));
  writeFileSync(file, stringify({ ...recipe, epochs: 3, lora: { ...recipe.lora, r: 12 } }));
  const r = await lorag('train', 'legal', '--adapters-dir', dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /invalid recipe/);
  assert.match(r.stderr, /epochs/);
  assert.match(r.stderr, /lora\.r: vLLM serves LoRA ranks/);
});

test('--backend llamafactory writes the checked YAML into the next version folder and prints the command', async () => {
  const dir = adaptersCopy();
  mkdirSync(join(dir, 'legal', 'v2'));
  const r = await lorag('train', 'legal', '--adapters-dir', dir, '--backend', 'llamafactory');
  assert.equal(r.code, 0, r.stderr);
  const yaml = join(dir, 'legal', 'v3', 'llamafactory.yaml');
  assert.ok(existsSync(yaml), 'v2 exists, so the next version is 3');
  const doc = parse(readFileSync(yaml, 'utf8'));
  assert.equal(doc.finetuning_type, 'lora');
  assert.equal(doc.lora_rank, 8);
  assert.equal(doc.model_name_or_path, 'Qwen/Qwen2.5-0.5B-Instruct', 'from the adapter’s llamafactory.yaml');
  assert.match(r.stderr, /llamafactory-cli is not installed here/);
  assert.match(r.stderr, /llamafactory-cli train \S+legal\/v3\/llamafactory.yaml/);
});
