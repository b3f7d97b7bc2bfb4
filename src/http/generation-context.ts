/**
 * @module http/generation-context — the per-request facts the generation route gathers as it goes, and the
 * response headers derived from them (design.md "Headers").
 */
import type { Principal } from '../auth/authenticate.ts';
import type { CacheStatus } from '../cache/types.ts';
import type { Endpoint, GenerationRequest } from '../openai/requests.ts';
import type { Citation, Usage } from '../openai/responses.ts';
import type { Plan } from '../routing/plan.ts';
import type { RequestSpan } from '../telemetry/request-span.ts';
import type { UpstreamSpan } from '../telemetry/upstream-span.ts';

export interface GenerationContext {
  requestId: string;
  endpoint: Endpoint;
  principal: Principal;
  body: GenerationRequest;
  startedAt: number;
  plan?: Plan;
  cache?: CacheStatus;
  replica?: string;
  degraded: Set<'cache' | 'limits' | 'retrieval' | 'adapter'>;
  citations: Citation[];
  usage: Usage | null;
  ttftMs: number | null;
  rateLimitHeaders: Record<string, string>;
  span?: RequestSpan;
  upstreamSpan?: UpstreamSpan;
}

const degradedOrder = ['cache', 'limits', 'retrieval', 'adapter'] as const;

export function responseHeaders(ctx: GenerationContext): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': ctx.requestId, ...ctx.rateLimitHeaders };
  if (ctx.plan) {
    h['x-lorag-adapter'] = ctx.degraded.has('adapter') ? 'base' : ctx.plan.adapterLabel;
    h['x-lorag-strategy'] = ctx.plan.strategy;
  }
  if (ctx.cache) h['x-lorag-cache'] = ctx.cache;
  if (ctx.replica) h['x-lorag-replica'] = ctx.replica;
  if (ctx.degraded.size) h['x-lorag-degraded'] = degradedOrder.filter((d) => ctx.degraded.has(d)).join(',');
  return h;
}

/** Charged against tokens/min before the answer exists; settled with real usage afterwards. */
export function estimateTokens(body: GenerationRequest): number {
  const text = 'messages' in body ? JSON.stringify(body.messages) : JSON.stringify(body.prompt);
  const maxCompletion = (body as { max_completion_tokens?: number | null }).max_completion_tokens;
  const maxOut = maxCompletion ?? body.max_tokens ?? 256;
  return Math.ceil(text.length / 4) + maxOut * (body.n ?? 1);
}

/** OpenAI's rule, and vLLM 0.32's as observed: the usage chunk only with `stream_options.include_usage: true`. */
export function clientWantsUsage(body: GenerationRequest): boolean {
  return body.stream_options?.include_usage === true;
}
