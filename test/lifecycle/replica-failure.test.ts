/**
 * A replica killed mid-test: requests that had not started streaming are served by another replica (retried
 * before the first byte), streams already under way end with an SSE error event, the circuit breaker keeps
 * the dead replica out, and it returns to service when a simulator comes back on the same port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, type SimOptions, startSim } from '../../src/sim/main.ts';
import {
  ADAPTERS,
  type AdaptersDir,
  admin,
  answeredBy,
  client,
  gatewayConfig,
  makeAdaptersDir,
  until,
} from './fixtures.ts';

describe('a replica dies mid-traffic and comes back', () => {
  const simOptions: SimOptions = {
    maxLoras: 2,
    loadMs: 50,
    itlMs: 15,
    outputTokens: 40,
    allowRuntimeLoraUpdating: true,
  };
  let dir: AdaptersDir;
  let sims: RunningSim[];
  let gateway: RunningGateway;
  before(async () => {
    dir = makeAdaptersDir();
    sims = await Promise.all([0, 1, 2].map(() => startSim({ port: 0, ...simOptions })));
    const config = gatewayConfig({ adaptersDir: dir.dir, sims: sims.map((s) => ({ url: s.url, maxLoras: 2 })) });
    gateway = await startGateway(parseConfig(config), { log: () => {} });
  });
  after(async () => {
    await gateway?.close();
    await Promise.all(sims?.map((s) => s.close()) ?? []);
    dir?.remove();
  });

  test('in-flight streams fail cleanly, queued requests move, the replica comes back', async () => {
    const sdk = client(gateway.url);
    // Place all six adapters (two per replica).
    await Promise.all(
      ADAPTERS.map((model) =>
        sdk.chat.completions.create({ model, messages: [{ role: 'user', content: 'warm' }], max_tokens: 2 }),
      ),
    );
    const view = (await admin(gateway.url, 'GET', '/adapters')).json;
    const legal1 = view.data.find((a: { name: string }) => a.name === 'legal').versions[0];
    const victimId: string = legal1.replicas.find((p: { registered: boolean }) => p.registered).replica;
    const victim = Number(victimId.split('-')[1]);
    const victimPort = sims[victim].port;

    // Streams on the victim that have already delivered content.
    const streams = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const { data, response } = await sdk.chat.completions
          .create({ model: 'legal', stream: true, messages: [{ role: 'user', content: `s${i}` }] })
          .withResponse();
        assert.equal(response.headers.get('x-lorag-replica'), victimId);
        const it = data[Symbol.asyncIterator]();
        let text = '';
        while (!/ digest=/.test(text)) text += (await it.next()).value?.choices[0]?.delta?.content ?? '';
        return { it, text };
      }),
    );
    // Non-stream requests under way on the victim: the simulator sends nothing until it has finished.
    const pending = Array.from({ length: 4 }, (_, i) =>
      sdk.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: `p${i}` }] }).withResponse(),
    );
    await until(() => sims[victim].state.running >= 7, 3000, 'the victim to run all seven requests');

    await sims[victim].close();

    for (const s of streams) {
      let failure: Error | undefined;
      try {
        for (let r = await s.it.next(); !r.done; r = await s.it.next())
          s.text += r.value.choices[0]?.delta?.content ?? '';
      } catch (err) {
        failure = err as Error;
      }
      assert.ok(failure, 'a started stream ends with an error event');
      assert.match(failure.message, /The stream was interrupted/);
      assert.equal(answeredBy(s.text), 'legal@1');
    }
    for (const p of pending) {
      const { data, response } = await p;
      assert.equal(answeredBy(data.choices[0].message.content), 'legal@1');
      assert.notEqual(response.headers.get('x-lorag-replica'), victimId);
    }
    // New requests, streamed or not, go elsewhere while the victim is down.
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const { data, response } = await sdk.chat.completions
          .create({ model: 'legal', messages: [{ role: 'user', content: `after${i}` }], stream: i % 2 === 0 })
          .withResponse();
        let text = '';
        if ('choices' in data) text = data.choices[0].message.content ?? '';
        else for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
        assert.equal(answeredBy(text), 'legal@1');
        assert.notEqual(response.headers.get('x-lorag-replica'), victimId);
      }),
    );
    const down = (await admin(gateway.url, 'GET', '/replicas')).json.data.find(
      (r: { id: string }) => r.id === victimId,
    );
    assert.equal(down.healthy, false);

    // Back on the same port, empty (a restarted vLLM forgets runtime-loaded adapters).
    sims[victim] = await startSim({ port: victimPort, ...simOptions });
    await until(
      async () =>
        (await admin(gateway.url, 'GET', '/replicas')).json.data.find((r: { id: string }) => r.id === victimId).healthy,
      5000,
      'the replica to be healthy again',
    );
    // Drain the others so that the next request must go to the returned replica; it reloads the adapter.
    const others = sims.map((_, i) => `sim-${i}`).filter((id) => id !== victimId);
    for (const id of others)
      assert.equal((await admin(gateway.url, 'POST', `/replicas/${id}/drain`)).json.drained, true);
    try {
      const { data, response } = await sdk.chat.completions
        .create({ model: 'legal', messages: [{ role: 'user', content: 'back' }] })
        .withResponse();
      assert.equal(answeredBy(data.choices[0].message.content), 'legal@1');
      assert.equal(response.headers.get('x-lorag-replica'), victimId);
      assert.equal(sims[victim].state.loadRequestCounts()['legal@1'], 1);
    } finally {
      for (const id of others) await admin(gateway.url, 'POST', `/replicas/${id}/undrain`);
    }
  });
});
