/**
 * @module http/read-body — reads a JSON body once, under the size limit, and validates it with a zod
 * schema; failures are OpenAI-style 400/413/415 errors naming the offending parameter. A body sent with
 * `content-encoding: gzip | deflate | br` is decoded, and the decoded size counts against the same limit (a
 * decompression bomb stops at the limit); nesting deeper than `server.max_json_depth` is refused at parse
 * time (see json-depth.ts). A client that goes away mid-body is a 499 `client_closed_request` (logged, never
 * a 500).
 */

import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { Context } from 'hono';
import type { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.ts';
import { header } from './header.ts';
import { DEFAULT_MAX_JSON_DEPTH, depthPath, exceedsDepth } from './json-depth.ts';

type Decoder = (buf: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;
const decoders: Record<string, Decoder> = {
  gzip: promisify(gunzip) as Decoder,
  'x-gzip': promisify(gunzip) as Decoder,
  deflate: promisify(inflate) as Decoder,
  br: promisify(brotliDecompress) as Decoder,
};

export async function readJson(
  c: Context,
  limitBytes: number,
  maxDepth: number = (c.get('maxJsonDepth') as number | undefined) ?? DEFAULT_MAX_JSON_DEPTH,
): Promise<unknown> {
  const type = header(c, 'content-type') ?? '';
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new GatewayError('unsupported_media_type', `Content-Type must be application/json, got '${clip(type)}'.`);
  }
  const encoding = (header(c, 'content-encoding') ?? 'identity').trim().toLowerCase();
  const decode =
    encoding === 'identity' || encoding === ''
      ? null
      : Object.hasOwn(decoders, encoding)
        ? decoders[encoding]
        : undefined;
  if (decode === undefined) {
    throw new GatewayError(
      'unsupported_media_type',
      `Content-Encoding '${clip(encoding)}' is not supported; use gzip, deflate, br or none.`,
      { param: 'content-encoding' },
    );
  }
  const declared = Number(header(c, 'content-length') ?? Number.NaN);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  // Under @hono/node-server read Node's request directly: touching `c.req.raw.body` would build a WHATWG
  // Request and a web stream per request (~10% of the gateway's CPU in a profile, load/README.md).
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  let buf =
    incoming && !incoming.readableDidRead
      ? await readIncoming(incoming, limitBytes)
      : await readLimited(c.req.raw, limitBytes);
  if (decode && buf.length > 0) buf = await decoded(decode, buf, encoding, limitBytes);
  if (buf.length === 0) throw new GatewayError('invalid_json', 'The request body is empty; expected a JSON object.');
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new GatewayError(
      'invalid_json',
      `We could not parse the JSON body of your request: ${clip((err as Error).message)}`,
    );
  }
  if (exceedsDepth(buf, maxDepth)) {
    const param = depthPath(value, maxDepth) ?? '(body)';
    throw new GatewayError('invalid_request', `The JSON body nests deeper than ${maxDepth} levels at '${param}'.`, {
      param,
    });
  }
  return value;
}

async function decoded(decode: Decoder, buf: Buffer, encoding: string, limit: number): Promise<Buffer> {
  try {
    return await decode(buf, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge(limit);
    throw new GatewayError('invalid_request', `The request body is not valid ${encoding} data.`, {
      param: 'content-encoding',
    });
  }
}

/** Echoed values are clipped: an error message must not become a reflection of a megabyte of input. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function clientGone(): GatewayError {
  return new GatewayError('client_closed_request', 'The client closed the connection before sending the whole body.');
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
    // Node reports a client gone mid-body as 'error' (ECONNRESET "aborted") and/or 'close'.
    const onError = () => {
      done();
      reject(clientGone());
    };
    const onClose = () => {
      done();
      reject(clientGone());
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
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      throw clientGone();
    }
    const { done, value } = chunk;
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
