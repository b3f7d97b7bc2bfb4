/**
 * @module limits/rate-limit-stage — the stage the request path calls: `admit()` before any work, `settle()` when
 * the request ends. Decisions come from the shared backend (Redis) while it answers within its deadline, else
 * from this process's memory backend (`degraded`: each replica then enforces the full limit on its own). A
 * request is settled on the backend that admitted it. Tenants without limits never touch either backend.
 */
import { randomUUID } from 'node:crypto';
import type { Usage } from '../openai/responses.ts';
import { rateLimitError, rateLimitHeaders, requestTooLarge } from './headers.ts';
import type { LimitDecision, LimiterBackend, TenantLimitValues } from './limiter.ts';
import type { Admission, AdmitInput, RateLimitStage } from './types.ts';

export interface RateLimitStageOptions {
  /** The per-process backend; alone when limits are `memory`, the fallback when they are `redis`. */
  local: LimiterBackend;
  shared?: { backend: LimiterBackend; available(): boolean };
}

const unlimited: Admission = { headers: {}, degraded: false, settle() {} };

export function limitValues(input: AdmitInput): TenantLimitValues {
  const l = input.tenant.limits;
  return { requestsPerMinute: l.requests_per_minute, tokensPerMinute: l.tokens_per_minute, concurrent: l.concurrent };
}

export function createRateLimiter(options: RateLimitStageOptions): RateLimitStage {
  return {
    async admit(input) {
      const limits = limitValues(input);
      if (!limits.requestsPerMinute && !limits.tokensPerMinute && !limits.concurrent) return unlimited;
      const requestId = randomUUID();
      const estimate = Math.max(0, Math.round(input.estimatedTokens));
      // A request larger than the whole per-minute budget can never pass: refused before any backend is asked
      // (nothing charged), as OpenAI does ("Request too large … on tokens per min"), and marked not retryable.
      if (limits.tokensPerMinute && estimate > limits.tokensPerMinute) throw requestTooLarge(limits, estimate);
      let backend = options.local;
      let degraded = false;
      let decision: LimitDecision | undefined;
      if (options.shared) {
        if (options.shared.available()) {
          try {
            decision = await options.shared.backend.admit(input.tenantId, limits, estimate, requestId);
            backend = options.shared.backend;
          } catch {
            degraded = true;
          }
        } else {
          degraded = true;
        }
      }
      decision ??= await options.local.admit(input.tenantId, limits, estimate, requestId);
      if (!decision.allowed) throw rateLimitError(limits, decision, estimate);
      let settled = false;
      const { charged, tokenWindow } = decision;
      return {
        headers: rateLimitHeaders(limits, decision),
        degraded,
        settle(usage: Usage | null) {
          if (settled) return;
          settled = true;
          // null: refused before or by the model server (or no answer at all), so nothing was generated:
          // the whole estimate is refunded.
          const actualTokens = usage ? usage.total_tokens : 0;
          backend.settle(input.tenantId, limits, { requestId, tokenWindow, charged, actualTokens }).catch(() => {});
        },
      };
    },
  };
}
