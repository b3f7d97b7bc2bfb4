/**
 * @module http/routes/health — /healthz: the process is alive. /readyz: ready while at least one upstream
 * replica is healthy; Redis or the vector store being down does not make the pod unready (the service
 * degrades instead), but the body reports them.
 */
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';

export function healthRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const now = Date.now();
    const replicas = deps.pool.replicas.map((r) => ({
      id: r.id,
      base_model: r.baseModel,
      healthy: r.seenUp && r.openUntil <= now,
      last_error: r.lastError,
    }));
    const ready = replicas.some((r) => r.healthy);
    const dependencies = (await deps.dependencyStatus?.()) ?? {};
    return c.json({ status: ready ? 'ready' : 'not_ready', replicas, dependencies }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    if (!deps.observer.renderMetrics) return c.text('metrics are disabled (telemetry.metrics: false)\n', 404);
    const { contentType, body } = await deps.observer.renderMetrics();
    return c.body(body, 200, { 'content-type': contentType });
  });
  return app;
}
