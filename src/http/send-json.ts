/**
 * @module http/send-json — a JSON answer. Under @hono/node-server it is written straight into Node's
 * ServerResponse: building a WHATWG Response (and converting its headers) for every answer showed in the
 * gateway's profile. Under `app.request()` (tests) it is an ordinary Response.
 */
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';

export function sendJson(c: Context, status: number, text: string, headers: Record<string, string>): Response {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing) return c.body(text, status as 200, { 'content-type': 'application/json', ...headers });
  outgoing.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  outgoing.end(text);
  return RESPONSE_ALREADY_SENT;
}
