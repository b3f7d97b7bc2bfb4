/**
 * @module load/bench/bare-proxy — the reference limit for `npm run bench`: the least a Node proxy can do.
 * Hono on @hono/node-server, one undici Pool to the upstream, the upstream body piped straight into Node's
 * ServerResponse (shared/reference/performance.md measured this as the fastest Node shape). No auth, no
 * parsing, no bookkeeping. Usage: node load/bench/bare-proxy.ts --port P --upstream http://127.0.0.1:8000
 */
import type { HttpBindings } from '@hono/node-server';
import { serve } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { Pool } from 'undici';

const arg = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`bare-proxy: ${name} is required`);
  return value;
};

const upstream = new URL(arg('--upstream'));
const pool = new Pool(upstream.origin, { connections: Number(arg('--connections', '128')), keepAliveTimeout: 30_000 });
const app = new Hono<{ Bindings: HttpBindings }>();

app.post('/v1/*', async (c) => {
  const body = Buffer.from(await c.req.arrayBuffer());
  const res = await pool.request({
    method: 'POST',
    path: c.req.path,
    headers: { 'content-type': 'application/json' },
    body,
  });
  const out = c.env.outgoing;
  const headers: Record<string, string> = { 'content-type': String(res.headers['content-type'] ?? 'application/json') };
  if (res.headers['content-length']) headers['content-length'] = String(res.headers['content-length']);
  out.writeHead(res.statusCode, headers);
  out.once('close', () => res.body.destroy());
  res.body.pipe(out);
  return RESPONSE_ALREADY_SENT;
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(arg('--port')) }, (info) => {
  process.stderr.write(`bare-proxy listening on http://127.0.0.1:${info.port}\n`);
});
