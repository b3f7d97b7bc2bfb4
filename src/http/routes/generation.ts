/**
 * @module http/routes/generation — POST /v1/chat/completions and /v1/completions, and `runGeneration`, the
 * request path of design.md that every generation surface shares (the Responses API too, with its own
 * presenter): limits → plan → cache → retrieval → upstream (replica, adapter, vLLM) → answer. Each stage that
 * takes something registers its ending on the request scope; one `finally` ends the request.
 */

import type { ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import type { CacheBeginInput, CacheLookahead, CacheSession } from '../../cache/types.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import {
  chatCompletionRequestSchema,
  completionRequestSchema,
  type Endpoint,
  type GenerationRequest,
  lastUserText,
} from '../../openai/requests.ts';
import type { Usage } from '../../openai/responses.ts';
import { estimateRequestTokens } from '../../openai/token-estimate.ts';
import { autoScores } from '../../routing/auto-scores.ts';
import { plan as makePlan, type Plan } from '../../routing/plan.ts';
import { injectTraceHeaders } from '../../telemetry/propagation.ts';
import { stageSpan } from '../../telemetry/spans.ts';
import { startUpstreamSpan } from '../../telemetry/upstream-span.ts';
import type { LeaseOutcome } from '../../upstream/replica-pool.ts';
import { send } from '../../upstream/send.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { finishRequest } from '../finish-request.ts';
import type { GenerationContext } from '../generation-context.ts';
import { header } from '../header.ts';
import { completionPresenter, type Presenter } from '../presenter.ts';
import { readJson, validate } from '../read-body.ts';
import { failedOutcome, type Outcome, RequestScope } from '../request-scope.ts';
import { type Responded, respondFromCache, respondJson, respondStream } from './generation-respond.ts';

export function generationRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/chat/completions', (c) => handleGeneration(c, deps, 'chat'));
  app.post('/completions', (c) => handleGeneration(c, deps, 'completions'));
  return app;
}

async function handleGeneration(c: Context<AppEnv>, deps: Deps, endpoint: Endpoint): Promise<Response> {
  const raw = await readJson(c, deps.current().config.server.body_limit_bytes);
  const schema = endpoint === 'chat' ? chatCompletionRequestSchema : completionRequestSchema;
  const body = validate(schema, raw) as GenerationRequest;
  if (body.stream_options != null && !body.stream) {
    throw new GatewayError('invalid_value', 'Stream options can only be defined when `stream=True`.', {
      param: 'stream_options',
    });
  }
  return runGeneration(c, deps, { endpoint, body, presenter: completionPresenter });
}

export interface GenerationInput {
  endpoint: Endpoint;
  /** The validated request, `lorag` extension included. */
  body: GenerationRequest;
  /** How the answer is written for the client. */
  presenter: Presenter;
}

/** Serves one validated generation request; the request ends (settled, stored, logged) exactly once. */
export async function runGeneration(c: Context<AppEnv>, deps: Deps, input: GenerationInput): Promise<Response> {
  const ctx: GenerationContext = {
    requestId: c.get('requestId'),
    endpoint: input.endpoint,
    principal: c.get('principal'),
    body: input.body,
    startedAt: c.get('startedAt'),
    span: c.get('requestSpan'),
    degraded: new Set(),
    citations: [],
    rateLimitHeaders: {},
  };
  const scope = new RequestScope();
  scope.onEnd((outcome) =>
    finishRequest(deps, ctx, { ...outcome, responseId: input.presenter.responseId ?? outcome.responseId }),
  );
  deps.observer.requestStarted(ctx.principal.tenantId);
  c.set('recorded', true);
  const abort = new AbortController();
  onClientGone(c, () => abort.abort());
  let outcome: Outcome | Promise<Outcome> = failedOutcome(500);
  try {
    const responded = await serve(c, deps, ctx, scope, input.presenter, abort);
    outcome = responded.outcome;
    return responded.response;
  } catch (err) {
    const status = err instanceof GatewayError ? err.status : abort.signal.aborted ? 499 : 500;
    const upstream = (err as { upstream?: LeaseOutcome }).upstream ?? (abort.signal.aborted ? 'aborted' : 'ok');
    outcome = { ...failedOutcome(status, (err as Error).message), upstream };
    throw err;
  } finally {
    void Promise.resolve(outcome).then(
      (o) => scope.end(o),
      (err: Error) => scope.end(failedOutcome(500, err.message)),
    );
  }
}

