/**
 * ensureLoaded against real sims: "already loaded" counts as success in both compat modes (and no other 400
 * does); "runtime loading is off" (route missing) is told apart from "no adapter at that path"; static
 * adapters (--lora-modules + `preloaded:`) are served without runtime loading, and an adapter that is
 * preloaded nowhere with runtime loading off is a clear 503; `on_adapter_failure: base` degrades to the base
 * model with `x-lorag-degraded: adapter`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadRegistry } from '../../src/adapters/registry.ts';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { AdapterLoadError, AdapterLoader } from '../../src/upstream/adapter-loader.ts';
import { newReplicaState } from '../../src/upstream/replica-state.ts';
import { createReplicaClient } from '../../src/upstream/vllm-client.ts';
import {
  type AdaptersDir,
  answeredBy,
  client,
  FALLBACK_KEY,
  gatewayConfig,
  loadCalls,
  makeAdaptersDir,
} from './fixtures.ts';

let dir: AdaptersDir;
before(() => {
  dir = makeAdaptersDir();
});
after(() => dir.remove());

/** The loader over the replicas the gateway would build for these simulators (upstream-internal state). */
function poolFor(sims: RunningSim[], runtime = true) {
  const config = parseConfig(gatewayConfig({ adaptersDir: dir.dir, sims: sims.map((s) => ({ url: s.url, runtime })) }));
  const up = config.upstreams;
  const replicas = up.base_models[0].replicas.map((rc, i) => {
    const id = rc.id ?? `${up.base_models[0].name}-${i}`;
    const client = createReplicaClient({ id, url: rc.url, timeouts: up.timeouts, connections: 2 });
    return newReplicaState(id, up.base_models[0].name, rc, client);
  });
  const loader = new AdapterLoader({ timeoutMs: up.timeouts.adapter_load_ms });
  return { replicas, loader, close: () => Promise.all(replicas.map((r) => r.client.close())) };
}

async function loadError(p: Promise<unknown>): Promise<AdapterLoadError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AdapterLoadError, `expected an AdapterLoadError, got ${err}`);
    return err;
  }
  assert.fail('expected the load to fail');
}

