/**
 * @module http/finish-request — the last ending of every generation request: its spans, the usage ledger,
 * metrics and the one log line, from the request's facts and its outcome.
 */
import { setLoragAttributes } from '../telemetry/spans.ts';
import type { Deps } from './deps.ts';
import type { GenerationContext } from './generation-context.ts';
import type { Outcome } from './request-scope.ts';

export function finishRequest(deps: Deps, ctx: GenerationContext, outcome: Outcome): void {
  const { principal, plan } = ctx;
  const { status, usage } = outcome;
  const adapter = ctx.degraded.has('adapter') ? 'base' : (plan?.adapterLabel ?? null);
  endSpans(ctx, outcome, adapter);
  if (status === 200 && ctx.cache !== 'hit' && ctx.cache !== 'coalesced') {
    deps.ledger.record({ tenantId: principal.tenantId, adapter: adapter ?? 'base', keyName: principal.keyName, usage });
  }
  deps.observer.requestFinished({
    requestId: ctx.requestId,
    endpoint: ctx.endpoint,
    tenant: principal.tenantId,
    adapter,
    strategy: plan?.strategy ?? null,
    cache: ctx.cache ?? null,
    replica: ctx.replica ?? null,
    status,
    durationMs: performance.now() - ctx.startedAt,
    ttftMs: outcome.firstByteMs ?? null,
    usage,
    degraded: [...ctx.degraded],
    citations: ctx.citations.length,
    responseId: outcome.responseId,
    content: principal.tenant.log_content
      ? { request: 'messages' in ctx.body ? ctx.body.messages : ctx.body.prompt, response: outcome.content?.() ?? '' }
      : undefined,
  });
}

function endSpans(ctx: GenerationContext, outcome: Outcome, adapter: string | null): void {
  if (ctx.upstreamSpan) {
    ctx.upstreamSpan.response({
      model: ctx.plan?.upstreamModel,
      inputTokens: outcome.usage?.prompt_tokens,
      outputTokens: outcome.usage?.completion_tokens,
    });
    ctx.upstreamSpan.end(outcome.status >= 500 ? new Error(`status ${outcome.status}`) : undefined);
  }
  if (ctx.span) {
    setLoragAttributes(ctx.span.span, {
      tenant: ctx.principal.tenantId,
      adapter: adapter ?? undefined,
      strategy: ctx.plan?.strategy,
      cache: ctx.cache,
      replica: ctx.replica,
      citations: ctx.citations.length,
      degraded: [...ctx.degraded],
    });
    ctx.span.finish(outcome.status);
  }
}
