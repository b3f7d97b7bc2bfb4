/**
 * Two `lorag serve` processes sharing a real Redis in front of 3 sims (--max-loras 2, --load-ms 200), in both
 * --vllm-compat modes: 100 concurrent first requests for one adapter, split over both gateways, reach each
 * replica with at most one load call; every answer comes from the adapter asked for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import {
  ADAPTERS,
  ADMIN_KEY,
  type AdaptersDir,
  answeredBy,
  client,
  type GatewayProcess,
  gatewayConfig,
  loadCalls,
  makeAdaptersDir,
  spawnGateway,
  until,
} from './fixtures.ts';

for (const compat of ['current', 'legacy'] as const) {
  describe(`two gateway processes, one Redis, vllm-compat ${compat}`, () => {
    let redis: TestRedis;
    let dir: AdaptersDir;
    let sims: RunningSim[];
    let gateways: GatewayProcess[];
    before(async () => {
      redis = await startTestRedis();
      dir = makeAdaptersDir();
      sims = await Promise.all(
        [0, 1, 2].map((i) =>
          startSim({
            port: 0,
            maxLoras: 2,
            loadMs: 200,
            itlMs: 2,
            vllmCompat: compat,
            allowRuntimeLoraUpdating: true,
            replicaId: `sim-${i}`,
          }),
        ),
      );
      const config = gatewayConfig({
        adaptersDir: dir.dir,
        sims: sims.map((s) => ({ url: s.url })),
        redisUrl: redis.url,
        redisPrefix: `t-${compat}:`,
      });
      gateways = await Promise.all([spawnGateway(config), spawnGateway(config)]);
    });
    after(async () => {
      await Promise.all(gateways?.map((g) => g.stop()) ?? []);
      await Promise.all(sims?.map((s) => s.close()) ?? []);
      await redis?.stop();
      dir?.remove();
    });

    test('100 concurrent first requests for one adapter: at most one load call per replica', async () => {
      const clients = gateways.map((g) => client(g.url));
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          clients[i % 2].chat.completions.create({
            model: 'finance',
            messages: [{ role: 'user', content: `q${i}` }],
            user: `u${i}`,
          }),
        ),
      );
      for (const a of answers) {
        assert.equal(answeredBy(a.choices[0].message.content), 'finance@1');
        assert.equal(a.model, 'finance@1');
      }
      const perReplica = sims.map((s) => loadCalls(s, 'finance@1'));
      assert.ok(
        perReplica.every((n) => n <= 1),
        `load calls per replica: ${perReplica}`,
      );
      assert.ok(
        perReplica.some((n) => n === 1),
        'the adapter was loaded somewhere',
      );
      process.stderr.write(`# [${compat}] finance@1 load calls per replica over 2 gateways: ${perReplica.join(',')}\n`);
      // max_loras is not in this config: each gateway learned it from vLLM's lora_requests_info.
      // (the next poll after the traffic reads it; on a loaded machine that can take a few intervals)
      for (const g of gateways) {
        let seen = '';
        await until(
          async () => {
            const res = await fetch(`${g.url}/admin/replicas`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
            const replicas = ((await res.json()) as { data: { id: string; max_loras: number }[] }).data;
            seen = JSON.stringify(replicas);
            return replicas.some((r) => r.max_loras === 2);
          },
          10_000,
          'max_loras learned from /metrics',
        ).catch(() => assert.fail(seen));
      }
    });

    test('concurrent traffic on all adapters through both gateways: every answer from the adapter asked for', async () => {
      const clients = gateways.map((g) => client(g.url));
      const models = [...ADAPTERS.map((a) => a), 'legal@2', 'research'];
      const answers = await Promise.all(
        Array.from({ length: 120 }, async (_, i) => {
          const model = models[i % models.length];
          const r = await clients[i % 2].chat.completions.create({
            model,
            messages: [{ role: 'user', content: `m${i}` }],
          });
          return { model, served: answeredBy(r.choices[0].message.content), echoed: r.model };
        }),
      );
      for (const a of answers) {
        const expected = a.model.includes('@') ? a.model : `${a.model}@1`;
        assert.equal(a.served, expected);
        assert.equal(a.echoed, expected);
      }
      for (const s of sims) {
        for (const [id, n] of Object.entries(s.state.loadRequestCounts()))
          assert.ok(n <= 1, `${id} loaded ${n} times on one replica`);
      }
    });
  });
}
