/**
 * @module app — createApp(deps): the Hono app with no I/O of its own. Fast HTTP tests call app.request()
 * on it; src/main.ts serves it with @hono/node-server.
 */

import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { authenticateAdmin, authenticateTenant } from './auth/authenticate.ts';
import { GatewayError } from './errors/gateway-error.ts';
import { corsMiddleware } from './http/cors.ts';
import type { Deps } from './http/deps.ts';
import type { AppEnv } from './http/env.ts';
import { errorResponse } from './http/error-response.ts';
import { header } from './http/header.ts';
import { embeddingRoutes } from './http/routes/embeddings.ts';
import { generationRoutes } from './http/routes/generation.ts';
import { healthRoutes } from './http/routes/health.ts';
import { modelRoutes } from './http/routes/models.ts';
import { openApiRoutes } from './http/routes/openapi.ts';
import { responsesRoutes } from './http/routes/responses.ts';
import type { ResponseStore } from './responses/store.ts';
import { createMemoryResponseStore } from './responses/store-memory.ts';
import { startRequestSpan } from './telemetry/request-span.ts';
import { stageSpan, tracingRecording } from './telemetry/spans.ts';

export interface ExtraRoutes {
  /** Sub-apps mounted under /v1 behind tenant auth (e.g. knowledge chunks). */
  v1?: Hono<AppEnv>[];
  /** Sub-apps mounted under /admin behind admin-key auth. */
  admin?: Hono<AppEnv>[];
  /** Stored Responses API objects (`responses` config section); a bounded in-process store when absent. */
  responses?: ResponseStore;
}

const DEFAULT_RESPONSE_STORE = { maxEntries: 10_000, ttlMs: 2_592_000_000 };

export function createApp(deps: Deps, extra: ExtraRoutes = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async function requestId(c, next) {
    const given = header(c, 'x-request-id');
    c.set('requestId', given && /^[\w.:-]{1,128}$/.test(given) ? given : `req_${randomUUID().replaceAll('-', '')}`);
    c.set('startedAt', performance.now());
    c.set('maxJsonDepth', deps.current().config.server.max_json_depth);
    await next();
  });
  app.use(
    '*',
    corsMiddleware(() => deps.current()),
  );

  app.route('/', healthRoutes(deps));
  app.route('/', openApiRoutes());

  app.use('/v1/*', async function traced(c, next) {
    const span = startRequestSpan({
      method: c.req.method,
      route: c.req.path,
      requestId: c.get('requestId'),
      // Reading every header (for an incoming traceparent) builds a Headers object: only while tracing records.
      headers: tracingRecording() ? c.req.header() : undefined,
    });
    c.set('requestSpan', span);
    c.set('spanDeferred', false);
    c.set('recorded', false);
    await span.run(() => next());
    if (!c.get('spanDeferred')) span.finish(c.res.status);
    // Generation requests report themselves (with adapter, cache, usage …); every other /v1 request — and one
    // refused before it got that far (bad key, bad body) — still gets its metric and its one log line here.
    if (!c.get('recorded')) {
      deps.observer.requestFinished({
        requestId: c.get('requestId'),
        endpoint: endpointLabel(c.req.path),
        tenant: c.get('principal')?.tenantId ?? null,
        adapter: null,
        strategy: null,
        cache: null,
        replica: null,
        status: c.res.status,
        durationMs: performance.now() - c.get('startedAt'),
        ttftMs: null,
        usage: null,
        degraded: [],
        citations: 0,
      });
    }
  });
  app.use('/v1/*', async function tenantAuth(c, next) {
    const principal = await stageSpan('auth', undefined, () =>
      authenticateTenant(deps.current().keys, header(c, 'authorization')),
    );
    c.set('principal', principal);
    await next();
  });
  app.use('/admin/*', async function adminAuth(c, next) {
    authenticateAdmin(deps.current().keys, header(c, 'authorization'));
    await next();
  });

  app.route('/v1', generationRoutes(deps));
  app.route('/v1', modelRoutes(deps));
  app.route('/v1', embeddingRoutes(deps));
  app.route('/v1', responsesRoutes(deps, extra.responses ?? createMemoryResponseStore(DEFAULT_RESPONSE_STORE)));
  for (const sub of extra.v1 ?? []) app.route('/v1', sub);
  for (const sub of extra.admin ?? []) app.route('/admin', sub);

  app.notFound((c) =>
    errorResponse(c, new GatewayError('not_found', `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`), {
      'x-request-id': c.get('requestId') ?? '',
    }),
  );
  app.onError((err, c) => errorResponse(c, err, { 'x-request-id': c.get('requestId') ?? '' }));
  return app;
}

/** A bounded label for metrics and logs (paths with ids in them would not be). */
function endpointLabel(path: string): string {
  const m = /^\/v1\/(chat\/completions|completions|embeddings|models|knowledge|responses)\b/.exec(path);
  return m ? (m[1] === 'chat/completions' ? 'chat' : m[1]) : 'other';
}
