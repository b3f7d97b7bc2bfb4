/**
 * The admin API (`/admin/*`, admin key) and `lorag adapters status|list`: adapters with versions and where each
 * is registered; a new version registered (and persisted in the manifest) takes traffic by its split;
 * a retired version is refused, stays registered while a request is in flight, and is unloaded
 * (`/v1/unload_lora_adapter`) once drained; explicit load/unload per replica; drain/undrain.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import {
  ADMIN_KEY,
  type AdaptersDir,
  admin,
  answeredBy,
  client,
  gatewayConfig,
  makeAdaptersDir,
  TENANT_KEY,
  until,
} from './fixtures.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const lorag = (...args: string[]) =>
  run(join(root, 'node_modules/.bin/node'), [join(root, 'src/cli.ts'), ...args], { cwd: root });

describe('admin API', () => {
  let dir: AdaptersDir;
  let sims: RunningSim[];
  let gateway: RunningGateway;
  let configFile: string;
  before(async () => {
    dir = makeAdaptersDir();
    sims = await Promise.all(
      [0, 1].map(() => startSim({ port: 0, maxLoras: 2, itlMs: 10, outputTokens: 30, allowRuntimeLoraUpdating: true })),
    );
    const config = gatewayConfig({ adaptersDir: dir.dir, sims: sims.map((s) => ({ url: s.url, maxLoras: 2 })) });
    configFile = join(dir.dir, 'lorag.yaml');
    writeFileSync(configFile, stringify(config));
    gateway = await startGateway(parseConfig(config), { log: () => {} });
  });
  after(async () => {
    await gateway?.close();
    await Promise.all(sims?.map((s) => s.close()) ?? []);
    dir?.remove();
  });

  test('needs the admin key; a tenant key is refused', async () => {
    const res = await fetch(`${gateway.url}/admin/adapters`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
    assert.equal(res.status, 403);
    assert.equal((await fetch(`${gateway.url}/admin/adapters`)).status, 401);
  });

  test('GET /admin/adapters: versions and where each is registered', async () => {
    await client(gateway.url).chat.completions.create({ model: 'hr', messages: [{ role: 'user', content: 'x' }] });
    const { status, json } = await admin(gateway.url, 'GET', '/adapters');
    assert.equal(status, 200);
    const names = json.data.map((a: { name: string }) => a.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('hr') && names.includes('legal'));
    const hr = json.data.find((a: { name: string }) => a.name === 'hr').versions[0];
    assert.equal(hr.id, 'hr@1');
    assert.equal(hr.replicas.filter((p: { registered: boolean }) => p.registered).length, 1);
    assert.equal(json.replicas.length, 2);
    assert.ok(json.replicas.every((r: { healthy: boolean; drained: boolean }) => r.healthy && !r.drained));
  });

  test('register a new version with a split: persisted, routed, pinned', async () => {
    const bad = await admin(gateway.url, 'POST', '/adapters/hr/versions', { version: '1', source: 'sim://hr/dup' });
    assert.equal(bad.status, 409);
    const unknown = await admin(gateway.url, 'POST', '/adapters/nosuch/versions', { version: '1', source: 'sim://x' });
    assert.equal(unknown.status, 404);
    const created = await admin(gateway.url, 'POST', '/adapters/hr/versions', {
      version: '2',
      source: 'sim://hr/v2',
      split: { 'hr@1': 50, 'hr@2': 50 },
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.id, 'hr@2');
    const file = readFileSync(join(dir.dir, 'hr', 'adapter.yaml'), 'utf8');
    assert.match(file, /^# test manifest/, 'comments survive the rewrite');
    const manifest = parse(file);
    assert.deepEqual(
      manifest.versions.map((v: { version: string }) => String(v.version)),
      ['1', '2'],
    );
    assert.deepEqual(manifest.split, { 'hr@1': 50, 'hr@2': 50 });

    const sdk = client(gateway.url);
    const served = await Promise.all(
      Array.from({ length: 60 }, async (_, i) =>
        answeredBy(
          (
            await sdk.chat.completions.create({
              model: 'hr',
              user: `u${i}`,
              messages: [{ role: 'user', content: 'x' }],
            })
          ).choices[0].message.content,
        ),
      ),
    );
    assert.ok(served.includes('hr@1') && served.includes('hr@2'), `served: ${served}`);
    const pinned = await sdk.chat.completions.create({ model: 'hr@2', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(pinned.model, 'hr@2');
  });

  test('retire: refused at once, unloaded only after its in-flight request drained', async () => {
    const sdk = client(gateway.url);
    // A slow stream on legal@2 keeps it in flight.
    const stream = await sdk.chat.completions.create({
      model: 'legal@2',
      stream: true,
      messages: [{ role: 'user', content: 'long' }],
    });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    const host = sims.find((s) => s.state.adapters().some((a) => a.name === 'legal@2'))!;

    const retired = await admin(gateway.url, 'POST', '/adapters/legal/versions/2/retire');
    assert.equal(retired.status, 200);
    assert.equal(retired.json.unload_pending_on.length, 1);
    const pinned = await sdk.chat.completions
      .create({ model: 'legal@2', messages: [{ role: 'user', content: 'x' }] })
      .then(
        () => assert.fail('a retired version must not be served'),
        (e) => e as { status: number },
      );
    assert.equal(pinned.status, 404);
    assert.ok(
      host.state.adapters().some((a) => a.name === 'legal@2'),
      'still registered while in flight',
    );
    const view = (await admin(gateway.url, 'GET', '/adapters')).json;
    const v2 = view.data
      .find((a: { name: string }) => a.name === 'legal')
      .versions.find((v: { id: string }) => v.id === 'legal@2');
    assert.equal(v2.retired, true);
    assert.equal(v2.unload_pending, true);

    let text = '';
    for (let r = await it.next(); !r.done; r = await it.next()) text += r.value.choices[0]?.delta?.content ?? '';
    assert.ok(text.length > 0, 'the in-flight stream on the retired version finished');
    await until(
      () => !host.state.adapters().some((a) => a.name === 'legal@2'),
      3000,
      'legal@2 to be unloaded after draining',
    );
    assert.equal(parse(readFileSync(join(dir.dir, 'legal', 'adapter.yaml'), 'utf8')).versions[1].retired, true);
  });

  test('load and unload on a replica; unload refused while in flight', async () => {
    const load = await admin(gateway.url, 'POST', '/replicas/sim-1/load', { adapter: 'ops@1' });
    assert.equal(load.status, 200);
    assert.ok(sims[1].state.adapters().some((a) => a.name === 'ops@1'));
    assert.equal((await admin(gateway.url, 'POST', '/replicas/sim-1/load', { adapter: 'nosuch@1' })).status, 404);
    assert.equal((await admin(gateway.url, 'POST', '/replicas/sim-9/load', { adapter: 'ops@1' })).status, 404);
    // A stream on ops@1, on sim-1 (sim-0 drained for the moment), keeps it in flight there.
    await admin(gateway.url, 'POST', '/replicas/sim-0/drain');
    const { data: stream, response } = await client(gateway.url)
      .chat.completions.create({ model: 'ops', stream: true, messages: [{ role: 'user', content: 'long' }] })
      .withResponse();
    await admin(gateway.url, 'POST', '/replicas/sim-0/undrain');
    assert.equal(response.headers.get('x-lorag-replica'), 'sim-1');
    const busy = await admin(gateway.url, 'POST', '/replicas/sim-1/unload', { adapter: 'ops@1' });
    assert.equal(busy.status, 409);
    assert.match(busy.json.error.message, /in flight/);
    for await (const _ of stream);
    // Allowed once drained (our counter and vLLM's gauge, one poll later, both show it idle).
    await until(
      async () => (await admin(gateway.url, 'POST', '/replicas/sim-1/unload', { adapter: 'ops@1' })).status === 200,
      3000,
      'unload',
    );
    assert.ok(!sims[1].state.adapters().some((a) => a.name === 'ops@1'));
  });

  test('drain stops new requests to a replica; GET shows it; undrain restores', async () => {
    const drained = await admin(gateway.url, 'POST', '/replicas/sim-0/drain');
    assert.equal(drained.json.drained, true);
    const view = (await admin(gateway.url, 'GET', '/adapters')).json;
    assert.equal(view.replicas.find((r: { id: string }) => r.id === 'sim-0').drained, true);
    const sdk = client(gateway.url);
    for (const model of ['finance', 'sales', 'support', 'hr@1']) {
      const { response } = await sdk.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      assert.equal(response.headers.get('x-lorag-replica'), 'sim-1');
    }
    // The CLI shows the same state as a table.
    const { stdout } = await lorag('adapters', 'status', '--url', gateway.url, '--admin-key', ADMIN_KEY);
    if (process.env.SHOW_STATUS) process.stderr.write(stdout);
    assert.match(stdout, /^ADAPTER\s+STATE\s+SPLIT %\s+REGISTERED ON/m);
    assert.match(stdout, /^legal@2\s+retired/m);
    assert.match(stdout, /^sim-0\s+tiny-base\s+up\s+drained/m);
    assert.match(stdout, /^finance@1\s+live\s+100\s+sim-1/m);
    assert.equal((await admin(gateway.url, 'POST', '/replicas/sim-0/undrain')).json.drained, false);
  });

  test("lorag adapters list prints the manifests of the config's adapters folder", async () => {
    const { stdout } = await lorag('adapters', 'list', '--config', configFile);
    assert.match(stdout, /^ADAPTER\s+VERSION\s+BASE MODEL/m);
    assert.match(stdout, /^hr\s+2\s+tiny-base\s+8\s+live\s+50\s+sim:\/\/hr\/v2/m);
    assert.match(stdout, /^legal\s+2\s+tiny-base\s+8\s+retired/m);
  });
});
