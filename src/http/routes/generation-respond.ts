/**
 * @module http/routes/generation-respond — the three ways a generation answer leaves the gateway (vLLM's JSON,
 * vLLM's SSE stream relayed, or a cached answer replayed), and the bookkeeping every request ends with:
 * limits settled with real usage, the cache entry stored, the usage ledger, metrics and the request log.
 */
import type { Context } from 'hono';
import { completionOf, entryFromChunks, entryFromCompletion, replayChunks } from '../../cache/replay.ts';
import type { CachedCompletion, CacheSession } from '../../cache/types.ts';
import type { Admission } from '../../limits/types.ts';
import type { Usage } from '../../openai/responses.ts';
import { annotate } from '../../rag/annotate.ts';
import { setLoragAttributes } from '../../telemetry/spans.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { clientWantsUsage, type GenerationContext, responseHeaders } from '../generation-context.ts';
import { sendJson } from '../send-json.ts';
import { relaySse } from '../sse-relay.ts';
import { openStream } from '../stream-sink.ts';
import type { UpstreamAnswer } from '../upstream-call.ts';

export interface FinishParts {
  admission: Admission;
  session: CacheSession;
  /** Store the answer in the cache when it completes. */
  record: boolean;
  wantsUsage: boolean;
}

type Json = Record<string, any>;

export async function respondJson(
  c: Context<AppEnv>,
  deps: Deps,
  ctx: GenerationContext,
  answer: UpstreamAnswer,
  parts: FinishParts,
): Promise<Response> {
  let text: string;
  try {
    text = await answer.res.body.text();
  } catch (err) {
    answer.lease.release('failed', (err as Error).message);
    throw err;
  }
  answer.lease.release('ok');
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    parts.session.abandon();
    parts.admission.settle(null);
    finishRequest(deps, ctx, 502);
    return c.json(
      {
        error: {
          message: 'The model server sent an unreadable answer.',
          type: 'server_error',
          param: null,
          code: 'upstream_error',
        },
      },
      502,
    );
  }
  ctx.usage = (json.usage as Usage) ?? null;
  if (ctx.citations.length) {
    json.citations = ctx.citations;
    const unknown = new Set<number>();
    for (const choice of json.choices ?? []) {
      const content = ctx.endpoint === 'chat' ? choice.message?.content : choice.text;
      const { annotations, unknownMarkers } = annotate(typeof content === 'string' ? content : '', ctx.citations);
      if (ctx.endpoint === 'chat' && choice.message) choice.message.annotations = annotations;
      else choice.annotations = annotations;
      for (const m of unknownMarkers) unknown.add(m);
    }
    if (unknown.size) json.lorag = { unknown_citation_markers: [...unknown].sort((a, b) => a - b) };
    text = JSON.stringify(json);
  }
  parts.admission.settle(ctx.usage);
  if (parts.record) void parts.session.complete(entryFromCompletion(ctx.endpoint, json));
  ctx.ttftMs = performance.now() - ctx.startedAt;
  finishRequest(deps, ctx, 200, () => contentOf(json, ctx));
  return sendJson(c, 200, text, responseHeaders(ctx));
}

export function respondStream(
  c: Context<AppEnv>,
  deps: Deps,
  ctx: GenerationContext,
  answer: UpstreamAnswer,
  abort: AbortController,
  parts: FinishParts,
): Response {
  const { sink, response } = openStream(c, responseHeaders(ctx));
  c.set('spanDeferred', true);
  sink.onAbort(() => abort.abort());
  void relaySse(answer.stream ?? answer.res.body, sink, {
    chat: ctx.endpoint === 'chat',
    clientWantsUsage: parts.wantsUsage,
    citations: ctx.citations,
    record: parts.record,
    // The streamed text is only needed for the request log's content (tenant opt-in); parsing every chunk
    // for it costs ~10% of a stream's CPU (load/README.md).
    collectText: ctx.principal.tenant.log_content,
    onFirstByte: () => {
      ctx.ttftMs = performance.now() - ctx.startedAt;
      ctx.upstreamSpan?.firstToken();
    },
  }).then((result) => {
    sink.end();
    if (!result.complete) answer.res.body.destroy();
    ctx.usage = result.usage;
    answer.lease.release(result.complete ? 'ok' : sink.closed ? 'aborted' : 'failed', result.error ?? undefined);
    parts.admission.settle(result.usage);
    if (result.complete && parts.record) {
      void parts.session.complete(
        entryFromChunks(ctx.endpoint, result.chunks, { usage: result.usage, citations: ctx.citations }),
      );
    } else if (!result.complete) parts.session.abandon();
    finishRequest(deps, ctx, result.complete ? 200 : sink.closed ? 499 : 502, () => result.texts.join('\n'));
  });
  return response;
}

export function respondFromCache(
  c: Context<AppEnv>,
  deps: Deps,
  ctx: GenerationContext,
  entry: CachedCompletion,
): Response {
  ctx.usage = entry.usage;
  ctx.citations = entry.citations;
  ctx.ttftMs = performance.now() - ctx.startedAt;
  finishRequest(deps, ctx, 200, () => contentOf(completionOf(entry), ctx));
  if (!ctx.body.stream) {
    return sendJson(c, 200, JSON.stringify(completionOf(entry)), responseHeaders(ctx));
  }
  const { sink, response } = openStream(c, responseHeaders(ctx));
  let out = '';
  for (const chunk of replayChunks(entry, { includeUsage: clientWantsUsage(ctx.body) })) out += `data: ${chunk}\n\n`;
  sink.write(`${out}data: [DONE]\n\n`);
  sink.end();
  return response;
}

function contentOf(json: Json, ctx: GenerationContext): string {
  const choices: Json[] = json.choices ?? [];
  return choices.map((ch) => (ctx.endpoint === 'chat' ? (ch.message?.content ?? '') : (ch.text ?? ''))).join('\n');
}

/** Metrics, usage ledger and the one log line per request. */
/** `answer` is only called for tenants that opted into content logging. */
export function finishRequest(deps: Deps, ctx: GenerationContext, status: number, answer?: () => string): void {
  const { principal, plan } = ctx;
  const adapter = ctx.degraded.has('adapter') ? 'base' : (plan?.adapterLabel ?? null);
  endSpans(ctx, status, adapter);
  if (status === 200 && ctx.cache !== 'hit' && ctx.cache !== 'coalesced') {
    deps.ledger.record({
      tenantId: principal.tenantId,
      adapter: adapter ?? 'base',
      keyName: principal.keyName,
      usage: ctx.usage,
    });
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
    ttftMs: ctx.ttftMs,
    usage: ctx.usage,
    degraded: [...ctx.degraded],
    citations: ctx.citations.length,
    content: principal.tenant.log_content
      ? { request: 'messages' in ctx.body ? ctx.body.messages : ctx.body.prompt, response: answer?.() ?? '' }
      : undefined,
  });
}

function endSpans(ctx: GenerationContext, status: number, adapter: string | null): void {
  if (ctx.upstreamSpan) {
    ctx.upstreamSpan.response({
      model: ctx.plan?.upstreamModel,
      inputTokens: ctx.usage?.prompt_tokens,
      outputTokens: ctx.usage?.completion_tokens,
    });
    ctx.upstreamSpan.end(status >= 500 ? new Error(`status ${status}`) : undefined);
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
    ctx.span.finish(status);
  }
}
