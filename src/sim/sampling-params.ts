/**
 * @module sim/sampling-params — the request fields the simulator acts on (n, max_tokens, stop, stream,
 * stream_options, min_tokens, ignore_eos), checked in vLLM's order and with its messages.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SimContext } from './context.ts';
import { badRequest, SimError, wrongType } from './errors.ts';

export interface SamplingParams {
  n: number;
  maxTokens: number | null;
  minTokens: number;
  ignoreEos: boolean;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
}

function intField(ctx: SimContext, body: Record<string, unknown>, field: string): number | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(ctx.compat, field, 'integer');
  return v;
}

/** Pydantic-level checks: they run before the model check, as FastAPI validates the body first. */
export function parseSamplingParams(ctx: SimContext, body: Record<string, unknown>, chat: boolean): SamplingParams {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw wrongType(ctx.compat, 'stream', 'boolean');
  }
  const stream = body.stream === true;
  const so = body.stream_options;
  if (so !== undefined && so !== null) {
    if (typeof so !== 'object' || Array.isArray(so)) throw wrongType(ctx.compat, 'stream_options', 'dictionary');
    // vLLM's validator is `data.get("stream_options") and not data.get("stream")`: an empty {} is falsy there.
    if (!stream && Object.keys(so).length > 0) {
      throw badRequest('Stream options can only be defined when `stream=True`.', 'stream_options');
    }
  }
  const opts = (stream ? (so ?? null) : null) as { include_usage?: unknown; continuous_usage_stats?: unknown } | null;
  const stop = body.stop;
  let stops: string[] = [];
  if (typeof stop === 'string') stops = [stop];
  else if (Array.isArray(stop)) stops = stop.filter((s): s is string => typeof s === 'string');
  else if (stop !== undefined && stop !== null) throw wrongType(ctx.compat, 'stop', 'string');
  const maxCompletion = chat ? intField(ctx, body, 'max_completion_tokens') : null;
  return {
    n: intField(ctx, body, 'n') ?? 1,
    maxTokens: maxCompletion ?? intField(ctx, body, 'max_tokens'),
    minTokens: intField(ctx, body, 'min_tokens') ?? 0,
    ignoreEos: body.ignore_eos === true,
    stop: stops,
    stream,
    // As observed on vLLM 0.32 (e2e contract suite): include_usage defaults to False, so only an explicit
    // `include_usage: true` adds the usage chunk (shared/reference/vllm.md §5 read an older default of True).
    includeUsage: opts !== null && opts.include_usage === true,
    continuousUsage: opts !== null && opts.continuous_usage_stats === true,
  };
}

/** SamplingParams and context-window checks (after the model check); returns the effective max_tokens. */
export function checkLimits(ctx: SimContext, p: SamplingParams, promptTokens: number, what: string): number {
  if (p.n < 1) throw badRequest(`n must be at least 1, got ${p.n}.`, 'n');
  const max = ctx.opts.maxModelLen;
  if (p.maxTokens === null) {
    if (promptTokens >= max) {
      throw badRequest(
        `This model's maximum context length is ${max} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input ${what}.`,
        what,
      );
    }
    return max - promptTokens;
  }
  if (p.maxTokens < 1) throw badRequest(`max_tokens must be at least 1, got ${p.maxTokens}.`, 'max_tokens');
  if (promptTokens + p.maxTokens > max) {
    throw badRequest(
      `'max_tokens' or 'max_completion_tokens' is too large: ${p.maxTokens}. This model's maximum context length is ${max} tokens and your request has ${promptTokens} input tokens (${p.maxTokens} > ${max} - ${promptTokens}).`,
      'max_tokens',
    );
  }
  return p.maxTokens;
}

/** --failure-rate: a seeded draw per inference request; failures happen before any byte is sent. */
export function maybeInjectFailure(ctx: SimContext): void {
  if (ctx.opts.failureRate > 0 && ctx.random() < ctx.opts.failureRate) {
    throw new SimError(500, 'InternalServerError', 'Simulated failure (--failure-rate).');
  }
}

/** vLLM names a request `X-Request-Id`, else the body's `request_id`, else a random uuid (hex). */
export function requestId(req: IncomingMessage, body: Record<string, unknown>): string {
  const header = req.headers['x-request-id'];
  if (typeof header === 'string' && header) return header;
  if (typeof body.request_id === 'string' && body.request_id) return body.request_id;
  return randomUUID().replaceAll('-', '');
}
