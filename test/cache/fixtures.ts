/** Shared request fixtures for the cache and limits tests. */

import type { CacheBeginInput, CachedCompletion } from '../../src/cache/types.ts';
import { parseConfig } from '../../src/config/load.ts';
import { type Config, type TenantConfig, tenantSchema } from '../../src/config/schema.ts';
import type { GenerationRequest } from '../../src/openai/requests.ts';
import type { Plan } from '../../src/routing/plan.ts';

export function testConfig(over: Record<string, unknown> = {}): Config {
  return parseConfig({
    upstreams: { base_models: [{ name: 'qwen', replicas: [{ url: 'http://127.0.0.1:1' }] }] },
    tenants: { acme: {}, globex: {} },
    ...over,
  });
}

export const tenant = (over: Record<string, unknown> = {}): TenantConfig => tenantSchema.parse(over);

export function plan(over: Partial<Plan> = {}): Plan {
  return {
    tenantId: 'acme',
    requestedModel: 'legal',
    adapter: { name: 'legal', version: '3', id: 'legal@3', source: 's', baseModel: 'qwen', rank: 8 },
    baseModel: 'qwen',
    strategy: 'lora',
    retrieval: false,
    collections: [],
    topK: 4,
    upstreamModel: 'legal@3',
    adapterLabel: 'legal@3',
    ...over,
  };
}

export function beginInput(
  over: Partial<CacheBeginInput> & { content?: string; temperature?: number } = {},
): CacheBeginInput {
  const { content = 'What is a tort?', temperature = 0, ...rest } = over;
  return {
    tenantId: 'acme',
    tenant: tenant(),
    plan: plan(),
    endpoint: 'chat',
    body: { model: 'legal', messages: [{ role: 'user', content }], temperature } as GenerationRequest,
    revisions: {},
    cacheControl: undefined,
    ...rest,
  };
}

export function answer(text: string): CachedCompletion {
  const completion = {
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1,
    model: 'legal@3',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  };
  return { endpoint: 'chat', chunks: null, completion, usage: completion.usage, citations: [] };
}
