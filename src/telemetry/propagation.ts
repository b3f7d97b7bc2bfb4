/**
 * @module telemetry/propagation — W3C trace context in and out. The vLLM client calls undici's Pool.request
 * directly (no fetch instrumentation), so the upstream call injects `traceparent` explicitly. With tracing off
 * the API's no-op propagator writes nothing.
 */
import { type Context, context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * Adds `traceparent` (and `tracestate`/`baggage` when present) for `ctx` — by default the active context, so
 * call it inside the upstream span (`upstreamSpan.run(...)`) or pass `upstreamSpan.context`. Mutates and
 * returns `headers`.
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** The parent context carried by an incoming request's `traceparent` header (lower-case header names). */
export function extractTraceContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}
