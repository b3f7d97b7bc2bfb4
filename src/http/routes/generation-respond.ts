/**
 * @module http/routes/generation-respond — the three ways a generation answer leaves the gateway: vLLM's JSON,
 * vLLM's SSE stream relayed, or a cached answer replayed. Each writes the answer with the request's presenter
 * and returns how the request ended (an `Outcome`); none of them settles, stores or logs anything itself —
 * the request scope's endings do (generation.ts).
 */
import type { Context } from 'hono';
import { completionOf, entryFromChunks, entryFromCompletion, idOf, replayChunks } from '../../cache/replay.ts';
import type { CachedCompletion } from '../../cache/types.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { Usage } from '../../openai/responses.ts';
import { annotate } from '../../rag/annotate.ts';
import type { UpstreamAnswer } from '../../upstream/send.ts';
import { chatStreamTransform } from '../chat-stream-transform.ts';
import type { AppEnv } from '../env.ts';
import { clientWantsUsage, type GenerationContext, responseHeaders } from '../generation-context.ts';
import type { Presenter } from '../presenter.ts';
import { noUsage, type Outcome } from '../request-scope.ts';
import { sendJson } from '../send-json.ts';
import { relaySse } from '../sse-relay.ts';
import { openStream } from '../stream-sink.ts';

type Json = Record<string, any>;

export interface Responded {
  response: Response;
  /** Resolves when the answer has been written in full (at once for JSON, at the stream's end). */
  outcome: Promise<Outcome>;
}

export async function respondJson(
  c: Context<AppEnv>,
  ctx: GenerationContext,
  answer: UpstreamAnswer,
  presenter: Presenter,
): Promise<Responded> {
  let text: string;
  try {
    text = await answer.text();
  } catch (err) {
    throw Object.assign(new GatewayError('upstream_error', 'The model server broke off its answer.'), {
      upstream: 'failed' as const,
      cause: err,
    });
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError('upstream_error', 'The model server sent an unreadable answer.', { status: 502 });
  }
  const usage = (json.usage as Usage) ?? null;
  const changed = ctx.citations.length > 0;
  if (changed) attachCitations(json, ctx);
  const response = sendJson(c, 200, presenter.json(json, changed ? undefined : text), responseHeaders(ctx));
  const outcome: Outcome = {
    status: 200,
    usage,
    charged: usage,
    entry: entryFromCompletion(ctx.endpoint, json, changed ? undefined : text),
    upstream: 'ok',
    content: () => contentOf(json, ctx),
    responseId: typeof json.id === 'string' ? json.id : undefined,
    firstByteMs: performance.now() - ctx.startedAt,
  };
  return { response, outcome: Promise.resolve(outcome) };
}

/** `citations` on the answer, `annotations` on each choice for the markers the model wrote. */
function attachCitations(json: Json, ctx: GenerationContext): void {
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
}

export function respondStream(
  c: Context<AppEnv>,
  ctx: GenerationContext,
  answer: UpstreamAnswer,
  presenter: Presenter,
  options: { record: boolean; abort: () => void; onFirstByte: () => void },
): Responded {
  const { sink, response } = openStream(c, responseHeaders(ctx));
  c.set('spanDeferred', true);
  sink.onAbort(options.abort);
  const transform = chatStreamTransform({
    chat: ctx.endpoint === 'chat',
    clientWantsUsage: clientWantsUsage(ctx.body),
    citations: ctx.citations,
    record: options.record,
    // The streamed text is only needed for the request log's content (tenant opt-in); parsing every chunk
    // for it costs ~10% of a stream's CPU (load/README.md).
    collectText: ctx.principal.tenant.log_content,
  });
  let firstByteMs: number | null = null;
  const outcome = relaySse(answer.body, sink, transform, presenter.stream(), () => {
    firstByteMs = performance.now() - ctx.startedAt;
    options.onFirstByte();
  }).then((result): Outcome => {
    sink.end();
    if (!result.complete) answer.destroy();
    const { usage, chunks, texts } = transform.state;
    const entry = result.complete
      ? entryFromChunks(ctx.endpoint, chunks, { usage, citations: ctx.citations, id: transform.state.id })
      : null;
    return {
      status: result.complete ? 200 : sink.closed ? 499 : 502,
      usage,
      charged: usage,
      entry: options.record ? entry : null,
      upstream: result.complete ? 'ok' : sink.closed ? 'aborted' : 'failed',
      error: result.error ?? undefined,
      content: () => texts.join('\n'),
      responseId: transform.state.id ?? undefined,
      firstByteMs,
    };
  });
  return { response, outcome };
}

export function respondFromCache(
  c: Context<AppEnv>,
  ctx: GenerationContext,
  entry: CachedCompletion,
  presenter: Presenter,
): Responded {
  const outcome: Outcome = {
    status: 200,
    usage: entry.usage,
    charged: noUsage,
    entry: null,
    upstream: 'ok',
    content: () => contentOf(completionOf(entry), ctx),
    responseId: idOf(entry),
    firstByteMs: performance.now() - ctx.startedAt,
  };
  if (!ctx.body.stream) {
    const text =
      presenter.passesTextThrough && entry.body !== undefined ? entry.body : presenter.json(completionOf(entry));
    const response = sendJson(c, 200, text, responseHeaders(ctx));
    return { response, outcome: Promise.resolve(outcome) };
  }
  const { sink, response } = openStream(c, responseHeaders(ctx));
  const stream = presenter.stream();
  let out = stream.start();
  for (const chunk of replayChunks(entry, { includeUsage: clientWantsUsage(ctx.body) })) out += stream.event(chunk);
  sink.write(out + stream.end({ complete: true, error: null, upstreamDone: true }));
  sink.end();
  return { response, outcome: Promise.resolve(outcome) };
}

function contentOf(json: Json, ctx: GenerationContext): string {
  const choices: Json[] = json.choices ?? [];
  return choices.map((ch) => (ctx.endpoint === 'chat' ? (ch.message?.content ?? '') : (ch.text ?? ''))).join('\n');
}
