/**
 * @module sim/tokenize-route — `POST /tokenize` in vLLM's shape, with the simulator's tokenizer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from './context.ts';
import { missingField } from './errors.ts';
import { readJsonObject, sendJson } from './http-io.ts';
import { resolveModel } from './models.ts';
import { renderChat, tokenId, tokenize } from './tokenizer.ts';

/** `POST /tokenize`: `{count, max_model_len, tokens, token_strs}` for a `prompt` or chat `messages`. */
export async function handleTokenize(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req, ctx.compat);
  let text: string;
  if (Array.isArray(body.messages)) text = renderChat(body.messages, body.add_generation_prompt !== false);
  else if (typeof body.prompt === 'string') text = body.prompt;
  else throw missingField(ctx.compat, 'prompt');
  resolveModel(ctx.registry, body.model);
  const pieces = tokenize(text);
  sendJson(res, 200, {
    count: pieces.length,
    max_model_len: ctx.opts.maxModelLen,
    tokens: pieces.map(tokenId),
    token_strs: body.return_token_strs === true ? pieces : null,
  });
}
