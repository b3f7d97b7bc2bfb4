/**
 * @module upstream/upstream-errors — vLLM's error bodies (nested since v0.10.1, flat before, FastAPI's
 * `{"detail"}` for missing routes) and transport failures, turned into gateway errors.
 */
import { typeForStatus } from '../errors/codes.ts';
import { GatewayError } from '../errors/gateway-error.ts';

export interface UpstreamErrorInfo {
  status: number;
  message: string;
  type: string | null;
  param: string | null;
  /** FastAPI's `{"detail": "Not Found"}`: the route itself does not exist (e.g. runtime LoRA loading is off). */
  routeMissing: boolean;
}

export function parseUpstreamError(status: number, text: string): UpstreamErrorInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { status, message: text.slice(0, 500) || `HTTP ${status}`, type: null, param: null, routeMissing: false };
  }
  const o = (json ?? {}) as Record<string, unknown>;
  const nested = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : null;
  const src = nested ?? o;
  if (!nested && 'detail' in o && !('message' in o)) {
    const detail = typeof o.detail === 'string' ? o.detail : JSON.stringify(o.detail);
    return { status, message: detail, type: null, param: null, routeMissing: status === 404 && detail === 'Not Found' };
  }
  return {
    status,
    message: typeof src.message === 'string' ? src.message : `HTTP ${status}`,
    type: typeof src.type === 'string' ? src.type : null,
    param: typeof src.param === 'string' ? src.param : null,
    routeMissing: false,
  };
}

/** A vLLM error answer to a generation request, as the client should see it. */
export function generationError(info: UpstreamErrorInfo, replicaId: string): GatewayError {
  if (info.status >= 500) {
    return new GatewayError('upstream_error', `The model server (${replicaId}) failed: ${info.message}`, {
      status: 502,
    });
  }
  if (info.status === 429)
    return new GatewayError('rate_limit_exceeded', info.message, { headers: { 'retry-after': '1' } });
  if (info.status === 404) {
    // The gateway registers every adapter it routes to; a 404 here means the replica lost it (restart).
    return new GatewayError(
      'adapter_unavailable',
      `The model server (${replicaId}) does not know the requested model: ${info.message}`,
    );
  }
  const code = /maximum context length/i.test(info.message) ? 'context_length_exceeded' : 'invalid_request';
  return new GatewayError(code, info.message, {
    status: info.status,
    type: typeForStatus(info.status),
    param: info.param,
  });
}

/** Transport failures: timeouts → 504, refused/reset connections → retryable on another replica. */
export function transportError(err: unknown, replicaId: string): GatewayError {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GatewayError('upstream_timeout', `The model server (${replicaId}) timed out (${code}).`, { cause: err });
  }
  // Only the error code reaches the tenant: the message names the upstream's address (the cause keeps it for logs).
  return new GatewayError(
    'upstream_error',
    `The model server (${replicaId}) is unreachable (${code || 'transport error'}).`,
    {
      cause: err,
    },
  );
}

/** Connection-level failures where nothing reached the model: safe to retry elsewhere. */
export function isConnectFailure(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return [
    'ECONNREFUSED',
    'ECONNRESET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_SOCKET',
    'EPIPE',
    'ENOTFOUND',
    'EHOSTUNREACH',
  ].includes(code);
}

/** The one `no_healthy_replica` (503, retryable after a second): nothing of the base model can take the request. */
export function noHealthyReplica(baseModel: string, lastError?: GatewayError): GatewayError {
  const why = lastError ? ` (last error: ${lastError.message})` : '';
  return new GatewayError(
    'no_healthy_replica',
    `No healthy model server for ${baseModel} could take the request${why}.`,
    {
      headers: { 'retry-after': '1' },
    },
  );
}

/** The adapter cannot be had where it was looked for (not preloaded, runtime loading off). */
export function adapterUnavailable(adapterId: string, where: string): GatewayError {
  return new GatewayError('adapter_unavailable', runtimeOffMessage(adapterId, where));
}

export function runtimeOffMessage(adapterId: string, where: string): string {
  return (
    `Adapter ${adapterId} is not preloaded on ${where}, and runtime LoRA loading is off there ` +
    '(start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=true, or preload the adapter with --lora-modules and list it under `preloaded:`).'
  );
}
