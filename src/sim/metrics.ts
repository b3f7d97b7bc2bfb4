/**
 * @module sim/metrics — `/metrics` in Prometheus text format with vLLM's names and quirks (vllm.md §7):
 * `vllm:lora_requests_info` is a gauge whose value is the Unix time, with a new series for every label
 * combination and none ever removed; in `current` mode running == waiting == adapters with requests in
 * flight, in `legacy` mode the two sets are distinct.
 */
import type { Compat } from './errors.ts';
import type { LoraSlots } from './lora-slots.ts';

/** prometheus_client's `floatToGoString`: Python repr, with large values as `1.789828498802105e+09`. */
export function goFloat(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(x)) return 'NaN';
  const s = Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.0` : String(x);
  const dot = s.indexOf('.');
  if (x > 0 && dot > 6 && !s.includes('e')) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/0+$/, '').replace(/\.$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return s;
}

function esc(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;
}

export interface SimMetrics {
  requests: Map<string, number>;
  loadRequests: Map<string, number>;
  success: Map<string, number>;
  /** Requests that had to queue, by reason (`lora_slots` or `max_num_seqs`). */
  waited: Map<string, number>;
  tokens: { prompt: number; generation: number; kvInUse: number };
  /** Called on every scheduler change, as vLLM updates the LoRA gauge on every stats update. */
  touchLoraInfo(): void;
  render(): string;
}

export function inc(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export interface MetricsConfig {
  compat: Compat;
  modelName: string;
  maxLoras: number;
  kvCacheTokens: number;
}

export function createSimMetrics(cfg: MetricsConfig, slots: () => LoraSlots): SimMetrics {
  const loraInfo = new Map<string, { labels: Record<string, string>; value: number }>();
  let lastStamp = 0;
  const base = { model_name: cfg.modelName, engine: '0' };

  const m: SimMetrics = {
    requests: new Map(),
    loadRequests: new Map(),
    success: new Map(),
    waited: new Map(),
    tokens: { prompt: 0, generation: 0, kvInUse: 0 },
    touchLoraInfo() {
      const s = slots();
      const running = s.runningAdapters();
      let waiting = s.waitingAdapters();
      // Current vLLM (LoRARequestStates) writes every adapter with any running or waiting request into both.
      const shown = cfg.compat === 'current' ? [...new Set([...running, ...waiting])] : running;
      if (cfg.compat === 'current') waiting = shown;
      const l = {
        max_lora: String(cfg.maxLoras),
        running_lora_adapters: shown.join(','),
        waiting_lora_adapters: waiting.join(','),
      };
      // Strictly increasing stamps so the newest series is always the largest, even within one millisecond.
      lastStamp = Math.max(Date.now() / 1000, lastStamp + 1e-6);
      loraInfo.set(labels(l), { labels: l, value: lastStamp });
    },
    render() {
      const s = slots();
      const out: string[] = [];
      const metric = (name: string, type: string, help: string, rows: [Record<string, string>, number][]) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [l, v] of rows) out.push(`${name}${labels(l)} ${goFloat(v)}`);
      };
      metric('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', [
        [base, s.running],
      ]);
      metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', [[base, s.waiting]]);
      const usage = Math.min(1, m.tokens.kvInUse / cfg.kvCacheTokens);
      if (cfg.compat === 'current') {
        metric('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', [[base, usage]]);
      } else {
        metric('vllm:gpu_cache_usage_perc', 'gauge', 'GPU KV-cache usage. 1 means 100 percent usage.', [[base, usage]]);
      }
      metric('vllm:cache_config_info', 'gauge', 'Information of the LLMEngine CacheConfig', [
        [{ block_size: '16', num_gpu_blocks: String(Math.ceil(cfg.kvCacheTokens / 16)) }, 1],
      ]);
      metric(
        'vllm:lora_requests_info',
        'gauge',
        'Running stats on lora requests.',
        [...loraInfo.values()].map((e) => [e.labels, e.value]),
      );
      metric('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', [[base, m.tokens.prompt]]);
      metric('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', [
        [base, m.tokens.generation],
      ]);
      metric(
        'vllm:request_success_total',
        'counter',
        'Count of successfully processed requests.',
        [...m.success].map(([reason, n]) => [{ ...base, finished_reason: reason }, n]),
      );
      metric(
        'lorag_sim_requests_total',
        'counter',
        'Inference requests received per model (the served name or the LoRA adapter), counted before scheduling.',
        [...m.requests].map(([model, n]) => [{ model }, n]),
      );
      metric(
        'lorag_sim_requests_waited_total',
        'counter',
        'Requests that could not start at once, by reason: lora_slots (max-loras distinct adapters busy) or max_num_seqs.',
        [...m.waited].map(([reason, n]) => [{ reason }, n]),
      );
      metric(
        'lorag_sim_lora_load_requests_total',
        'counter',
        'Calls to /v1/load_lora_adapter per lora_name, failed ones included.',
        [...m.loadRequests].map(([name, n]) => [{ lora_name: name }, n]),
      );
      return `${out.join('\n')}\n`;
    },
  };
  return m;
}
