/**
 * @module http/generation-context — the per-request facts the generation route gathers as it goes (each set
 * once, by the route, in stage order), and the response headers derived from them (design.md "Headers").
 * How the request ended is not here: that is the scope's outcome (request-scope.ts).
 */
import type { Principal } from '../auth/authenticate.ts';
import type { CacheStatus } from '../cache/types.ts';
import type { Endpoint, GenerationRequest } from '../openai/requests.ts';
import type { Citation } from '../openai/responses.ts';
import type { Plan } from '../routing/plan.ts';
import type { RequestSpan } from '../telemetry/request-span.ts';
import type { UpstreamSpan } from '../telemetry/upstream-span.ts';

export type Degradation = 'cache' | 'limits' | 'retrieval' | 'adapter';

export interface GenerationContext {
  readonly requestId: string;
  readonly endpoint: Endpoint;
  readonly principal: Principal;
  readonly body: GenerationRequest;
  readonly startedAt: number;
  readonly span?: RequestSpan;
  readonly degraded: Set<Degradation>;
  plan?: Plan;
  cache?: CacheStatus;
  replica?: string;
  citations: Citation[];
  rateLimitHeaders: Record<string, string>;
  upstreamSpan?: UpstreamSpan;
}

const degradedOrder: readonly Degradation[] = ['cache', 'limits', 'retrieval', 'adapter'];

export function responseHeaders(ctx: GenerationContext): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': ctx.requestId, ...ctx.rateLimitHeaders };
  if (ctx.plan) {
    h['x-lorag-adapter'] = ctx.degraded.has('adapter') ? 'base' : ctx.plan.adapterLabel;
    h['x-lorag-strategy'] = ctx.plan.strategy;
  }
  if (ctx.cache) h['x-lorag-cache'] = ctx.cache;
  if (ctx.replica) h['x-lorag-replica'] = ctx.replica;
  if (ctx.degraded.size)
    h['x-lorag-degraded'] = [
      ...degradedOrder.filter((d) => ctx.degraded.has(d)),
      ...(ctx.rateLimitHeaders['x-lorag-degraded'] ? ['budget'] : []),
    ].join(',');
  return h;
}

/** OpenAI's rule, and vLLM 0.32's as observed: the usage chunk only with `stream_options.include_usage: true`. */
export function clientWantsUsage(body: GenerationRequest): boolean {
  return body.stream_options?.include_usage === true;
}
