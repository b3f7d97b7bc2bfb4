/* biome-ignore-all lint/suspicious/noExplicitAny: HTTP response bodies read in assertions */
/**
 * Feedback as Prometheus series: POST /v1/feedback (through `app.request()`, a stand-in for app.ts's auth) counts
 * accepted scores per tenant × adapter@version × strategy in `lorag_feedback_total` and `lorag_feedback_score`;
 * a refused one (another tenant's id, bad body) counts nothing; the series are appended to GET /metrics.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { createFeedbackMetrics, type FeedbackMetrics, withFeedbackMetrics } from '../../src/feedback/metrics.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { errorResponse } from '../../src/http/error-response.ts';
import { feedbackRoutes } from '../../src/http/routes/feedback.ts';
import type { TelemetryObserver } from '../../src/telemetry/observer.ts';

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const have = inside.split(',');
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('feedback metrics', () => {
  let store: FeedbackStore;
  let metrics: FeedbackMetrics;
  let app: Hono<AppEnv>;
  const post = (tenant: string, body: unknown) =>
    app.request('/v1/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant': tenant },
      body: JSON.stringify(body),
    });

  before(async () => {
    store = createMemoryFeedbackStore();
    metrics = createFeedbackMetrics({ tenants: ['legal', 'hr'] });
    app = new Hono<AppEnv>();
    app.use('/v1/*', async (c, next) => {
      c.set('principal', { tenantId: c.req.header('x-tenant') ?? 'legal', keyName: 'test' } as never);
      await next();
    });
    app.route('/v1', feedbackRoutes({ feedback: store, metrics }));
    app.onError((err, c) => errorResponse(c, err));
    const served = [
      { id: 'r1', tenant: 'legal', adapter: 'legal@1', strategy: 'lora' },
      { id: 'r2', tenant: 'legal', adapter: 'legal@1', strategy: 'lora' },
      { id: 'r3', tenant: 'legal', adapter: 'legal@2', strategy: 'hybrid' },
      { id: 'r4', tenant: 'hr', adapter: 'base', strategy: 'rag' },
    ];
    for (const s of served) await store.rememberServed({ ...s, at: Date.now() });
  });

  test('accepted scores are counted per tenant × adapter@version × strategy, with a score histogram', async () => {
    for (const [tenant, id, score] of [
      ['legal', 'r1', 1],
      ['legal', 'r2', 0.5],
      ['legal', 'r3', 0],
      ['hr', 'r4', 0.75],
    ] as const) {
      const res = await post(tenant, { request_id: id, score });
      assert.equal(res.status, 200, await res.text());
    }
    const text = await metrics.render();
    const legal1 = { tenant: 'legal', adapter: 'legal@1', strategy: 'lora' };
    assert.equal(sample(text, 'lorag_feedback_total', legal1), 2);
    assert.equal(sample(text, 'lorag_feedback_score_sum', legal1), 1.5);
    assert.equal(sample(text, 'lorag_feedback_score_count', legal1), 2);
    assert.equal(sample(text, 'lorag_feedback_score_bucket', { ...legal1, le: '0.5' }), 1);
    assert.equal(sample(text, 'lorag_feedback_score_bucket', { ...legal1, le: '1' }), 2);
    const canary = { tenant: 'legal', adapter: 'legal@2', strategy: 'hybrid' };
    assert.equal(sample(text, 'lorag_feedback_total', canary), 1);
    assert.equal(sample(text, 'lorag_feedback_score_bucket', { ...canary, le: '0' }), 1);
    assert.equal(sample(text, 'lorag_feedback_total', { tenant: 'hr', adapter: 'base', strategy: 'rag' }), 1);
    assert.match(text, /# TYPE lorag_feedback_total counter/);
    assert.match(text, /# TYPE lorag_feedback_score histogram/);
  });

  test('refused feedback (another tenant’s id, an unknown id, a bad score) counts nothing', async () => {
    const before = sample(await metrics.render(), 'lorag_feedback_total', {
      tenant: 'legal',
      adapter: 'legal@1',
      strategy: 'lora',
    });
    assert.equal((await post('hr', { request_id: 'r1', score: 1 })).status, 404);
    assert.equal((await post('legal', { request_id: 'nope', score: 1 })).status, 404);
    const bad = await post('legal', { request_id: 'r1', score: 7 });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error.param, 'score');
    const text = await metrics.render();
    assert.equal(
      sample(text, 'lorag_feedback_total', { tenant: 'legal', adapter: 'legal@1', strategy: 'lora' }),
      before,
    );
    assert.equal(
      sample(text, 'lorag_feedback_total', { tenant: 'hr', adapter: 'legal@1', strategy: 'lora' }),
      undefined,
    );
  });

  test('the series are appended to the observer’s GET /metrics exposition; no exposition, nothing added', async () => {
    const observer = {
      requestStarted() {},
      requestFinished() {},
      cacheResult() {},
      rateLimited() {},
      upstreamError() {},
      retrieval() {},
      renderMetrics: async () => ({ contentType: 'text/plain', body: 'lorag_up 1\n' }),
    } satisfies TelemetryObserver;
    const rendered = await withFeedbackMetrics(observer, metrics).renderMetrics!();
    assert.equal(rendered.contentType, 'text/plain');
    assert.match(rendered.body, /^lorag_up 1\n/);
    assert.match(rendered.body, /lorag_feedback_total\{tenant="legal",adapter="legal@1",strategy="lora"\} 2/);
    const silent = { ...observer, renderMetrics: undefined };
    assert.equal(withFeedbackMetrics(silent, metrics).renderMetrics, undefined);
  });
});
