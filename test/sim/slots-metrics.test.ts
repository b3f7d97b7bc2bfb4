/**
 * LoRA slots and /metrics against a started simulator: with --max-loras 1 a request for a second adapter
 * waits (visible in num_requests_waiting and lora_requests_info) until the first adapter's request ends;
 * base-model requests are not blocked behind it; a client disconnect frees the slot.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { latestLoraInfo, metrics, postJson, until, value, withSim } from './helpers.ts';

const msg = [{ role: 'user' as const, content: 'hi' }];
const two = [
  { name: 'a', path: 'sim://a' },
  { name: 'b', path: 'sim://b' },
];

/** Starts a streaming request and reads it only when asked, so the test controls how long it runs. */
async function openStream(url: string, model: string) {
  const ctrl = new AbortController();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: msg, stream: true }),
    signal: ctrl.signal,
  });
  return { res, abort: () => ctrl.abort(), text: () => res.text() };
}

describe('sim LoRA slots', () => {
  test('--max-loras 1: the second adapter waits until the first finishes; base requests still run', async () => {
    // A long reply at 50 ms per token keeps adapter a busy while the test looks at the queue.
    await withSim({ maxLoras: 1, itlMs: 50, outputTokens: 40, loraModules: two }, async (sim, client) => {
      const first = await openStream(sim.url, 'a');
      await until(() => sim.state.running === 1, 'a running');
      const second = client.chat.completions.create({ model: 'b', messages: msg });
      await until(() => sim.state.waiting === 1, 'b waiting');
      let { samples } = await metrics(sim);
      assert.equal(value(samples, 'vllm:num_requests_waiting', { model_name: 'tiny-base', engine: '0' }), 1);
      assert.equal(value(samples, 'vllm:num_requests_running', { model_name: 'tiny-base', engine: '0' }), 1);
      // Current vLLM: both labels carry every adapter with requests in flight.
      const info = latestLoraInfo(samples);
      assert.deepEqual(info?.labels, { max_lora: '1', running_lora_adapters: 'a,b', waiting_lora_adapters: 'a,b' });
      // No head-of-line blocking: a base-model request runs to completion while b still waits.
      const base = await client.chat.completions.create({ model: 'tiny-base', messages: msg, max_tokens: 2 });
      assert.equal(base.model, 'tiny-base');
      assert.equal(sim.state.waiting, 1);
      await first.text();
      const r = await second;
      assert.equal(r.model, 'b');
      ({ samples } = await metrics(sim));
      assert.equal(value(samples, 'vllm:num_requests_waiting', { model_name: 'tiny-base' }), 0);
      assert.equal(value(samples, 'lorag_sim_requests_total', { model: 'a' }), 1);
      assert.equal(value(samples, 'lorag_sim_requests_total', { model: 'tiny-base' }), 1);
      assert.equal(value(samples, 'lorag_sim_requests_waited_total', { reason: 'lora_slots' }), 1);
      assert.deepEqual(sim.state.waitedCounts(), { lora_slots: 1 });
    });
  });

  test('legacy: lora_requests_info has distinct running and waiting sets and gpu_cache_usage_perc', async () => {
    await withSim(
      { vllmCompat: 'legacy', maxLoras: 1, itlMs: 1000, outputTokens: 30, loraModules: two },
      async (sim, client) => {
        const first = await openStream(sim.url, 'a');
        await until(() => sim.state.running === 1, 'a running');
        const second = client.chat.completions.create({ model: 'b', messages: msg });
        await until(() => sim.state.waiting === 1, 'b waiting');
        const { samples, types } = await metrics(sim);
        assert.deepEqual(latestLoraInfo(samples)?.labels, {
          max_lora: '1',
          running_lora_adapters: 'a',
          waiting_lora_adapters: 'b',
        });
        assert.equal(types['vllm:gpu_cache_usage_perc'], 'gauge');
        assert.equal(types['vllm:kv_cache_usage_perc'], undefined);
        assert.ok((value(samples, 'vllm:gpu_cache_usage_perc') ?? 0) > 0);
        first.abort();
        await second;
      },
    );
  });

  test('a client disconnect mid-stream frees the slot for the waiting adapter', async () => {
    await withSim({ maxLoras: 1, itlMs: 1000, outputTokens: 100, loraModules: two }, async (sim, client) => {
      const first = await openStream(sim.url, 'a');
      await until(() => sim.state.running === 1, 'a running');
      const second = client.chat.completions.create({ model: 'b', messages: msg, max_tokens: 1 });
      await until(() => sim.state.waiting === 1, 'b waiting');
      first.abort();
      const r = await second;
      assert.equal(r.model, 'b');
      await until(() => sim.state.running === 0, 'all done');
    });
  });

  test('--max-num-seqs bounds running requests; the rest wait', async () => {
    await withSim({ maxNumSeqs: 1, itlMs: 50, outputTokens: 20 }, async (sim, client) => {
      const first = await openStream(sim.url, 'tiny-base');
      await until(() => sim.state.running === 1, 'first running');
      const second = client.chat.completions.create({ model: 'tiny-base', messages: msg });
      await until(() => sim.state.waiting === 1, 'second waiting');
      await first.text();
      await second;
      assert.equal(sim.state.waiting, 0);
      assert.deepEqual(sim.state.waitedCounts(), { max_num_seqs: 1 });
    });
  });
});

