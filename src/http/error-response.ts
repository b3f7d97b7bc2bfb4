/**
 * @module http/error-response — every error leaves as OpenAI's envelope with the right status; unknown
 * errors become a 500 without a stack trace (the stack goes to the log).
 */
import type { Context } from 'hono';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import { redactInternals } from './redact.ts';

export function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('internal_error', 'The gateway hit an internal error. It has been logged.', { cause: err });
}

export function errorResponse(c: Context, err: unknown, extraHeaders: Record<string, string> = {}): Response {
  const e = toGatewayError(err);
  if (e.code === 'internal_error')
    console.error(`[${c.get('requestId') ?? '-'}]`, (e.cause as Error)?.stack ?? e.cause);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders, ...e.headers };
  if (e.retryable) headers['x-should-retry'] = 'true';
  else headers['x-should-retry'] = 'false';
  const body = e.toJSON();
  const message = redactInternals(body.error.message);
  if (message !== body.error.message) {
    // The tenant sees the redacted text; operators find the original by request id.
    console.error(`[${c.get('requestId') ?? '-'}] ${e.code}: ${body.error.message}`);
    body.error.message = message;
  }
  return new Response(JSON.stringify(body), { status: e.status, headers });
}
