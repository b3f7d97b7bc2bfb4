/**
 * @module telemetry/request-span — the SERVER span of one HTTP request, the root of the stage spans. It is a
 * handle rather than a callback because a streamed answer outlives the route handler: end it when the last
 * byte was written (or the client went away).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { extractTraceContext } from './propagation.ts';
import { LoragAttr, type SpanHandle, startSpan } from './spans.ts';

export interface RequestSpanInit {
  method: string;
  /** The route pattern (`/v1/chat/completions`), not the raw URL: span names must stay low-cardinality. */
  route: string;
  requestId?: string;
  /** Incoming headers (lower-case names); a `traceparent` there makes this span its child. */
  headers?: Record<string, string | string[] | undefined>;
}

export interface RequestSpan extends SpanHandle {
  /** Sets `http.response.status_code` and ends the span; 5xx (or an error) marks it failed. Idempotent. */
  finish(status: number, error?: unknown): void;
}

export function startRequestSpan(init: RequestSpanInit): RequestSpan {
  const parent = extractTraceContext(init.headers ?? {});
  const handle = startSpan(
    `${init.method} ${init.route}`,
    {
      'http.request.method': init.method,
      'http.route': init.route,
      ...(init.requestId ? { [LoragAttr.requestId]: init.requestId } : {}),
    },
    SpanKind.SERVER,
    parent,
  );
  return {
    ...handle,
    finish(status, error) {
      const { span } = handle;
      if (span.isRecording()) {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500 && error === undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', String(status));
        }
      }
      handle.end(error);
    },
  };
}
