/**
 * @module cache/key — the response cache key: sha256 over canonical JSON of everything that can change the
 * answer (design.md "Cache"). Canonical means keys sorted at every depth, `null`/absent treated alike, and a
 * parameter at its default treated as absent — so `{"temperature":0}` and `{"temperature":0,"top_p":1}` share a
 * key. Fields that cannot change the output (`user`, `stream`, `stream_options`, `model` — replaced by the
 * resolved adapter — and the `lorag` extension, whose effect is in the plan) are left out. Pure.
 */
import { hash } from 'node:crypto';
import type { Endpoint, GenerationRequest } from '../openai/requests.ts';
import type { Plan } from '../routing/plan.ts';

/** Never part of the key: they do not change what the model says. */
const IRRELEVANT = new Set(['model', 'user', 'stream', 'stream_options', 'lorag', 'metadata', 'store', 'service_tier']);

/** Sampling defaults of the OpenAI API and of vLLM's extra parameters; a field at its default is dropped. */
const DEFAULTS: Record<string, unknown> = {
  temperature: 1,
  top_p: 1,
  n: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  logprobs: false,
  echo: false,
  top_k: -1,
  min_p: 0,
  repetition_penalty: 1,
  ignore_eos: false,
  skip_special_tokens: true,
};

/** JSON with object keys sorted at every depth; `undefined` and `null` members are omitted. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  // Built by concatenation (no part arrays): this runs over every message of every request.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i] ?? null);
    return `${out}]`;
  }
  if (typeof value === 'object') {
    let out = '{';
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === null || v === undefined) continue;
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
    }
    return `${out}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

/** The request's output-affecting parameters, normalised (aliases folded, defaults dropped). */
export function normalizeRequest(body: GenerationRequest): Record<string, unknown> {
  // No prototype: a body member named `__proto__` (JSON.parse makes it an own key) stays a member here
  // instead of becoming `out`'s prototype and dropping out of the key.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(body)) {
    if (IRRELEVANT.has(k) || v === null || v === undefined) continue;
    out[k] = v;
  }
  // Chat's newer name for the same limit.
  if (out.max_completion_tokens !== undefined) {
    out.max_tokens = out.max_completion_tokens;
    delete out.max_completion_tokens;
  }
  if (typeof out.stop === 'string') out.stop = [out.stop];
  if (Array.isArray(out.stop) && out.stop.length === 0) delete out.stop;
  if (Array.isArray(out.tools) && out.tools.length === 0) delete out.tools;
  for (const [k, d] of Object.entries(DEFAULTS)) if (out[k] === d) delete out[k];
  return out;
}

export interface CacheKeyInput {
  tenantId: string;
  plan: Plan;
  endpoint: Endpoint;
  body: GenerationRequest;
  revisions: Record<string, number>;
}

/** The canonical JSON the key hashes (exported so that tests and debugging can see it). */
export function keyMaterial(input: CacheKeyInput): string {
  const { plan } = input;
  const knowledge = plan.retrieval
    ? {
        top_k: plan.topK,
        revisions: Object.fromEntries([...plan.collections].sort().map((c) => [c, input.revisions[c] ?? 0])),
      }
    : null;
  return canonicalJson({
    v: 1,
    tenant: input.tenantId,
    endpoint: input.endpoint,
    base_model: plan.baseModel,
    adapter: plan.adapterLabel,
    strategy: plan.strategy,
    knowledge,
    request: normalizeRequest(input.body),
  });
}

/** 64 hex digits; the store namespaces it under the tenant. */
export function cacheKey(input: CacheKeyInput): string {
  return hash('sha256', keyMaterial(input), 'hex');
}
