/**
 * @module upstream/vllm-metrics — reads the few vLLM gauges replica choice needs from Prometheus text.
 * `vllm:lora_requests_info` is a gauge whose value is a Unix timestamp; every label combination is a new
 * series that is never removed, so the series with the largest value is the current one. In current vLLM
 * `running_lora_adapters == waiting_lora_adapters` (both hold every adapter with requests in flight); older
 * builds kept them apart — the union is right for both.
 */
export interface VllmMetrics {
  maxLoras: number | null;
  activeAdapters: Set<string>;
  running: number | null;
  waiting: number | null;
  kvCacheUsage: number | null;
}

const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const m of text.matchAll(label)) out[m[1]] = m[2].replace(/\\(.)/g, '$1');
  return out;
}

function splitList(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

export function parseVllmMetrics(text: string): VllmMetrics {
  let loraTs = -Infinity;
  let loraLabels: Record<string, string> | null = null;
  let running: number | null = null;
  let waiting: number | null = null;
  let kvNew: number | null = null;
  let kvOld: number | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = sample.exec(line);
    if (!m) continue;
    const [, name, , labels, raw] = m;
    const value = Number(raw);
    if (name === 'vllm:lora_requests_info') {
      const l = parseLabels(labels);
      if (value > loraTs) {
        loraTs = value;
        loraLabels = l;
      }
    } else if (name === 'vllm:num_requests_running') running = (running ?? 0) + value;
    else if (name === 'vllm:num_requests_waiting') waiting = (waiting ?? 0) + value;
    else if (name === 'vllm:kv_cache_usage_perc') kvNew = value;
    else if (name === 'vllm:gpu_cache_usage_perc') kvOld = value;
  }
  const active = new Set([
    ...splitList(loraLabels?.running_lora_adapters),
    ...splitList(loraLabels?.waiting_lora_adapters),
  ]);
  const maxLoras = loraLabels?.max_lora ? Number.parseInt(loraLabels.max_lora, 10) : Number.NaN;
  return {
    maxLoras: Number.isFinite(maxLoras) ? maxLoras : null,
    activeAdapters: active,
    running,
    waiting,
    kvCacheUsage: kvNew ?? kvOld,
  };
}