async function serve(
  c: Context<AppEnv>,
  deps: Deps,
  ctx: GenerationContext,
  scope: RequestScope,
  presenter: Presenter,
  abort: AbortController,
): Promise<Responded> {
  // Planning a named model is pure work, so it goes first and the cache lookup (a Redis round trip with the
  // shared cache) runs while the limiter answers. `auto` embeds the prompt: that waits for the admission.
  const early = ctx.body.model !== 'auto' ? await planRequest(c, deps, ctx, abort.signal) : null;
  const earlyInput = early ? await cacheInput(c, deps, ctx, early) : undefined;
  const lookahead = earlyInput ? deps.cache.lookahead?.(earlyInput) : undefined;
  await admit(deps, ctx, scope);
  const plan = early ?? (await planRequest(c, deps, ctx, abort.signal));
  ctx.plan = plan;
  const session = await openCacheSession(c, deps, ctx, plan, scope, earlyInput && { input: earlyInput, lookahead });
  if (session.entry) {
    ctx.citations = session.entry.citations;
    return respondFromCache(c, ctx, session.entry, presenter);
  }
  const upstreamBody = plan.retrieval ? await retrieve(deps, ctx, plan, abort.signal) : ctx.body;
  const answer = await callModel(deps, ctx, plan, upstreamBody, abort.signal);
  scope.onEnd((o) => answer.release(o.upstream, o.error));
  if (!ctx.body.stream) return respondJson(c, ctx, answer, presenter);
  return respondStream(c, ctx, answer, presenter, {
    record: session.status === 'miss',
    abort: () => abort.abort(),
    onFirstByte: () => ctx.upstreamSpan?.firstToken(),
  });
}

async function admit(deps: Deps, ctx: GenerationContext, scope: RequestScope): Promise<void> {
  const { tenantId, tenant } = ctx.principal;
  const estimatedTokens = estimateRequestTokens(ctx.body);
  try {
    const admission = await stageSpan('limits', undefined, () =>
      deps.limits.admit({ tenantId, tenant, estimatedTokens, keyName: ctx.principal.keyName, model: ctx.body.model }),
    );
    // Settled with what the request really cost: its usage, nothing for a hit, the estimate back when nothing was
    // generated. A stream that broke off after its first byte without a usage chunk keeps its estimate: a client
    // that leaves just before the usage arrives does not get its tokens for free.
    const started: Usage = { prompt_tokens: estimatedTokens, completion_tokens: 0, total_tokens: estimatedTokens };
    scope.onEnd((o) => admission.settle(o.charged ?? (o.firstByteMs != null ? started : null)));
    ctx.rateLimitHeaders = admission.headers;
    if (admission.degraded) ctx.degraded.add('limits');
  } catch (err) {
    if ((err as GatewayError).code === 'rate_limit_exceeded') deps.observer.rateLimited(tenantId);
    throw err;
  }
}

async function planRequest(c: Context<AppEnv>, deps: Deps, ctx: GenerationContext, signal: AbortSignal): Promise<Plan> {
  const state = deps.current();
  const { tenantId, tenant, keyName } = ctx.principal;
  const body = ctx.body;
  const scores =
    body.model === 'auto'
      ? await autoScores(
          lastUserText(body),
          tenant.adapters.map((n) => state.registry.get(n)).filter((m) => m !== undefined),
          deps.embedder,
          signal,
        )
      : undefined;
  return stageSpan('plan', undefined, () =>
    makePlan({
      tenantId,
      tenant,
      config: state.config,
      registry: state.registry,
      model: body.model,
      extension: body.lorag,
      strategyHeader: header(c, 'x-lorag-strategy'),
      stickyKey: body.user ?? keyName,
      autoScores: scores,
    }),
  );
}

