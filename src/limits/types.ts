/**
 * @module limits/types — what the request path needs from the rate-limit stage: `admit()` before any work
 * (throws GatewayError `rate_limit_exceeded` with `retry-after` and `x-ratelimit-*` headers), then
 * `settle()` exactly once with the real usage when the request ends (releases the concurrency slot).
 */
import type { TenantConfig } from '../config/schema.ts';
import type { Usage } from '../openai/responses.ts';

export interface Admission {
  /** `x-ratelimit-*` headers for the response. */
  headers: Record<string, string>;
  /** The shared backend (Redis) failed and the per-process fallback decided: `x-lorag-degraded: limits`. */
  degraded: boolean;
  /** Records real token usage (null when unknown) and releases the concurrent-request slot. Idempotent. */
  settle(usage: Usage | null): void;
}

export interface AdmitInput {
  tenantId: string;
  tenant: TenantConfig;
  /** Estimated prompt + max completion tokens, charged up front and corrected by settle(). */
  estimatedTokens: number;
  /** The API key's name (per-key budgets). */
  keyName?: string;
  /** The model the client asked for (prices per adapter). */
  model?: string;
}

export interface RateLimitStage {
  admit(input: AdmitInput): Promise<Admission>;
  close?(): Promise<void>;
}

export const noLimits: RateLimitStage = {
  async admit() {
    return { headers: {}, degraded: false, settle() {} };
  },
};
