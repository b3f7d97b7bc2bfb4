/**
 * @module feedback/metrics — online feedback as Prometheus series, per tenant × adapter@version × strategy, in a
 * prom-client registry of their own appended to GET /metrics (like the budget metrics): `lorag_feedback_total`
 * counts accepted `POST /v1/feedback` submissions (a re-scored response counts again; GET /admin/feedback keeps
 * the latest score only), `lorag_feedback_score` is their score histogram (0..1), so
 * `rate(lorag_feedback_score_sum[1h]) / rate(lorag_feedback_score_count[1h])` is the mean score of a version —
 * a canary and its stable version side by side. Labels are bounded like the gateway's own.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { labelGuard } from '../telemetry/label-guard.ts';
import type { TelemetryObserver } from '../telemetry/observer.ts';
import type { FeedbackEntry } from './types.ts';

// Scores are 0..1 (thumbs down/up, or a rating scaled); quarter steps keep a 5-point scale apart.
const SCORE_BUCKETS = [0, 0.25, 0.5, 0.75, 1];

export interface FeedbackMetrics {
  /** One accepted feedback submission. */
  accepted(entry: Pick<FeedbackEntry, 'tenant' | 'adapter' | 'strategy' | 'score'>): void;
  render(): Promise<string>;
}

export function createFeedbackMetrics(known: { tenants?: string[] } = {}): FeedbackMetrics {
  const register = new Registry();
  const tenant = labelGuard(100, ['none', ...(known.tenants ?? [])]);
  const adapter = labelGuard(300, ['base']);
  const strategy = labelGuard(16, ['base', 'lora', 'rag', 'hybrid']);
  const labelNames = ['tenant', 'adapter', 'strategy'] as const;
  const total = new Counter({
    name: 'lorag_feedback_total',
    help: 'Accepted POST /v1/feedback submissions by tenant, adapter@version (or base) and strategy of the scored response.',
    labelNames,
    registers: [register],
  });
  const score = new Histogram({
    name: 'lorag_feedback_score',
    help: 'Feedback scores (0 = bad … 1 = good) by tenant, adapter@version and strategy; _sum/_count is the mean.',
    labelNames,
    buckets: SCORE_BUCKETS,
    registers: [register],
  });
  return {
    accepted(e) {
      const labels = { tenant: tenant(e.tenant), adapter: adapter(e.adapter), strategy: strategy(e.strategy) };
      total.inc(labels);
      score.observe(labels, e.score);
    },
    render: () => register.metrics(),
  };
}

/** The observer with the feedback series appended to its GET /metrics exposition (absent when metrics are off). */
export function withFeedbackMetrics<T extends TelemetryObserver>(observer: T, metrics: FeedbackMetrics): T {
  const render = observer.renderMetrics;
  if (!render) return observer;
  return {
    ...observer,
    async renderMetrics() {
      const base = await render.call(observer);
      return { ...base, body: `${base.body.trimEnd()}\n${await metrics.render()}` };
    },
  };
}
