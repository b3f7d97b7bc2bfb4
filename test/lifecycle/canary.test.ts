/**
 * Versions and canaries through the OpenAI SDK: the tenant's split (`legal@1` 90 / `legal@2` 10) holds within
 * ±3 points over 1,000 distinct `user` values, a `user` always gets the same version, `legal@2` pins, and the
 * response's `model`, `x-lorag-adapter` and the simulator's own reply all name the version that served.
 * Without a tenant split the manifest's split applies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { type AdaptersDir, answeredBy, CANARY_KEY, client, gatewayConfig, makeAdaptersDir } from './fixtures.ts';

describe('canary split, sticky per user', () => {
  let dir: AdaptersDir;
  let sims: RunningSim[];
  let gateway: RunningGateway;
  before(async () => {
    dir = makeAdaptersDir();
    sims = await Promise.all(
      [0, 1].map(() => startSim({ port: 0, maxLoras: 2, loadMs: 50, allowRuntimeLoraUpdating: true })),
    );
    const config = gatewayConfig({
      adaptersDir: dir.dir,
      sims: sims.map((s) => ({ url: s.url, maxLoras: 2 })),
      canary: { legal: { 'legal@1': 90, 'legal@2': 10 } },
    });
    gateway = await startGateway(parseConfig(config), { log: () => {} });
  });
  after(async () => {
    await gateway?.close();
    await Promise.all(sims?.map((s) => s.close()) ?? []);
    dir?.remove();
  });

  const clients = new Map<string, ReturnType<typeof client>>();
  async function ask(user: string, model = 'legal', key = CANARY_KEY): Promise<string> {
    if (!clients.has(key)) clients.set(key, client(gateway.url, key));
    const { data, response } = await clients
      .get(key)!
      .chat.completions.create({ model, user, messages: [{ role: 'user', content: 'Is this clause enforceable?' }] })
      .withResponse();
    const served = answeredBy(data.choices[0].message.content);
    assert.equal(data.model, served, 'response model names the version that served');
    assert.equal(response.headers.get('x-lorag-adapter'), served, 'x-lorag-adapter names the version that served');
    return served!;
  }

  async function many<T>(n: number, fn: (i: number) => Promise<T>, concurrency = 50): Promise<T[]> {
    const out: T[] = new Array(n);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          out[i] = await fn(i);
        }
      }),
    );
    return out;
  }

  test('1,000 distinct users: legal@2 gets 10% ± 3 points', async () => {
    const served = await many(1000, (i) => ask(`user-${i}`));
    const v2 = served.filter((s) => s === 'legal@2').length;
    const v1 = served.filter((s) => s === 'legal@1').length;
    process.stderr.write(`# canary: legal@1 ${v1}, legal@2 ${v2} of 1000\n`);
    assert.equal(v1 + v2, 1000);
    assert.ok(Math.abs(v2 / 10 - 10) <= 3, `legal@2 share ${v2 / 10}%`);
  });

  test('the same user always gets the same version', async () => {
    const users = Array.from({ length: 60 }, (_, i) => `sticky-${i}`);
    const first = await many(users.length, (i) => ask(users[i]));
    assert.ok(first.includes('legal@1'));
    for (let round = 0; round < 3; round++) {
      const again = await many(users.length, (i) => ask(users[i]));
      assert.deepEqual(again, first);
    }
  });

  test('legal@2 pins, whatever the user', async () => {
    const served = await many(40, (i) => ask(`user-${i}`, 'legal@2'));
    assert.ok(served.every((s) => s === 'legal@2'));
  });

  test("without a tenant split, the manifest's split applies", async () => {
    // The `ops` tenant has no canary; the manifest sends 100% to legal@1.
    const served = await many(100, (i) => ask(`user-${i}`, 'legal', 'sk-lifecycle-ops'));
    assert.ok(served.every((s) => s === 'legal@1'));
  });
});
