/**
 * Admin state shared through Redis by two real `lorag serve` processes in front of two sims: an admin split
 * change on one gateway is in force on the other within 1 s (sticky users land where the split says, on the
 * other gateway); a retirement on one makes the other refuse the pinned version; a drain on one keeps the
 * other's traffic off that replica; a gateway started after the changes serves by them at once; and every
 * change has an audit entry (who, when) that both gateways list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pickFromSplit } from '../../src/routing/canary.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import {
  type AdaptersDir,
  admin,
  answeredBy,
  client,
  type GatewayProcess,
  gatewayConfig,
  makeAdaptersDir,
  spawnGateway,
} from './fixtures.ts';

const USERS = Array.from({ length: 12 }, (_, i) => `user-${i}`);

async function servedBy(url: string, user: string, model = 'legal'): Promise<string | undefined> {
  const { data, response } = await client(url)
    .chat.completions.create({ model, messages: [{ role: 'user', content: 'which version?' }], user })
    .withResponse();
  const label = response.headers.get('x-lorag-adapter') ?? undefined;
  assert.equal(answeredBy(data.choices[0].message.content), label, 'the header names the version that answered');
  return label;
}

/** Polls `check` until it holds; fails after `ms` (the promise of "in force within 1 s", nothing stricter). */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    // An error (e.g. 404 while the other gateway does not know a new version yet) counts as "not yet".
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) assert.fail(`not in force within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('admin state shared by two gateway processes on one Redis', () => {
  let redis: TestRedis;
  let dir: AdaptersDir;
  let sims: RunningSim[];
  let config: Record<string, unknown>;
  const gateways: GatewayProcess[] = [];
  before(async () => {
    redis = await startTestRedis();
    dir = makeAdaptersDir();
    sims = await Promise.all(
      [0, 1].map((i) => startSim({ port: 0, outputTokens: 2, allowRuntimeLoraUpdating: true, replicaId: `sim-${i}` })),
    );
    config = gatewayConfig({
      adaptersDir: dir.dir,
      sims: sims.map((s) => ({ url: s.url })),
      redisUrl: redis.url,
      redisPrefix: 'admin-shared:',
    });
    gateways.push(...(await Promise.all([spawnGateway(config), spawnGateway(config)])));
  });
  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(sims?.map((s) => s.close()) ?? []);
    await redis?.stop();
    dir?.remove();
  });

  test('a split change on one gateway is in force on the other within 1 s, by the sticky split', async () => {
    const [a, b] = gateways;
    for (const u of USERS) assert.equal(await servedBy(b.url, u), 'legal@1', 'the manifest split: all to legal@1');
    const split = { 'legal@1': 50, 'legal@2': 50 };
    const expected = new Map(USERS.map((u) => [u, pickFromSplit(split, 'legal', u)]));
    assert.ok(new Set(expected.values()).size === 2, 'the users fall on both sides of the split');
    const res = await admin(a.url, 'PUT', '/adapters/legal/split', { split });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    await within(1000, 'the 50/50 split on gateway b', async () => {
      for (const u of USERS) if ((await servedBy(b.url, u)) !== expected.get(u)) return false;
      return true;
    });
    // And the view of the other gateway's admin API agrees.
    const view = await admin(b.url, 'GET', '/adapters');
    assert.deepEqual(view.json.data.find((x: { name: string }) => x.name === 'legal').split, split);
  });

  test('a retirement on one gateway: the other refuses the pinned version within 1 s', async () => {
    const [a, b] = gateways;
    assert.equal(await servedBy(b.url, 'u', 'sales@1'), 'sales@1');
    const res = await admin(a.url, 'POST', '/adapters/sales/versions', { version: '2', source: 'sim://sales/v2' });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    await within(1000, 'sales@2 known on gateway b', async () => (await servedBy(b.url, 'u', 'sales@2')) === 'sales@2');
    assert.equal((await admin(a.url, 'POST', '/adapters/sales/versions/1/retire')).status, 200);
    await within(1000, 'sales@1 refused on gateway b', () =>
      servedBy(b.url, 'u', 'sales@1').then(
        () => false,
        (err: { status?: number }) => err.status === 404,
      ),
    );
    assert.equal(await servedBy(b.url, 'u', 'sales'), 'sales@2');
  });

  test('a drain on one gateway keeps the other gateway’s traffic off that replica', async () => {
    const [a, b] = gateways;
    assert.equal((await admin(a.url, 'POST', '/replicas/sim-0/drain')).status, 200);
    await within(1000, 'sim-0 drained on gateway b', async () => {
      const r = await admin(b.url, 'GET', '/replicas');
      return r.json.data.find((x: { id: string }) => x.id === 'sim-0').drained === true;
    });
    const before = sims[0].state.loadRequestCounts();
    const served = await Promise.all(USERS.map((u) => servedBy(b.url, u, 'hr')));
    assert.ok(served.every((s) => s === 'hr@1'));
    assert.equal(sims[0].state.loadRequestCounts()['hr@1'], before['hr@1'], 'nothing loaded on the drained sim-0');
    assert.equal((await admin(b.url, 'POST', '/replicas/sim-0/undrain')).status, 200);
  });

  test('a gateway started after the changes serves by them; both list the audit trail with who and when', async () => {
    const late = await spawnGateway(config);
    gateways.push(late);
    const split = { 'legal@1': 50, 'legal@2': 50 };
    for (const u of USERS) assert.equal(await servedBy(late.url, u), pickFromSplit(split, 'legal', u));
    await assert.rejects(servedBy(late.url, 'u', 'sales@1'), (err: { status?: number }) => err.status === 404);
    const trails = await Promise.all([gateways[0], late].map((g) => admin(g.url, 'GET', '/audit')));
    for (const t of trails) {
      const actions = t.json.data.map((e: { action: string }) => e.action);
      assert.deepEqual(actions, ['split', 'add-version', 'retire', 'drain', 'undrain']);
      for (const e of t.json.data) {
        assert.ok(e.by.length > 0);
        assert.ok(!Number.isNaN(Date.parse(e.at)));
      }
    }
  });
});
