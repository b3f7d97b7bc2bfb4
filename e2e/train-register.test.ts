/**
 * From a department's dataset to a promoted adapter on a real vLLM: `lorag train legal` (peft backend, the tiny
 * model from engine/prepare.py, CPU) writes a new version folder with its card and loss curve; an interrupted
 * run leaves no folder; `lorag adapters add-version` registers it through a running gateway's admin API in
 * front of real vLLM (a copy trained "for another base" is refused first); canary 50%: sticky users get the
 * version the sticky split says, and vLLM itself answers under both names (the response `model`); promote;
 * rollback (back to 50/50 at once).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { pickFromSplit } from '../src/routing/canary.ts';
import { freePort, type Prepared, prepareEngine, type RunningProcess, repoRoot, startVllm } from './support/engine.ts';
import { adminKey, gatewayConfig, startGatewayProcess, tenantKeys, withoutLoragVars } from './support/gateway.ts';

const run = promisify(execFile);
const node = join(repoRoot, 'node_modules', '.bin', 'node');
const cli = join(repoRoot, 'src', 'cli.ts');
const env = withoutLoragVars(process.env);

let prepared: Prepared;
let vllm: RunningProcess;
let gateway: RunningProcess;
const work = mkdtempSync(join(tmpdir(), 'lorag-e2e-train-'));
const trained = join(work, 'trained', 'legal-v2');

before(async () => {
  prepared = prepareEngine();
  vllm = await startVllm();
});
after(async () => {
  await gateway?.close();
  await vllm?.close();
});

const lorag = (...args: string[]) =>
  run(node, [cli, ...args], { cwd: repoRoot, env, maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const admin = (...args: string[]) =>
  lorag('adapters', ...args, '--url', gateway.url, '--admin-key', adminKey, '--as', 'e2e');

describe('train → validate → register → canary → promote → rollback on real vLLM', () => {
  test('an interrupted training run leaves no version folder', async () => {
    const out = join(work, 'interrupted');
    const child = spawn(node, [cli, 'train', 'legal', '--out', out, '--max-steps', '400'], { cwd: repoRoot, env });
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no progress:\n${seen}`)), 300_000);
      child.stderr.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/steps {2}loss/.test(seen)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    assert.ok(existsSync(`${out}.partial`), 'training writes into the .partial folder');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
  });

  test('lorag train legal: a new version folder with the adapter, its card and loss curve', async () => {
    // base_model_name_or_path = the path vLLM was started with (--model), as vLLM and the validation expect.
    const r = await lorag('train', 'legal', '--out', trained, '--version', '2', '--base-name', prepared.base);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /legal@2 \[#+/);
    for (const f of [
      'adapter_config.json',
      'adapter_model.safetensors',
      'card.json',
      'README.md',
      'loss.json',
      'loss.svg',
    ])
      assert.ok(existsSync(join(trained, f)), f);
    const card = JSON.parse(readFileSync(join(trained, 'card.json'), 'utf8'));
    assert.equal(card.base_model, prepared.base);
    assert.match(card.data.sha256, /^[0-9a-f]{64}$/);
    assert.ok(card.probe.ok, `probe: ${JSON.stringify(card.probe)}`);
    assert.ok(JSON.parse(readFileSync(join(trained, 'loss.json'), 'utf8')).length === card.steps);
    process.stderr.write(
      `# trained legal@2: ${card.steps} steps, final loss ${card.final_loss}, ${card.seconds} s on ${card.device}\n`,
    );
  });

  test('register through the admin API: wrong base refused; canary 50% by sticky split; promote; rollback', async () => {
    const registry = join(work, 'registry');
    cpSync(prepared.registry, registry, { recursive: true });
    const port = await freePort();
    const config = gatewayConfig(vllm.url, { ...prepared, registry }, port) as Record<string, any>;
    config.adapters = { dir: registry, allowed_roots: [join(work, 'trained')], max_lora_rank: 8 };
    const file = join(work, 'lorag.yaml');
    writeFileSync(file, stringify(config));
    gateway = await startGatewayProcess(vllm.url, prepared, {}, { file, dir: work, port });

    const wrong = join(work, 'trained', 'other-base');
    cpSync(trained, wrong, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(wrong, 'adapter_config.json'), 'utf8'));
    writeFileSync(
      join(wrong, 'adapter_config.json'),
      JSON.stringify({ ...cfg, base_model_name_or_path: 'meta-llama/Llama-3.1-8B' }),
    );
    const refused = await admin('add-version', 'legal', wrong, '--version', '9');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /trained for base model meta-llama\/Llama-3.1-8B/);

    const added = await admin('add-version', 'legal', trained, '--canary', '50');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /registered legal@2/);

    const sdk = new OpenAI({ apiKey: tenantKeys.legal, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 300_000 });
    const users = Array.from({ length: 16 }, (_, i) => `member-${i}`);
    const serve = async (user: string) => {
      const r = await sdk.chat.completions
        .create({
          model: 'legal',
          user,
          messages: [{ role: 'user', content: prepared.probe }],
          temperature: 0,
          max_tokens: 8,
        })
        .withResponse();
      return {
        label: r.response.headers.get('x-lorag-adapter'),
        model: r.data.model,
        text: r.data.choices[0].message.content ?? '',
      };
    };
    const split = { 'legal@1': 50, 'legal@2': 50 };
    const canary = [];
    for (const u of users) canary.push(await serve(u));
    for (const [i, s] of canary.entries()) {
      const want = pickFromSplit(split, 'legal', users[i]);
      assert.equal(s.label, want, users[i]);
      assert.equal(s.model, want, 'vLLM answered under that version’s name');
      assert.ok(s.text.startsWith(prepared.adapters.legal.marker), s.text);
    }
    const onV2 = canary.filter((s) => s.label === 'legal@2').length;
    assert.ok(onV2 > 0 && onV2 < users.length, `both versions answer (${onV2}/${users.length} on legal@2)`);
    process.stderr.write(`# canary 50% on real vLLM: ${onV2}/${users.length} sticky users on legal@2\n`);

    assert.equal((await admin('promote', 'legal@2')).code, 0);
    for (const u of users.slice(0, 4)) assert.equal((await serve(u)).model, 'legal@2');
    const back = await admin('rollback', 'legal');
    assert.equal(back.code, 0, back.stderr);
    for (const [i, u] of users.slice(0, 6).entries()) assert.equal((await serve(u)).label, canary[i].label);
    const history = await admin('history', 'legal');
    assert.match(history.stdout, /add-version legal@2/);
    assert.match(history.stdout, /e2e/);
  });
});
