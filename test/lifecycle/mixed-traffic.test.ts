/**
 * Mixed traffic on 6 adapters over 3 replicas with 2 LoRA slots each (--load-ms 200), in both --vllm-compat
 * modes, through a gateway with the official OpenAI SDK: affinity keeps each adapter on few replicas (total
 * load calls ≤ 2 × 6), no request ever waits in a replica's queue (the sims' num_requests_waiting, sampled
 * every few ms, stays 0), and every answer comes from the adapter asked for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import {
  ADAPTERS,
  type AdaptersDir,
  answeredBy,
  client,
  gatewayConfig,
  loadCalls,
  makeAdaptersDir,
  sampleWaiting,
} from './fixtures.ts';

for (const compat of ['current', 'legacy'] as const) {
  describe(`mixed traffic, 6 adapters, 3 replicas × 2 slots, vllm-compat ${compat}`, () => {
    let dir: AdaptersDir;
    let sims: RunningSim[];
    let gateway: RunningGateway;
    before(async () => {
      dir = makeAdaptersDir();
      sims = await Promise.all(
        [0, 1, 2].map(() =>
          startSim({
            port: 0,
            maxLoras: 2,
            loadMs: 200,
            itlMs: 2,
            outputTokens: 12,
            vllmCompat: compat,
            allowRuntimeLoraUpdating: true,
          }),
        ),
      );
      gateway = await startGateway(
        parseConfig(gatewayConfig({ adaptersDir: dir.dir, sims: sims.map((s) => ({ url: s.url, maxLoras: 2 })) })),
        { log: () => {} },
      );
    });
    after(async () => {
      await gateway?.close();
      await Promise.all(sims?.map((s) => s.close()) ?? []);
      dir?.remove();
    });

    test('load calls ≤ 12, nothing waits behind busy slots, every answer from its adapter', async () => {
      const sdk = client(gateway.url);
      const sampler = sampleWaiting(sims);
      const mismatches: string[] = [];
      let served = 0;
      // 24 concurrent workers, each sending 12 requests over a rotating mix of the 6 adapters, half streamed.
      let seed = 7;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      await Promise.all(
        Array.from({ length: 24 }, async (_, w) => {
          for (let j = 0; j < 12; j++) {
            const adapter = ADAPTERS[Math.floor(rand() * ADAPTERS.length)];
            const messages = [{ role: 'user' as const, content: `w${w} j${j}` }];
            let text = '';
            if ((w + j) % 2 === 0) {
              const stream = await sdk.chat.completions.create({ model: adapter, messages, stream: true });
              for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
            } else {
              text = (await sdk.chat.completions.create({ model: adapter, messages })).choices[0].message.content ?? '';
            }
            served++;
            if (answeredBy(text) !== `${adapter}@1`) mismatches.push(`${adapter} answered by ${answeredBy(text)}`);
          }
        }),
      );
      const { maxWaiting, samples } = sampler.stop();
      const perSim = sims.map((s) => s.state.loadRequestCounts());
      const total = sims.reduce((sum, s) => sum + loadCalls(s), 0);
      process.stderr.write(
        `# [${compat}] ${served} requests, load calls total ${total}: ${JSON.stringify(perSim)}; max waiting ${maxWaiting} over ${samples} samples\n`,
      );
      assert.deepEqual(mismatches, []);
      assert.equal(served, 24 * 12);
      assert.ok(total >= 6, 'each adapter was loaded at least once');
      assert.ok(total <= 12, `total load calls ${total} > 12`);
      assert.ok(samples > 10, 'the sampler ran during the traffic');
      assert.equal(maxWaiting, 0, 'a request waited in a replica queue behind busy LoRA slots');
      // Spread: every replica took part (6 adapters cannot fit on fewer than 3 replicas × 2 slots).
      assert.ok(sims.every((s) => loadCalls(s) > 0));
    });
  });
}
