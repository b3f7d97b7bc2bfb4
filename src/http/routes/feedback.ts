/**
 * @module http/routes/feedback — `POST /v1/feedback` `{request_id | response_id, score, comment?, tags?}`
 * (tenant key): accepted only for a response that same tenant received; an id of another tenant is answered
 * exactly like an unknown one (404), so no tenant learns another's ids. `GET /admin/feedback?tenant=` (admin
 * key): aggregates per tenant × adapter@version × strategy. Accepted scores are also counted in the
 * `lorag_feedback_*` Prometheus series (feedback/metrics.ts) when the caller passes `metrics`.
 */
import { Hono } from 'hono';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { FeedbackMetrics } from '../../feedback/metrics.ts';
import { type FeedbackStore, feedbackBodySchema } from '../../feedback/types.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';

const LIMIT = 64 * 1024;

function unavailable(err: unknown): never {
  throw new GatewayError('internal_error', 'The feedback store is unavailable; try again.', {
    status: 503,
    cause: err,
  });
}

export function feedbackRoutes(deps: { feedback: FeedbackStore; metrics?: FeedbackMetrics }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/feedback', async (c) => {
    const body = validate(feedbackBodySchema, await readJson(c, LIMIT));
    const id = (body.request_id ?? body.response_id)!;
    const param = body.request_id !== undefined ? 'request_id' : 'response_id';
    const tenant = c.get('principal').tenantId;
    const served = await deps.feedback.served(id).catch(unavailable);
    if (!served || served.tenant !== tenant)
      throw new GatewayError('not_found', `No response with id '${id}' was found.`, { param });
    const entry = {
      id,
      tenant,
      adapter: served.adapter,
      strategy: served.strategy,
      score: body.score,
      comment: body.comment ?? null,
      tags: body.tags ?? [],
      at: Date.now(),
    };
    await deps.feedback.submit(entry).catch(unavailable);
    deps.metrics?.accepted(entry);
    return c.json({
      object: 'feedback',
      [param]: id,
      adapter: entry.adapter,
      strategy: entry.strategy,
      score: entry.score,
    });
  });
  return app;
}

export function adminFeedbackRoutes(deps: { feedback: FeedbackStore }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/feedback', async (c) => {
    const tenant = c.req.query('tenant') || undefined;
    const data = await deps.feedback.aggregates(tenant).catch(unavailable);
    return c.json({ object: 'list', data });
  });
  return app;
}
