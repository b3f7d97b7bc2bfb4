/**
 * @module http/routes/generation — POST /v1/chat/completions and /v1/completions: the request path of
 * design.md, stage by stage: limits → plan → cache → retrieval → replica + adapter → vLLM → answer.
 */

import type { ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import { GatewayError } from '../../errors/gateway-error.ts';
import {
  chatCompletionRequestSchema,
  completionRequestSchema,
  type Endpoint,
  type GenerationRequest,
  lastUserText,
} from '../../openai/requests.ts';
import { autoScores } from '../../routing/auto-scores.ts';
import { plan as makePlan } from '../../routing/plan.ts';
import { injectTraceHeaders } from '../../telemetry/propagation.ts';
import { stageSpan } from '../../telemetry/spans.ts';
import { startUpstreamSpan } from '../../telemetry/upstream-span.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { clientWantsUsage, estimateTokens, type GenerationContext } from '../generation-context.ts';
import { header } from '../header.ts';
import { readJson, validate } from '../read-body.ts';
import { callUpstream } from '../upstream-call.ts';
import { finishRequest, respondFromCache, respondJson, respondStream } from './generation-respond.ts';

export function generationRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/chat/completions', (c) => handleGeneration(c, deps, 'chat'));
  app.post('/completions', (c) => handleGeneration(c, deps, 'completions'));
  return app;
}

async function handleGeneration(c: Context<AppEnv>, deps: Deps, endpoint: Endpoint): Promise<Response> {
  const state = deps.current();
  const principal = c.get('principal');
  const raw = await readJson(c, state.config.server.body_limit_bytes);
  const body = validate(
    endpoint === 'chat' ? chatCompletionRequestSchema : completionRequestSchema,
    raw,
  ) as GenerationRequest;
  if (body.stream_options != null && !body.stream) {
    throw new GatewayError('invalid_value', 'Stream options can only be defined when `stream=True`.', {
      param: 'stream_options',
    });
  }
  const ctx: GenerationContext = {
    requestId: c.get('requestId'),
    endpoint,
    principal,
    body,
    startedAt: c.get('startedAt'),
    degraded: new Set(),
    citations: [],
    usage: null,
    ttftMs: null,
    rateLimitHeaders: {},
    span: c.get('requestSpan'),
  };
  const { tenantId, tenant } = principal;
  deps.observer.requestStarted(tenantId);
  c.set('recorded', true);

  let admission: Awaited<ReturnType<Deps['limits']['admit']>>;
  try {
    admission = await stageSpan('limits', undefined, () =>
      deps.limits.admit({ tenantId, tenant, estimatedTokens: estimateTokens(body) }),
    );
  } catch (err) {
    if ((err as GatewayError).code === 'rate_limit_exceeded') deps.observer.rateLimited(tenantId);
    finishRequest(deps, ctx, (err as GatewayError).status ?? 500);
    throw err;
  }
  ctx.rateLimitHeaders = admission.headers;
  if (admission.degraded) ctx.degraded.add('limits');

  const abort = new AbortController();
  onClientGone(c, () => abort.abort());
  let session: Awaited<ReturnType<Deps['cache']['begin']>> | undefined;
  try {
    const scores =
      body.model === 'auto'
        ? await autoScores(
            lastUserText(body),
            tenant.adapters.map((n) => state.registry.get(n)).filter((m) => m !== undefined),
            deps.embedder,
            abort.signal,
          )
        : undefined;
    const plan = await stageSpan('plan', undefined, () =>
      makePlan({
        tenantId,
        tenant,
        config: state.config,
        registry: state.registry,
        model: body.model,
        extension: body.lorag,
        strategyHeader: header(c, 'x-lorag-strategy'),
        stickyKey: body.user ?? principal.keyName,
        autoScores: scores,
      }),
    );
    ctx.plan = plan;

    const revisions = plan.retrieval ? await deps.retrieval.revisions(tenantId, plan.collections) : {};
    session = await stageSpan('cache', undefined, () =>
      deps.cache.begin({
        tenantId,
        tenant,
        plan,
        endpoint,
        body,
        revisions,
        cacheControl: header(c, 'cache-control'),
      }),
    );
    ctx.cache = session.status;
    if (session.degraded) ctx.degraded.add('cache');
    deps.observer.cacheResult(tenantId, session.status);
    if (session.entry) {
      admission.settle({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
      return respondFromCache(c, deps, ctx, session.entry);
    }

    let upstreamBody = body;
    if (plan.retrieval) {
      const t0 = performance.now();
      const retrieved = await stageSpan('retrieve', undefined, () =>
        deps.retrieval.retrieve({
          tenantId,
          tenant,
          plan,
          endpoint,
          body,
          maxModelLen: deps.pool.maxModelLen(plan.baseModel),
          signal: abort.signal,
        }),
      );
      deps.observer.retrieval(tenantId, (performance.now() - t0) / 1000);
      upstreamBody = retrieved.body;
      ctx.citations = retrieved.citations;
      if (retrieved.degraded) ctx.degraded.add('retrieval');
    }

    const { lorag: _extension, ...forwarded } = upstreamBody as GenerationRequest & { lorag?: unknown };
    if (forwarded.stream) {
      // Always ask vLLM for usage (limits, cache and metrics need it); the client gets it only if it asked.
      forwarded.stream_options = { ...(forwarded.stream_options ?? {}), include_usage: true };
    }
    const path = endpoint === 'chat' ? '/v1/chat/completions' : '/v1/completions';
    ctx.upstreamSpan = startUpstreamSpan({
      operation: endpoint === 'chat' ? 'chat' : 'text_completion',
      model: plan.upstreamModel,
      maxTokens: body.max_tokens ?? undefined,
      temperature: body.temperature ?? undefined,
      stream: Boolean(body.stream),
    });
    const answer = await callUpstream(
      deps.pool,
      deps.observer,
      plan,
      tenant,
      path,
      (model) => JSON.stringify({ ...forwarded, model }),
      abort.signal,
      injectTraceHeaders({ 'x-request-id': ctx.requestId }, ctx.upstreamSpan.context),
      Boolean(body.stream),
    );
    ctx.upstreamSpan.span.setAttribute('lorag.replica', answer.lease.replica.id);
    ctx.replica = answer.lease.replica.id;
    if (answer.lease.degradedToBase) ctx.degraded.add('adapter');
    const record = session.status === 'miss';
    const finish = { admission, session, record, wantsUsage: clientWantsUsage(body) };
    return body.stream
      ? respondStream(c, deps, ctx, answer, abort, finish)
      : await respondJson(c, deps, ctx, answer, finish);
  } catch (err) {
    session?.abandon();
    admission.settle(null);
    finishRequest(deps, ctx, err instanceof GatewayError ? err.status : abort.signal.aborted ? 499 : 500);
    throw err;
  }
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
