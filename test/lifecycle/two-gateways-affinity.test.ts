/**
 * LoRA affinity across gateways: two `lorag serve` processes share one Redis in front of 3 sims with 2 LoRA
 * slots each (6 slots in all). 100 concurrent requests for 6 adapters, split over both gateways, never wait in
 * a replica's queue (each sim's num_requests_waiting, sampled every 2 ms, stays 0): the slot ledger in Redis
 * makes every gateway choose with every gateway's in-flight requests in view, and claims atomically, so two
 * gateways cannot both put a different adapter into one replica's last slot.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import {
  ADAPTERS,
  type AdaptersDir,
  answeredBy,
  client,
  type GatewayProcess,
  gatewayConfig,
  makeAdaptersDir,
  sampleWaiting,
  spawnGateway,
} from './fixtures.ts';

let redis: TestRedis;
let dir: AdaptersDir;
let sims: RunningSim[];
let gateways: GatewayProcess[];

before(async () => {
  redis = await startTestRedis();
  dir = makeAdaptersDir();
  sims = await Promise.all(
    [0, 1, 2].map((i) =>
      startSim({ port: 0, maxLoras: 2, loadMs: 50, itlMs: 5, allowRuntimeLoraUpdating: true, replicaId: `sim-${i}` }),
    ),
  );
  const config = gatewayConfig({
    adaptersDir: dir.dir,
    sims: sims.map((s) => ({ url: s.url, maxLoras: 2 })),
    redisUrl: redis.url,
    redisPrefix: 'affinity:',
  });
  gateways = await Promise.all([spawnGateway(config), spawnGateway(config)]);
});
after(async () => {
  await Promise.all(gateways?.map((g) => g.stop()) ?? []);
  await Promise.all(sims?.map((s) => s.close()) ?? []);
  await redis?.stop();
  dir?.remove();
});

test('100 concurrent requests for 6 adapters over two gateways: no request waits at a replica', async () => {
  const sampler = sampleWaiting(sims);
  const clients = gateways.map((g) => client(g.url));
  const mismatches: string[] = [];
  let seen: ReturnType<ReturnType<typeof sampleWaiting>['stop']>;
  try {
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        // Each gateway sees all six adapters, in orders shifted by one: chosen alone, each gateway would fill
        // the replicas' slots its own way and the two ways collide.
        const gateway = i % 2;
        const adapter = ADAPTERS[(Math.floor(i / 2) + gateway) % ADAPTERS.length];
        const answer = await clients[gateway].chat.completions.create({
          model: adapter,
          messages: [{ role: 'user', content: `question ${i}` }],
          max_tokens: 24,
        });
        if (answeredBy(answer.choices[0].message.content) !== `${adapter}@1`) mismatches.push(`${i}:${adapter}`);
      }),
    );
  } finally {
    seen = sampler.stop();
  }
  const { maxWaiting, samples } = seen;
  process.stderr.write(`# two gateways, 6 adapters, 6 slots: max waiting ${maxWaiting} over ${samples} samples\n`);
  assert.deepEqual(mismatches, []);
  assert.ok(samples > 10, 'the sampler ran during the traffic');
  assert.equal(maxWaiting, 0, 'a request waited in a replica queue behind busy LoRA slots');
});
