/**
 * @module limits/limiter — the rate-limit backend seam (▶ Redis | memory). Per tenant: requests per minute and
 * tokens per minute over a fixed 60 s window that starts with the window's first request, and concurrent
 * requests. `admit` checks all three and charges them together or not at all; `settle` corrects the token
 * charge with the real usage (refund or extra charge) and frees the concurrency slot.
 */

export const WINDOW_MS = 60_000;
/** A concurrency slot whose request never settled (its process died) is reclaimed after this long. */
export const STALE_SLOT_MS = 10 * 60_000;

export interface TenantLimitValues {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  concurrent?: number;
}

export type LimitKind = 'requests' | 'tokens' | 'concurrent';

export interface LimitDecision {
  allowed: boolean;
  /** The limit that refused; null when allowed. */
  refusedBy: LimitKind | null;
  /** Requests / tokens counted in the current window after this decision. */
  usedRequests: number;
  usedTokens: number;
  /** Milliseconds until each window resets. */
  resetRequestsMs: number;
  resetTokensMs: number;
  /** When refused: how long until a retry can pass. */
  retryAfterMs: number;
  /** Tokens charged up front: exactly the estimate (one above the whole limit is refused, never capped). */
  charged: number;
  /** Identifies the token window charged, so that a refund never credits a later window. */
  tokenWindow: string;
  concurrentInUse: number;
}

export interface SettleInput {
  requestId: string;
  tokenWindow: string;
  charged: number;
  /** Real total tokens; null when unknown (the estimate stands). */
  actualTokens: number | null;
}

export interface LimiterBackend {
  admit(tenant: string, limits: TenantLimitValues, estimate: number, requestId: string): Promise<LimitDecision>;
  settle(tenant: string, limits: TenantLimitValues, input: SettleInput): Promise<void>;
}