describe('sim /metrics', () => {
  test('every sample parses and has HELP and TYPE; lora_requests_info keeps old series with timestamp values', async () => {
    await withSim({ loraModules: two, maxLoras: 2 }, async (sim, client) => {
      await client.chat.completions.create({ model: 'a', messages: msg });
      await client.chat.completions.create({ model: 'b', messages: msg });
      const { samples, types, helps } = await metrics(sim);
      for (const s of samples) {
        assert.ok(types[s.name], `TYPE for ${s.name}`);
        assert.ok(helps.has(s.name), `HELP for ${s.name}`);
      }
      assert.equal(types['vllm:lora_requests_info'], 'gauge');
      assert.equal(types.lorag_sim_requests_total, 'counter');
      const series = samples.filter((s) => s.name === 'vllm:lora_requests_info');
      const running = series.map((s) => s.labels.running_lora_adapters);
      assert.ok(running.includes('a') && running.includes('b') && running.includes(''));
      const now = Date.now() / 1000;
      assert.ok(series.every((s) => s.value > now - 60 && s.value <= now + 1));
      assert.equal(value(samples, 'vllm:request_success_total', { finished_reason: 'stop' }), 2);
      assert.equal(value(samples, 'vllm:generation_tokens_total'), 64);
      const raw = await (await fetch(`${sim.url}/metrics`)).text();
      assert.match(raw, /^vllm:lora_requests_info\{.*\} \d\.\d+e\+09$/m);
    });
  });

  test('--failure-rate 1 answers 500 InternalServerError JSON before any stream starts, still counted', async () => {
    await withSim({ failureRate: 1 }, async (sim) => {
      const res = await postJson(`${sim.url}/v1/chat/completions`, { messages: msg, stream: true });
      assert.equal(res.status, 500);
      assert.equal(JSON.parse(res.text).error.type, 'InternalServerError');
      assert.equal(sim.state.requestCounts()['tiny-base'], 1);
    });
  });

  test('--failure-rate is reproducible from --seed', async () => {
    const outcomes = async (seed: number) =>
      withSim({ failureRate: 0.5, seed }, async (sim) => {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++)
          statuses.push((await postJson(`${sim.url}/v1/completions`, { prompt: 'x', max_tokens: 1 })).status);
        return statuses;
      });
    const a = await outcomes(7);
    assert.deepEqual(await outcomes(7), a);
    assert.ok(a.includes(500) && a.includes(200));
  });
});
