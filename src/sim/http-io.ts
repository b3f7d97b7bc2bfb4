/**
 * @module sim/http-io — reading JSON bodies and writing responses on plain `node:http`, the way vLLM's
 * FastAPI server answers (JSON responses, plain-text LoRA successes with no media type).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Compat, errorPayload, SimError, validationError } from './errors.ts';

// Bodies bigger than this are refused; vLLM has no limit but the simulator should not buffer gigabytes.
const MAX_BODY = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new SimError(413, 'Request Entity Too Large', 'Request body too large');
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/**
 * vLLM's `validate_json_request` refuses other media types, then FastAPI parses the body as a JSON object.
 */
export async function readJsonObject(req: IncomingMessage, compat: Compat): Promise<Record<string, unknown>> {
  const mediaType = (req.headers['content-type'] ?? '').toLowerCase().split(';', 1)[0].trim();
  const text = await readBody(req);
  if (mediaType !== 'application/json') {
    throw validationError(compat, "Unsupported Media Type: Only 'application/json' is allowed", null);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'invalid JSON';
    throw validationError(
      compat,
      `{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', 'ctx': {'error': '${reason}'}}`,
      ['body'],
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(
      compat,
      "{'type': 'model_attributes_type', 'loc': ('body',), 'msg': 'Input should be a valid dictionary or object to extract fields from'}",
      ['body'],
    );
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** vLLM's LoRA routes return `Response(content=..., status_code=200)`: a body with no content-type. */
export function sendPlain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, compat: Compat, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const simErr =
    err instanceof SimError
      ? err
      : new SimError(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
  sendJson(res, simErr.status, errorPayload(compat, simErr));
}

/** Starlette's answers for unknown routes and wrong methods. */
export function sendDetail(res: ServerResponse, status: 404 | 405): void {
  sendJson(res, status, { detail: status === 404 ? 'Not Found' : 'Method Not Allowed' });
}
