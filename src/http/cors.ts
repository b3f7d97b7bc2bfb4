/**
 * @module http/cors — optional CORS (`server.cors.allowed_origins`), answered before auth: a preflight
 * (`OPTIONS` with `access-control-request-method`) never carries a key, so it must not meet the 401. API keys
 * travel in `authorization`, not cookies, so credentials are never allowed. Without the option, preflights
 * still get a 204 (without allow headers, so the browser refuses the call) instead of a 401.
 */
import type { ServerResponse } from 'node:http';
import type { Context, Next } from 'hono';
import type { ServerConfig } from '../config/server-section.ts';
import { header } from './header.ts';

const EXPOSED = [
  'x-request-id',
  'x-should-retry',
  'retry-after',
  'retry-after-ms',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'x-lorag-adapter',
  'x-lorag-strategy',
  'x-lorag-cache',
  'x-lorag-degraded',
].join(', ');

export function allowedOrigin(cors: ServerConfig['cors'], origin: string | undefined): string | null {
  if (!origin || !cors) return null;
  if (cors.allowed_origins.includes('*')) return '*';
  return cors.allowed_origins.includes(origin) ? origin : null;
}

export function corsMiddleware(current: () => { config: { server: ServerConfig } }) {
  return async function cors(c: Context, next: Next): Promise<Response | undefined> {
    const origin = header(c, 'origin');
    if (!origin) {
      await next();
      return;
    }
    const settings = current().config.server.cors;
    const allow = allowedOrigin(settings, origin);
    const headers: Record<string, string> = { vary: 'origin' };
    if (allow) headers['access-control-allow-origin'] = allow;
    if (c.req.method === 'OPTIONS' && header(c, 'access-control-request-method')) {
      if (allow) {
        headers['access-control-allow-methods'] = 'GET, POST, DELETE, OPTIONS';
        const asked = header(c, 'access-control-request-headers');
        headers['access-control-allow-headers'] =
          asked && /^[\w\-, ]{1,2000}$/.test(asked) ? asked : 'authorization, content-type';
        headers['access-control-max-age'] = String(settings?.max_age_s ?? 600);
      }
      return c.body(null, 204, headers);
    }
    if (allow) headers['access-control-expose-headers'] = EXPOSED;
    // Streams and JSON answers are written straight into Node's response: headers set there are merged in.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) for (const [k, v] of Object.entries(headers)) outgoing.setHeader(k, v);
    await next();
    if (!outgoing) {
      try {
        for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
      } catch {
        // an immutable Response (already sent): nothing to add
      }
    }
  };
}