for (const compat of ['current', 'legacy'] as const) {
  test(`[${compat}] "already loaded" is success; a failed load answered 400 (legacy) or 500 is not`, async () => {
    const sim = await startSim({
      port: 0,
      vllmCompat: compat,
      allowRuntimeLoraUpdating: true,
      loraModules: [{ name: 'hr@1', path: 'sim://hr/v1' }],
    });
    const pool = poolFor([sim]);
    const registry = loadRegistry(dir.dir);
    try {
      const replica = pool.replicas[0];
      // Never polled: the gateway does not know hr@1 is there, so it asks, and vLLM answers "already loaded".
      assert.equal(replica.registered.has('hr@1'), false);
      await pool.loader.ensureLoaded(replica, registry.resolve('hr', '1')!);
      assert.equal(loadCalls(sim, 'hr@1'), 1);
      assert.ok(replica.registered.has('hr@1'));
      // A second ensureLoaded needs no call at all.
      await pool.loader.ensureLoaded(replica, registry.resolve('hr', '1')!);
      assert.equal(loadCalls(sim, 'hr@1'), 1);

      const broken = await loadError(pool.loader.ensureLoaded(replica, registry.resolve('broken', '1')!));
      assert.equal(broken.reason, 'failed');
      assert.equal(broken.status, 503);
      assert.match(broken.message, /rank 512 is greater than max_lora_rank/);
      assert.equal(replica.registered.has('broken@1'), false);
    } finally {
      await pool.close();
      await sim.close();
    }
  });

  test(`[${compat}] runtime loading off (route missing) vs no adapter at that path`, async () => {
    const off = await startSim({ port: 0, vllmCompat: compat, allowRuntimeLoraUpdating: false });
    const on = await startSim({ port: 0, vllmCompat: compat, allowRuntimeLoraUpdating: true });
    const registry = loadRegistry(dir.dir);
    const pool = poolFor([off, on]);
    try {
      const routeMissing = await loadError(pool.loader.ensureLoaded(pool.replicas[0], registry.resolve('hr', '1')!));
      assert.equal(routeMissing.reason, 'runtime_off');
      assert.match(routeMissing.message, /runtime LoRA loading is off/);
      assert.match(routeMissing.message, /VLLM_ALLOW_RUNTIME_LORA_UPDATING/);
      assert.equal(pool.replicas[0].runtimeLoading, false, 'the replica is remembered as static-only');

      const missing = await loadError(pool.loader.ensureLoaded(pool.replicas[1], registry.resolve('missing', '1')!));
      assert.equal(missing.reason, 'not_found');
      assert.match(missing.message, /found no adapter at its registered source/);
      assert.doesNotMatch(missing.message, /no-such-adapter|\//, 'tenants never learn the source path');
      assert.doesNotMatch(missing.message, /runtime LoRA loading/);

      // A directory with adapter_config.json loads.
      await pool.loader.ensureLoaded(pool.replicas[1], registry.resolve('research', '1')!);
      assert.ok(on.state.adapters().some((a) => a.name === 'research@1' && a.path === dir.researchPath));
    } finally {
      await pool.close();
      await Promise.all([off.close(), on.close()]);
    }
  });
}

describe('static adapters, runtime loading off, degrade to base', () => {
  let sims: RunningSim[];
  let gateway: RunningGateway;
  before(async () => {
    sims = await Promise.all([
      startSim({
        port: 0,
        allowRuntimeLoraUpdating: false,
        loraModules: [{ name: 'legal@1', path: 'sim://legal/v1' }],
      }),
      startSim({
        port: 0,
        allowRuntimeLoraUpdating: false,
        vllmCompat: 'legacy',
        loraModules: [{ name: 'hr@1', path: 'sim://hr/v1' }],
      }),
      // Runtime loading is on for this one in the config, but the route is missing there: learned on first use.
      startSim({ port: 0, allowRuntimeLoraUpdating: false }),
    ]);
    const config = gatewayConfig({
      adaptersDir: dir.dir,
      sims: [
        { url: sims[0].url, preloaded: ['legal@1'], runtime: false },
        { url: sims[1].url, preloaded: ['hr@1'], runtime: false },
        { url: sims[2].url },
      ],
    });
    gateway = await startGateway(parseConfig(config), { log: () => {} });
  });
  after(async () => {
    await gateway?.close();
    await Promise.all(sims?.map((s) => s.close()) ?? []);
  });

  test('preloaded adapters are served where they are preloaded, with no load call', async () => {
    for (const [model, replica] of [
      ['legal', 'sim-0'],
      ['hr', 'sim-1'],
    ]) {
      for (let i = 0; i < 5; i++) {
        const { data, response } = await client(gateway.url)
          .chat.completions.create({ model, messages: [{ role: 'user', content: `x${i}` }] })
          .withResponse();
        assert.equal(answeredBy(data.choices[0].message.content), `${model}@1`);
        assert.equal(response.headers.get('x-lorag-replica'), replica);
      }
    }
    assert.equal(
      sims.reduce((n, s) => n + loadCalls(s), 0),
      0,
    );
  });

  test('not preloaded anywhere and runtime loading off: a 503 that says so', async () => {
    const err = await client(gateway.url)
      .chat.completions.create({ model: 'finance', messages: [{ role: 'user', content: 'x' }] })
      .then(
        () => assert.fail('expected a 503'),
        (e) => e as { status: number; code: string; message: string },
      );
    assert.equal(err.status, 503);
    assert.equal(err.code, 'adapter_unavailable');
    assert.match(
      err.message,
      /finance@1 is not preloaded on any replica of tiny-base, and runtime LoRA loading is off there/,
    );
    assert.match(err.message, /VLLM_ALLOW_RUNTIME_LORA_UPDATING=true/);
  });

  test('on_adapter_failure: base answers with the base model and x-lorag-degraded: adapter', async () => {
    const { data, response } = await client(gateway.url, FALLBACK_KEY)
      .chat.completions.create({ model: 'finance', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    assert.equal(answeredBy(data.choices[0].message.content), 'tiny-base');
    assert.equal(response.headers.get('x-lorag-degraded'), 'adapter');
    assert.equal(response.headers.get('x-lorag-adapter'), 'base');
  });
});

describe('load failures through the gateway (runtime loading on)', () => {
  let sim: RunningSim;
  let gateway: RunningGateway;
  before(async () => {
    sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
    gateway = await startGateway(parseConfig(gatewayConfig({ adaptersDir: dir.dir, sims: [{ url: sim.url }] })), {
      log: () => {},
    });
  });
  after(async () => {
    await gateway?.close();
    await sim?.close();
  });

  test('a broken adapter: 503 adapter_unavailable, or the base model when the tenant allows it', async () => {
    const err = await client(gateway.url)
      .chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'x' }] })
      .then(
        () => assert.fail('expected a 503'),
        (e) => e as { status: number; code: string; message: string },
      );
    assert.equal(err.status, 503);
    assert.equal(err.code, 'adapter_unavailable');
    assert.match(err.message, /could not be loaded/);
    const { data, response } = await client(gateway.url, FALLBACK_KEY)
      .chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    assert.equal(answeredBy(data.choices[0].message.content), 'tiny-base');
    assert.equal(response.headers.get('x-lorag-degraded'), 'adapter');
  });
});
