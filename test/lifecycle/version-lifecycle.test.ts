/**
 * The version lifecycle through the CLI over a real gateway's admin API (`lorag adapters add-version | canary |
 * promote | rollback | retire | history`), with a PEFT folder written by the test: refusals (/etc/shadow, a
 * path outside the allowed roots, another base model, a rank over the replicas' limit, broken weights) leave
 * nothing registered; a new version starts at 0%; canary 50% splits 1,000 sticky users exactly as the
 * sticky hash says (the measured share is printed); `promote --require` refuses a report that shows the new
 * version measurably worse; promote in steps; rollback to the previous split at once; promote of an unknown
 * or retired version is a 404; the audit trail names who and when; the card is kept with the version.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { pickFromSplit } from '../../src/routing/canary.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { writePeftAdapter } from '../helpers/peft-fixture.ts';
import { ADMIN_KEY, type AdaptersDir, admin, client, gatewayConfig, makeAdaptersDir } from './fixtures.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

describe('version lifecycle over the admin API', () => {
  let dir: AdaptersDir;
  let sim: RunningSim;
  let gateway: RunningGateway;
  let lorag: (...args: string[]) => Promise<{ stdout: string; stderr: string; code: number }>;
  before(async () => {
    dir = makeAdaptersDir();
    sim = await startSim({ port: 0, outputTokens: 4, allowRuntimeLoraUpdating: true, maxLoraRank: 16 });
    const config = gatewayConfig({ adaptersDir: dir.dir, sims: [{ url: sim.url }] });
    (config as any).adapters.max_lora_rank = 16;
    gateway = await startGateway(parseConfig(config), { log: () => {} });
    lorag = (...args) =>
      run(
        join(root, 'node_modules/.bin/node'),
        [join(root, 'src/cli.ts'), 'adapters', ...args, '--url', gateway.url, '--admin-key', ADMIN_KEY, '--as', 'dana'],
        { cwd: root },
      ).then(
        (r) => ({ ...r, code: 0 }),
        (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
      );
  });
  after(async () => {
    await gateway?.close();
    await sim?.close();
    dir?.remove();
  });

  const split = async () =>
    (await admin(gateway.url, 'GET', '/adapters')).json.data.find((a: { name: string }) => a.name === 'legal').split;

  test('refused sources leave nothing registered, each with its reason', async () => {
    const other = writePeftAdapter(join(dir.dir, 'legal', 'other-base'), { baseModel: 'Qwen/Qwen2.5-7B' });
    const big = writePeftAdapter(join(dir.dir, 'legal', 'rank64'), { rank: 64 });
    const cut = writePeftAdapter(join(dir.dir, 'legal', 'cut'));
    writeFileSync(join(cut, 'adapter_model.safetensors'), 'not safetensors');
    const cases: [string, RegExp][] = [
      ['/etc/shadow', /outside the allowed roots/],
      ['/tmp', /outside the allowed roots/],
      [`${dir.dir}/../../etc`, /outside the allowed roots/],
      [other, /trained for base model Qwen\/Qwen2.5-7B; the replicas serve tiny-base/],
      [big, /rank 64 is over the replicas' --max-lora-rank 16/],
      [cut, /adapter_model.safetensors: /],
    ];
    for (const [path, reason] of cases) {
      const r = await lorag('add-version', 'legal', path, '--version', '9');
      assert.equal(r.code, 1, `${path}: ${r.stdout}`);
      assert.match(r.stderr, reason);
      process.stderr.write(`# refused ${path}: ${r.stderr.trim().split('refused: ')[1]}\n`);
    }
    const versions = (await admin(gateway.url, 'GET', '/adapters/legal/history')).json.versions;
    assert.deepEqual(
      versions.map((v: { version: string }) => v.version),
      ['1', '2'],
    );
  });

  test('add-version starts at 0%; canary 50% splits 1,000 sticky users as the hash says', async () => {
    const v3 = writePeftAdapter(join(dir.dir, 'legal', 'v3'));
    writeFileSync(join(v3, 'card.json'), JSON.stringify({ version: '3', base_model: 'tiny-base', final_loss: 0.42 }));
    const added = await lorag('add-version', 'legal', v3, '--preload');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /registered legal@3/);
    assert.match(added.stdout, /preloaded legal@3 on sim-0/);
    assert.ok(
      sim.state.adapters().some((a) => a.name === 'legal@3'),
      'registered on the replica before any request',
    );
    assert.deepEqual(await split(), { 'legal@1': 100, 'legal@3': 0 });

    const c = await lorag('canary', 'legal@3', '--share', '50');
    assert.equal(c.code, 0, c.stderr);
    const now = await split();
    assert.deepEqual(now, { 'legal@1': 50, 'legal@3': 50 });
    const sdk = client(gateway.url);
    const users = Array.from({ length: 1000 }, (_, i) => `sticky-${i}`);
    const served: string[] = [];
    for (let i = 0; i < users.length; i += 50) {
      const batch = await Promise.all(
        users.slice(i, i + 50).map(async (user) => {
          const { response } = await sdk.chat.completions
            .create({ model: 'legal', user, messages: [{ role: 'user', content: 'hi' }] })
            .withResponse();
          return response.headers.get('x-lorag-adapter') ?? '';
        }),
      );
      served.push(...batch);
    }
    const expected = users.map((u) => pickFromSplit(now, 'legal', u));
    assert.deepEqual(served, expected, 'every user where the sticky split puts them');
    const onV3 = served.filter((s) => s === 'legal@3').length;
    process.stderr.write(`# canary 50%: ${onV3}/1000 sticky users on legal@3, ${1000 - onV3} on legal@1\n`);
    assert.ok(onV3 > 400 && onV3 < 600, `${onV3} of 1000`);
    // Sticky: the same user again lands on the same version.
    const again = await sdk.chat.completions
      .create({ model: 'legal', user: users[7], messages: [{ role: 'user', content: 'again' }] })
      .withResponse();
    assert.equal(again.response.headers.get('x-lorag-adapter'), served[7]);
  });

  test('promote --require refuses a report showing the version measurably worse, and says which', async () => {
    const sys = (label: string, model: string, f1: number) => ({
      label,
      strategy: 'lora',
      model,
      quality: { f1: { value: f1, low: f1 - 0.05, high: f1 + 0.05 } },
      general_f1: null,
    });
    const report = (delta: number, low: number, high: number) => ({
      lorag_eval: 1,
      systems: [sys('lora(legal@1)', 'legal@1', 0.7), sys('lora(legal@3)', 'legal@3', 0.7 + delta)],
      comparisons: [
        {
          system: 'lora(legal@3)',
          against: 'lora(legal@1)',
          metric: 'f1',
          delta,
          low,
          high,
          measurable: low > 0 || high < 0,
        },
      ],
    });
    const worse = join(dir.dir, 'worse.json');
    writeFileSync(worse, JSON.stringify(report(-0.3, -0.4, -0.2)));
    const r = await lorag('promote', 'legal@3', '--require', worse);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused .*measurably worse than lora\(legal@1\) on f1: -0.300/s);
    assert.deepEqual(await split(), { 'legal@1': 50, 'legal@3': 50 }, 'nothing changed');

    const better = join(dir.dir, 'better.json');
    writeFileSync(better, JSON.stringify(report(0.1, 0.02, 0.18)));
    const ok = await lorag('promote', 'legal@3', '--require', better, '--steps', '75,100');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /gate passed/);
    assert.match(ok.stdout, /legal@3 at 75%.*\n.*legal@3 at 100%/);
    assert.deepEqual(await split(), { 'legal@3': 100 });
  });

  test('rollback returns the previous split at once; unknown or retired versions are 404', async () => {
    const r = await lorag('rollback', 'legal');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await split(), { 'legal@1': 25, 'legal@3': 75 });
    assert.equal((await admin(gateway.url, 'POST', '/adapters/legal/versions/77/promote')).status, 404);
    const retired = await lorag('retire', 'legal@2');
    assert.equal(retired.code, 0, retired.stderr);
    const p = await admin(gateway.url, 'POST', '/adapters/legal/versions/2/promote');
    assert.equal(p.status, 404);
    assert.match(p.json.error.message, /retired/);
    const hist = (await admin(gateway.url, 'GET', '/adapters/legal/history')).json;
    assert.equal(hist.versions.find((v: { version: string }) => v.version === '2').retired, true, 'kept in history');
    assert.equal(hist.versions.find((v: { version: string }) => v.version === '3').card.final_loss, 0.42);
    const actions = hist.audit.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, ['add-version', 'canary', 'canary', 'promote', 'rollback', 'retire']);
    for (const e of hist.audit) {
      assert.match(e.by, /dana/);
      assert.ok(!Number.isNaN(Date.parse(e.at)));
    }
  });
});
