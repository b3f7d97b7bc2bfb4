/**
 * @module http/routes/health — /healthz: the process is alive. /readyz: ready while at least one upstream
 * replica is healthy; Redis or the vector store being down does not make the pod unready (the service
 * degrades instead). Both answer without a key, so they carry states only: no error strings, addresses or
 * paths (an unauthenticated caller learns nothing about the upstreams). /metrics lists every tenant's
 * names, so it is for operators: behind `telemetry.metrics.bearer_token`, or moved to its own listener
 * (`telemetry.metrics.listen`, main.ts), or else answered to loopback clients only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { type Context, Hono } from 'hono';
import { GatewayError } from '../../errors/gateway-error.ts';
import { metricsSettings } from '../../telemetry/config.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { errorResponse } from '../error-response.ts';
import { header } from '../header.ts';

export function healthRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    // Counts only: replica ids, addresses and last errors are in the admin view (/admin/adapters), not here.
    const healthy = deps.pool.healthyCount();
    const total = deps.current().config.upstreams.base_models.reduce((n, b) => n + b.replicas.length, 0);
    const replicas = { healthy, total };
    const ready = healthy > 0;
    const dependencies: Record<string, { ok: boolean }> = {};
    for (const [name, s] of Object.entries((await deps.dependencyStatus?.()) ?? {})) dependencies[name] = { ok: s.ok };
    return c.json({ status: ready ? 'ready' : 'not_ready', replicas, dependencies }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const settings = metricsSettings(deps.current().config.telemetry.metrics);
    if (!deps.observer.renderMetrics || settings.listen)
      throw new GatewayError('not_found', 'Unknown route: GET /metrics');
    if (!settings.bearerToken && !fromLoopback(c.env as { incoming?: IncomingMessage } | undefined)) {
      throw new GatewayError(
        'permission_denied',
        'GET /metrics is served to loopback clients only unless telemetry.metrics.bearer_token or listen is set.',
      );
    }
    return renderMetrics(c, deps, settings.bearerToken);
  });
  return app;
}

/** The app on the metrics-only listener (`telemetry.metrics.listen`): GET /metrics, the token still applies. */
export function metricsListenerApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', (c) => {
    if (!deps.observer.renderMetrics) throw new GatewayError('not_found', 'Unknown route: GET /metrics');
    return renderMetrics(c, deps, metricsSettings(deps.current().config.telemetry.metrics).bearerToken);
  });
  app.notFound(() => {
    throw new GatewayError('not_found', 'This listener serves GET /metrics only.');
  });
  app.onError((err, c) => errorResponse(c, err));
  return app;
}

async function renderMetrics(c: Context<AppEnv>, deps: Deps, token: string | undefined): Promise<Response> {
  if (token && !sameSecret(bearer(header(c, 'authorization')), token))
    throw new GatewayError('invalid_api_key', 'GET /metrics needs the metrics bearer token.');
  const { contentType, body } = await (
    deps.observer.renderMetrics as () => Promise<{ contentType: string; body: string }>
  )();
  return c.body(body, 200, { 'content-type': contentType });
}

function bearer(value: string | undefined): string {
  const m = /^Bearer\s+(.+)$/i.exec(value ?? '');
  return m ? m[1].trim() : '';
}

/** Constant-time comparison of two secrets of any length (compared as sha256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return given.length > 0 && timingSafeEqual(h(given), h(expected));
}

/** In-process requests (app.request() in tests) have no socket and count as local. */
function fromLoopback(env: { incoming?: IncomingMessage } | undefined): boolean {
  const addr = env?.incoming?.socket?.remoteAddress;
  if (!env?.incoming) return true;
  if (!addr) return false;
  const v4 = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return v4 === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}
