/**
 * @module feedback/capture — wraps the telemetry observer so every finished generation request is remembered
 * (id → tenant, adapter@version, strategy) for feedback, without touching the request path. Fire and forget:
 * a store that is down costs the request nothing.
 */
import type { FinishedRequest, TelemetryObserver } from '../telemetry/observer.ts';
import type { FeedbackStore } from './types.ts';

const GENERATION = new Set(['chat', 'completions', 'responses']);

export function withFeedbackCapture(observer: TelemetryObserver, store: FeedbackStore): TelemetryObserver {
  return {
    ...observer,
    requestFinished(r: FinishedRequest) {
      observer.requestFinished(r);
      if (!r.tenant || r.status >= 400 || !GENERATION.has(r.endpoint) || !r.strategy) return;
      // Remembered under the request id and, when there is one, the answer's own id (`response_id`).
      for (const id of r.responseId ? [r.requestId, r.responseId] : [r.requestId]) {
        store
          .rememberServed({ id, tenant: r.tenant, adapter: r.adapter ?? 'base', strategy: r.strategy, at: Date.now() })
          .catch(() => {});
      }
    },
  };
}