async function cacheInput(
  c: Context<AppEnv>,
  deps: Deps,
  ctx: GenerationContext,
  plan: Plan,
): Promise<CacheBeginInput> {
  const { tenantId, tenant } = ctx.principal;
  const revisions = plan.retrieval ? await deps.retrieval.revisions(tenantId, plan.collections) : {};
  return {
    tenantId,
    tenant,
    plan,
    endpoint: ctx.endpoint,
    body: ctx.body,
    revisions,
    cacheControl: header(c, 'cache-control'),
  };
}

async function openCacheSession(
  c: Context<AppEnv>,
  deps: Deps,
  ctx: GenerationContext,
  plan: Plan,
  scope: RequestScope,
  early?: { input: CacheBeginInput; lookahead: CacheLookahead | undefined },
): Promise<CacheSession> {
  const { tenantId } = ctx.principal;
  // The look-ahead's input (same revisions) when there was one, so its key is the session's key.
  const input = early?.input ?? (await cacheInput(c, deps, ctx, plan));
  const session = await stageSpan('cache', undefined, () => deps.cache.begin(input, early?.lookahead));
  // A complete answer is stored (and wakes coalesced followers); anything else wakes them with nothing.
  scope.onEnd((o) => (o.entry && session.status === 'miss' ? void session.complete(o.entry) : session.abandon()));
  ctx.cache = session.status;
  if (session.degraded) ctx.degraded.add('cache');
  deps.observer.cacheResult(tenantId, session.status);
  return session;
}

async function retrieve(deps: Deps, ctx: GenerationContext, plan: Plan, signal: AbortSignal) {
  const t0 = performance.now();
  const retrieved = await stageSpan('retrieve', undefined, () =>
    deps.retrieval.retrieve({
      tenantId: ctx.principal.tenantId,
      tenant: ctx.principal.tenant,
      plan,
      endpoint: ctx.endpoint,
      body: ctx.body,
      maxModelLen: deps.pool.maxModelLen(plan.baseModel),
      signal,
    }),
  );
  deps.observer.retrieval(ctx.principal.tenantId, (performance.now() - t0) / 1000);
  ctx.citations = retrieved.citations;
  if (retrieved.degraded) ctx.degraded.add('retrieval');
  return retrieved.body;
}

async function callModel(
  deps: Deps,
  ctx: GenerationContext,
  plan: Plan,
  upstreamBody: GenerationRequest,
  signal: AbortSignal,
) {
  const { lorag: _extension, model: _model, ...forwarded } = upstreamBody as GenerationRequest & { lorag?: unknown };
  const stream = Boolean(ctx.body.stream);
  // Always ask vLLM for usage (limits, cache and metrics need it); the client gets it only if it asked.
  const body = stream
    ? { ...forwarded, stream_options: { ...(forwarded.stream_options ?? {}), include_usage: true } }
    : forwarded;
  const upstreamSpan = startUpstreamSpan({
    operation: ctx.endpoint === 'chat' ? 'chat' : 'text_completion',
    model: plan.upstreamModel,
    maxTokens: ctx.body.max_tokens ?? undefined,
    temperature: ctx.body.temperature ?? undefined,
    stream,
  });
  ctx.upstreamSpan = upstreamSpan;
  const answer = await send(
    deps.pool,
    {
      plan,
      path: ctx.endpoint === 'chat' ? '/v1/chat/completions' : '/v1/completions',
      body,
      stream,
      signal,
      headers: injectTraceHeaders({ 'x-request-id': ctx.requestId }, upstreamSpan.context),
      onAdapterFailure: ctx.principal.tenant.on_adapter_failure,
    },
    { upstreamError: (replica, kind) => deps.observer.upstreamError(replica, kind) },
  );
  upstreamSpan.span.setAttribute('lorag.replica', answer.replicaId);
  ctx.replica = answer.replicaId;
  if (answer.degradedToBase) ctx.degraded.add('adapter');
  return answer;
}

/** Aborts the upstream call when the client disconnects before the answer is complete. */
function onClientGone(c: Context, abort: () => void): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) {
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) abort();
    });
  } else {
    c.req.raw.signal?.addEventListener('abort', abort, { once: true });
  }
}
