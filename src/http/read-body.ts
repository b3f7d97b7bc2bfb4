/**
 * @module http/read-body — reads a JSON body once, under the size limit, and validates it with a zod
 * schema; failures are OpenAI-style 400/413/415 errors naming the offending parameter.
 */

import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.ts';
import { header } from './header.ts';

export async function readJson(c: Context, limitBytes: number): Promise<unknown> {
  const type = header(c, 'content-type') ?? '';
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new GatewayError('unsupported_media_type', `Content-Type must be application/json, got '${type}'.`);
  }
  const declared = Number(header(c, 'content-length') ?? Number.NaN);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  // Under @hono/node-server read Node's request directly: touching `c.req.raw.body` would build a WHATWG
  // Request and a web stream per request (~10% of the gateway's CPU in a profile, load/README.md).
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const buf =
    incoming && !incoming.readableDidRead
      ? await readIncoming(incoming, limitBytes)
      : await readLimited(c.req.raw, limitBytes);
  if (buf.length === 0) throw new GatewayError('invalid_json', 'The request body is empty; expected a JSON object.');
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new GatewayError(
      'invalid_json',
      `We could not parse the JSON body of your request: ${(err as Error).message}`,
    );
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `The request body exceeds the limit of ${limit} bytes.`);
}

/** Node's request body, at most `limit` bytes; past that it stops listening (Node discards the rest). */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        reject(tooLarge(limit));
      } else parts.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new Error('The client closed the connection before sending the whole body.'));
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
  });
}

/** Reads at most `limit` bytes; a chunked body that goes over is refused without reading the rest. */
export async function readLimited(
  req: Request,
  limit: number,
  refuse: (limit: number) => GatewayError = tooLarge,
): Promise<Buffer> {
  if (!req.body) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock(); // stop reading; the rest is never buffered (cancelling can throw on some sources)
      throw refuse(limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

export function validate<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.length ? issue.path.map(String).join('.') : null;
  const missing =
    issue.code === 'invalid_type' &&
    (raw as Record<string, unknown>)[String(issue.path[0])] === undefined &&
    issue.path.length === 1;
  const message = missing
    ? `Missing required parameter: '${param}'.`
    : `Invalid value for '${param ?? 'body'}': ${issue.message}`;
  throw new GatewayError(missing ? 'missing_required_parameter' : 'invalid_value', message, { param });
}
