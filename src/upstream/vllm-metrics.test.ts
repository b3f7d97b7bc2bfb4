import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVllmMetrics } from './vllm-metrics.ts';

test('the lora series with the largest timestamp wins, label order does not matter', () => {
  const text = [
    '# HELP vllm:lora_requests_info Running stats on lora requests.',
    '# TYPE vllm:lora_requests_info gauge',
    'vllm:lora_requests_info{max_lora="2",running_lora_adapters="legal@1",waiting_lora_adapters="legal@1"} 1.789828498802105e+09',
    'vllm:lora_requests_info{waiting_lora_adapters="hr@1,legal@1",max_lora="2",running_lora_adapters="hr@1,legal@1"} 1.789828499e+09',
    'vllm:lora_requests_info{max_lora="2",running_lora_adapters="",waiting_lora_adapters=""} 1.7898284e+09',
    'vllm:num_requests_running{model_name="tiny-base",engine="0"} 3.0',
    'vllm:num_requests_waiting{model_name="tiny-base",engine="0"} 1.0',
    'vllm:kv_cache_usage_perc{model_name="tiny-base",engine="0"} 0.25',
  ].join('\n');
  const m = parseVllmMetrics(text);
  assert.equal(m.maxLoras, 2);
  assert.deepEqual([...m.activeAdapters].sort(), ['hr@1', 'legal@1']);
  assert.equal(m.running, 3);
  assert.equal(m.waiting, 1);
  assert.equal(m.kvCacheUsage, 0.25);
});

test('legacy builds: distinct running and waiting sets, old kv gauge name', () => {
  const text = [
    'vllm:lora_requests_info{max_lora="1",running_lora_adapters="a",waiting_lora_adapters="b"} 100',
    'vllm:gpu_cache_usage_perc{model_name="m"} 0.5',
  ].join('\n');
  const m = parseVllmMetrics(text);
  assert.deepEqual([...m.activeAdapters].sort(), ['a', 'b']);
  assert.equal(m.kvCacheUsage, 0.5);
  assert.equal(m.maxLoras, 1);
});

test('no LoRA metric: nothing known', () => {
  const m = parseVllmMetrics('vllm:num_requests_running{model_name="m"} 0\n');
  assert.equal(m.maxLoras, null);
  assert.equal(m.activeAdapters.size, 0);
  assert.equal(m.kvCacheUsage, null);
});

test('the newest series is empty: nothing in flight, whatever older series say', () => {
  const text = [
    'vllm:lora_requests_info{max_lora="2",running_lora_adapters="legal@1",waiting_lora_adapters="legal@1"} 1.7898284e+09',
    'vllm:lora_requests_info{running_lora_adapters="",max_lora="2",waiting_lora_adapters=""} 1.789828499e+09',
  ].join('\n');
  const m = parseVllmMetrics(text);
  assert.equal(m.activeAdapters.size, 0);
  assert.equal(m.maxLoras, 2);
});

test('both kv gauges present: the current name wins; several engines are summed', () => {
  const text = [
    'vllm:gpu_cache_usage_perc{model_name="m",engine="0"} 0.9',
    'vllm:kv_cache_usage_perc{model_name="m",engine="0"} 0.1',
    'vllm:num_requests_waiting{model_name="m",engine="0"} 2',
    'vllm:num_requests_waiting{model_name="m",engine="1"} 3',
  ].join('\n');
  const m = parseVllmMetrics(text);
  assert.equal(m.kvCacheUsage, 0.1);
  assert.equal(m.waiting, 5);
});
