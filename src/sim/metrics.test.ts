import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLoraSlots } from './lora-slots.ts';
import { createSimMetrics, goFloat } from './metrics.ts';

test('goFloat prints like prometheus_client', () => {
  assert.equal(goFloat(1789828498.802105), '1.789828498802105e+09');
  assert.equal(goFloat(3), '3.0');
  assert.equal(goFloat(0.25), '0.25');
  assert.equal(goFloat(12345678), '1.2345678e+07');
});

test('lora_requests_info: current shows in-flight adapters in both labels, legacy splits them', async () => {
  for (const compat of ['current', 'legacy'] as const) {
    const slots = createLoraSlots(1, 10, () => m.touchLoraInfo());
    const m = createSimMetrics({ compat, modelName: 'base', maxLoras: 1, kvCacheTokens: 100 }, () => slots);
    const release = await slots.acquire('a');
    const waiting = slots.acquire('b');
    const last = m
      .render()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('vllm:lora_requests_info'))
      .at(-1);
    const expected =
      compat === 'current'
        ? 'running_lora_adapters="a,b",waiting_lora_adapters="a,b"'
        : 'running_lora_adapters="a",waiting_lora_adapters="b"';
    assert.ok(last?.includes(expected), `${compat}: ${last}`);
    release();
    (await waiting)();
    const series = m
      .render()
      .split('\n')
      .filter((l) => l.startsWith('vllm:lora_requests_info'));
    // Old series are never removed; the newest (largest value) is the idle one.
    assert.equal(series.length, 4);
    const values = series.map((l) => Number(l.split(' ').at(-1)));
    assert.equal(Math.max(...values), values[series.findIndex((l) => l.includes('running_lora_adapters=""'))]);
  }
});
