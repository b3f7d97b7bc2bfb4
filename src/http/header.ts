/**
 * @module http/header — one request header by (lower-case) name. Under @hono/node-server it reads Node's
 * already-parsed `incoming.headers`; `c.req.header()` would first build a WHATWG Headers object for the
 * request (a per-request allocation on the hot path). Under `app.request()` it falls back to Hono.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export function header(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
