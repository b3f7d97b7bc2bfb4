/**
 * @module sim/embeddings — `POST /v1/embeddings` (vllm.md §6) with deterministic unit vectors. Words are
 * feature-hashed into the vector, so texts sharing words get a positive cosine similarity: enough for
 * `auto` routing and retrieval demos to behave sensibly without a model. Text without words falls back
 * to a vector seeded from its sha256.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type SimContext, seededRandom } from './context.ts';
import { badRequest, missingField, validationError } from './errors.ts';
import { readJsonObject, sendJson } from './http-io.ts';
import { inc } from './metrics.ts';
import { resolveModel } from './models.ts';
import { maybeInjectFailure } from './sampling-params.ts';
import { countTokens, renderChat } from './tokenizer.ts';

function fnv(text: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function embedText(text: string, dim: number): Float32Array {
  const v = new Float64Array(dim);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) {
    v[fnv(w, 0x811c9dc5) % dim] += fnv(w, 0x01000193) & 1 ? 1 : -1;
  }
  let norm = Math.hypot(...v);
  if (norm === 0) {
    const rnd = seededRandom(createHash('sha256').update(text).digest().readUInt32LE(0));
    for (let i = 0; i < dim; i++) v[i] = rnd() * 2 - 1;
    norm = Math.hypot(...v);
  }
  return Float32Array.from(v, (x) => x / norm);
}

function inputs(ctx: SimContext, body: Record<string, unknown>): { texts: string[]; tokens: number[] } {
  if (Array.isArray(body.messages)) {
    const text = renderChat(body.messages, false);
    return { texts: [text], tokens: [countTokens(text)] };
  }
  const input = body.input;
  if (input === undefined) throw missingField(ctx.compat, 'input');
  const items: unknown[] =
    typeof input === 'string' || (Array.isArray(input) && input.every((x) => typeof x === 'number'))
      ? [input]
      : (input as unknown[]);
  if (!Array.isArray(items) || items.length === 0) {
    throw validationError(
      ctx.compat,
      "{'type': 'union_type', 'loc': ('body', 'input'), 'msg': 'Input should be a valid string or list'}",
      ['body', 'input'],
    );
  }
  const texts: string[] = [];
  const tokens: number[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      texts.push(item);
      tokens.push(countTokens(item));
    } else if (Array.isArray(item) && item.every((x) => Number.isInteger(x))) {
      texts.push(item.join(' '));
      tokens.push(item.length);
    } else {
      throw validationError(
        ctx.compat,
        "{'type': 'union_type', 'loc': ('body', 'input'), 'msg': 'Input should be a valid string or list'}",
        ['body', 'input'],
      );
    }
  }
  return { texts, tokens };
}

export async function handleEmbeddings(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req, ctx.compat);
  const { texts, tokens } = inputs(ctx, body);
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw validationError(
      ctx.compat,
      "{'type': 'literal_error', 'loc': ('body', 'encoding_format'), 'msg': \"Input should be 'float' or 'base64'\"}",
      ['body', 'encoding_format'],
    );
  }
  const { echo } = resolveModel(ctx.registry, body.model);
  inc(ctx.metrics.requests, echo);
  let dim = ctx.opts.embeddingDim;
  if (body.dimensions !== undefined && body.dimensions !== null) {
    const d = body.dimensions;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > dim) {
      throw badRequest(`dimensions must be an integer between 1 and ${dim}, got ${String(d)}.`, 'dimensions');
    }
    dim = d;
  }
  const max = ctx.opts.maxModelLen;
  const longest = Math.max(...tokens);
  if (longest > max) {
    throw badRequest(
      `This model's maximum context length is ${max} tokens. However, you requested ${longest} tokens in the input for embedding generation. Please reduce the length of the input.`,
      'input',
    );
  }
  maybeInjectFailure(ctx);
  const data = texts.map((text, index) => {
    // Truncating a hashed vector and renormalising keeps it unit-length, like a Matryoshka model would.
    let vec = embedText(text, ctx.opts.embeddingDim);
    if (dim < vec.length) {
      const cut = vec.slice(0, dim);
      const n = Math.hypot(...cut) || 1;
      vec = cut.map((x) => x / n);
    }
    const embedding =
      format === 'base64'
        ? Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).toString('base64')
        : Array.from(vec);
    return { index, object: 'embedding', embedding };
  });
  const promptTokens = tokens.reduce((a, b) => a + b, 0);
  ctx.metrics.tokens.prompt += promptTokens;
  sendJson(res, 200, {
    id: `embd-${randomUUID().replaceAll('-', '')}`,
    object: 'list',
    created: Math.floor(Date.now() / 1000),
    model: echo,
    data,
    usage: {
      prompt_tokens: promptTokens,
      total_tokens: promptTokens,
      completion_tokens: 0,
      prompt_tokens_details: null,
    },
  });
}
