/**
 * @module budgets/with-budgets — the rate-limit stage with budgets in front of it, as the request path sees it
 * (composed in src/deps.ts): one `admit()` reserves the budget and then the rate limits (a refusal by the limits
 * refunds the budget reservation), one `settle()` settles both, headers merged. The budget goes first so that a
 * spent budget answers `insufficient_quota` (do not retry) rather than a retryable rate limit.
 *
 * Until the request path passes them in `admit()`, `keyName` and `model` are read when present: without
 * `keyName` only tenant budgets apply, without `model` the tenant's highest price is charged.
 */
import type { Admission, AdmitInput, RateLimitStage } from '../limits/types.ts';
import type { BudgetStage } from './budget-stage.ts';

export type AdmitWithBudget = AdmitInput & { keyName?: string; model?: string };

/** The budget stage's degradation travels in the admission's headers (the request path's kinds are fixed). */
export const DEGRADED_HEADER = 'x-lorag-degraded';

export function withBudgets(limits: RateLimitStage, budgets: BudgetStage): RateLimitStage {
  return {
    async admit(input: AdmitWithBudget): Promise<Admission & { budgetDegraded?: boolean }> {
      const budget = await budgets.admit({
        tenantId: input.tenantId,
        estimatedTokens: input.estimatedTokens,
        keyName: input.keyName,
        model: input.model,
      });
      let limit: Admission;
      try {
        limit = await limits.admit(input);
      } catch (err) {
        budget.settle(null);
        throw err;
      }
      const headers = { ...limit.headers, ...budget.headers };
      // responseHeaders (http/generation-context.ts) appends `budget` to the other degradations it lists.
      if (budget.degraded) headers[DEGRADED_HEADER] = 'budget';
      return {
        headers,
        degraded: limit.degraded,
        budgetDegraded: budget.degraded,
        settle(usage) {
          limit.settle(usage);
          budget.settle(usage);
        },
      };
    },
    close: limits.close?.bind(limits),
  };
}
