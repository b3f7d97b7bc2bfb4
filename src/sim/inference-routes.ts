/**
 * @module sim/inference-routes — `POST /v1/chat/completions` and `POST /v1/completions`. Order as in vLLM:
 * body validation (incl. stream_options) → model check (404) → limits → failure injection → generation.
 * Everything before generation answers plain JSON, never SSE.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from './context.ts';
import { badRequest, missingField, validationError, wrongType } from './errors.ts';
import { buildReply, type Reply, replyHead, simDigest, systemText } from './generate.ts';
import { runGeneration } from './generation.ts';
import { readJsonObject } from './http-io.ts';
import { inc } from './metrics.ts';
import { resolveModel } from './models.ts';
import { outputMode } from './output-mode.ts';
import {
  checkLimits,
  maybeInjectFailure,
  parseSamplingParams,
  requestId,
  type SamplingParams,
} from './sampling-params.ts';
import { SchemaInstanceError } from './schema-instance.ts';
import { structuredReply } from './structured-reply.ts';
import { countTokens, renderChat } from './tokenizer.ts';

/** A schema the generator cannot satisfy is a 400, as vLLM answers a grammar it cannot compile. */
function structured(mode: Parameters<typeof structuredReply>[0], head: string, max: number): Reply {
  try {
    return structuredReply(mode, head, max);
  } catch (err) {
    if (err instanceof SchemaInstanceError) throw badRequest(`Invalid JSON schema: ${err.message}`, 'response_format');
    throw err;
  }
}

function reply(ctx: SimContext, model: string, digest: string, context: string, p: SamplingParams, max: number): Reply {
  return buildReply({
    model,
    digest,
    context,
    naturalTokens: ctx.opts.outputTokens,
    maxTokens: max,
    minTokens: p.minTokens,
    ignoreEos: p.ignoreEos,
    stop: p.stop,
  });
}

export async function handleChat(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req, ctx.compat);
  if (body.messages === undefined) throw missingField(ctx.compat, 'messages');
  if (!Array.isArray(body.messages)) throw wrongType(ctx.compat, 'messages', 'list');
  const messages = body.messages as unknown[];
  const params = parseSamplingParams(ctx, body, true);
  const { echo, lora } = resolveModel(ctx.registry, body.model);
  inc(ctx.metrics.requests, echo);
  const promptTokens = countTokens(renderChat(messages, body.add_generation_prompt !== false));
  const max = checkLimits(ctx, params, promptTokens, 'messages');
  const mode = outputMode(ctx, body, messages);
  maybeInjectFailure(ctx);
  const digest = simDigest(messages);
  const context = systemText(messages);
  const one: Reply =
    mode.kind === 'text'
      ? reply(ctx, echo, digest, context, params, max)
      : structured(mode, replyHead({ model: echo, digest, context }), max);
  const autoTools = Array.isArray(body.tools) && (body.tool_choice ?? 'auto') === 'auto';
  if (autoTools && mode.kind !== 'tool') one.noToolCallsKey = true;
  await runGeneration(ctx, res, {
    kind: 'chat',
    id: requestId(req, body),
    model: echo,
    lora: lora?.name ?? null,
    promptTokens,
    choices: Array.from({ length: params.n }, () => one),
    stream: params.stream,
    includeUsage: params.includeUsage,
    continuousUsage: params.continuousUsage,
    legacy: ctx.compat === 'legacy',
  });
}

type Prompt = string | number[];

/** `prompt`: str | list[str] | list[int] | list[list[int]], as vLLM's CompletionRequest accepts. */
function prompts(ctx: SimContext, prompt: unknown): Prompt[] {
  const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));
  if (typeof prompt === 'string') return [prompt];
  if (isTokens(prompt) && prompt.length > 0) return [prompt];
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((p) => typeof p === 'string' || isTokens(p))) {
    return prompt as Prompt[];
  }
  throw validationError(
    ctx.compat,
    "{'type': 'union_type', 'loc': ('body', 'prompt'), 'msg': 'Input should be a valid string or list'}",
    ['body', 'prompt'],
  );
}

export async function handleCompletion(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req, ctx.compat);
  if (body.prompt === undefined || body.prompt === null || body.prompt === '') {
    // vLLM: "Either prompt or prompt_embeds must be provided and non-empty."
    throw validationError(
      ctx.compat,
      "{'type': 'value_error', 'loc': ('body',), 'msg': 'Value error, Either prompt or prompt_embeds must be provided and non-empty.'}",
      ['body'],
    );
  }
  const list = prompts(ctx, body.prompt);
  const params = parseSamplingParams(ctx, body, false);
  const { echo, lora } = resolveModel(ctx.registry, body.model);
  inc(ctx.metrics.requests, echo);
  const counts = list.map((p) => (typeof p === 'string' ? countTokens(p) : p.length));
  const max = checkLimits(ctx, params, Math.max(...counts), 'prompt');
  maybeInjectFailure(ctx);
  const choices: Reply[] = [];
  for (const p of list) {
    const one = reply(ctx, echo, simDigest(p), typeof p === 'string' ? p : '', params, max);
    for (let i = 0; i < params.n; i++) choices.push(one);
  }
  await runGeneration(ctx, res, {
    kind: 'completion',
    id: requestId(req, body),
    model: echo,
    lora: lora?.name ?? null,
    promptTokens: counts.reduce((a, b) => a + b, 0),
    choices,
    stream: params.stream,
    includeUsage: params.includeUsage,
    continuousUsage: params.continuousUsage,
    legacy: ctx.compat === 'legacy',
  });
}
