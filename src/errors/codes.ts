/**
 * @module errors/codes — the one table of gateway error codes: HTTP status, OpenAI error `type`, and
 * whether a client should retry (sent as `x-should-retry`, which the OpenAI SDKs honour).
 */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  /** OpenAI's type (and code) for an exhausted quota: 429 that retrying cannot fix. */
  | 'insufficient_quota'
  | 'server_error';

export interface ErrorCodeInfo {
  status: number;
  type: OpenAIErrorType;
  retryable: boolean;
}

export const errorCodes = {
  invalid_json: { status: 400, type: 'invalid_request_error', retryable: false },
  invalid_request: { status: 400, type: 'invalid_request_error', retryable: false },
  invalid_value: { status: 400, type: 'invalid_request_error', retryable: false },
  missing_required_parameter: { status: 400, type: 'invalid_request_error', retryable: false },
  strategy_not_allowed: { status: 400, type: 'invalid_request_error', retryable: false },
  context_length_exceeded: { status: 400, type: 'invalid_request_error', retryable: false },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', retryable: false },
  invalid_api_key: { status: 401, type: 'authentication_error', retryable: false },
  expired_api_key: { status: 401, type: 'authentication_error', retryable: false },
  permission_denied: { status: 403, type: 'permission_error', retryable: false },
  model_not_found: { status: 404, type: 'not_found_error', retryable: false },
  collection_not_found: { status: 404, type: 'not_found_error', retryable: false },
  not_found: { status: 404, type: 'not_found_error', retryable: false },
  method_not_allowed: { status: 405, type: 'invalid_request_error', retryable: false },
  request_too_large: { status: 413, type: 'invalid_request_error', retryable: false },
  request_timeout: { status: 408, type: 'invalid_request_error', retryable: true },
  headers_too_large: { status: 431, type: 'invalid_request_error', retryable: false },
  /** The client went away before its request was read (nginx's 499); only ever seen in logs. */
  client_closed_request: { status: 499, type: 'invalid_request_error', retryable: false },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', retryable: true },
  /** A tenant or key budget is spent for its period (budgets/): `x-should-retry: false`, so SDKs do not retry. */
  insufficient_quota: { status: 429, type: 'insufficient_quota', retryable: false },
  internal_error: { status: 500, type: 'server_error', retryable: true },
  upstream_error: { status: 502, type: 'server_error', retryable: true },
  adapter_unavailable: { status: 503, type: 'server_error', retryable: true },
  no_healthy_replica: { status: 503, type: 'server_error', retryable: true },
  retrieval_unavailable: { status: 503, type: 'server_error', retryable: true },
  embeddings_unavailable: { status: 503, type: 'server_error', retryable: true },
  upstream_timeout: { status: 504, type: 'server_error', retryable: true },
  /** The budget store (Redis) is down and the tenant's `on_store_failure` is `closed`. */
  budget_unavailable: { status: 503, type: 'server_error', retryable: true },
  /** The gateway is draining (SIGTERM): another replica of the gateway will take the request. */
  shutting_down: { status: 503, type: 'server_error', retryable: true },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

/** OpenAI's error `type` for an HTTP status we pass through from vLLM. */
export function typeForStatus(status: number): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
