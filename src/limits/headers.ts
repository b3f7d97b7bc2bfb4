/** @module limits/headers — OpenAI's `x-ratelimit-*` headers and the 429 error for a limit decision. Pure. */
import { GatewayError } from '../errors/gateway-error.ts';
import type { LimitDecision, TenantLimitValues } from './limiter.ts';

/** A duration as OpenAI writes resets: `250ms`, `12s`, `1m30s`, `6m0s`, `1.5s`. */
export function formatReset(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1000) return `${v}ms`;
  const minutes = Math.floor(v / 60_000);
  const seconds = Math.round((v % 60_000) / 100) / 10;
  return minutes > 0 ? `${minutes}m${Math.floor(seconds)}s` : `${seconds}s`;
}

export function rateLimitHeaders(limits: TenantLimitValues, d: LimitDecision): Record<string, string> {
  const h: Record<string, string> = {};
  if (limits.requestsPerMinute) {
    h['x-ratelimit-limit-requests'] = String(limits.requestsPerMinute);
    h['x-ratelimit-remaining-requests'] = String(Math.max(0, limits.requestsPerMinute - d.usedRequests));
    h['x-ratelimit-reset-requests'] = formatReset(d.resetRequestsMs);
  }
  if (limits.tokensPerMinute) {
    h['x-ratelimit-limit-tokens'] = String(limits.tokensPerMinute);
    h['x-ratelimit-remaining-tokens'] = String(Math.max(0, limits.tokensPerMinute - d.usedTokens));
    h['x-ratelimit-reset-tokens'] = formatReset(d.resetTokensMs);
  }
  return h;
}

const describe = {
  requests: 'requests per minute (RPM)',
  tokens: 'tokens per minute (TPM)',
  concurrent: 'concurrent requests',
} as const;

/** The 429 for a refused decision, with `retry-after` (whole seconds, at least 1) and `retry-after-ms`. */
export function rateLimitError(limits: TenantLimitValues, d: LimitDecision, requestedTokens: number): GatewayError {
  const kind = d.refusedBy ?? 'requests';
  const limit =
    kind === 'requests' ? limits.requestsPerMinute : kind === 'tokens' ? limits.tokensPerMinute : limits.concurrent;
  const used = kind === 'requests' ? d.usedRequests : kind === 'tokens' ? d.usedTokens : d.concurrentInUse;
  const requested = kind === 'tokens' ? requestedTokens : 1;
  const wait = formatReset(d.retryAfterMs);
  return new GatewayError(
    'rate_limit_exceeded',
    `Rate limit reached for ${describe[kind]}: Limit ${limit}, Used ${used}, Requested ${requested}. Please try again in ${wait}.`,
    {
      headers: {
        ...rateLimitHeaders(limits, d),
        'retry-after': String(Math.max(1, Math.ceil(d.retryAfterMs / 1000))),
        'retry-after-ms': String(Math.max(0, Math.ceil(d.retryAfterMs))),
      },
    },
  );
}

/**
 * A request whose own estimate exceeds the tokens-per-minute limit: 429 like OpenAI's "Request too large"
 * (SDKs map 429 to RateLimitError), but with `x-should-retry: false` and no `retry-after`, because waiting
 * cannot help; the fix is a smaller `max_tokens` or prompt.
 */
export function requestTooLarge(limits: TenantLimitValues, requestedTokens: number): GatewayError {
  return new GatewayError(
    'rate_limit_exceeded',
    `Request too large for tokens per minute (TPM): Limit ${limits.tokensPerMinute}, Requested ${requestedTokens}. ` +
      'The input or output tokens must be reduced in order to run successfully.',
    { param: 'max_tokens', retryable: false },
  );
}
