/**
 * @module budgets/budget-stage — budgets on the same path as the token limits: `admit()` reserves the request's
 * estimate on every line that applies (tenant and key, each period) in one atomic step before any upstream
 * work, and `settle()` corrects it with the real usage (refunds it all when the request failed: usage null).
 * A request that does not fit is refused with 429 `insufficient_quota` (`x-should-retry: false`). While the
 * shared store (Redis) fails, a tenant's `on_store_failure` decides: `open` counts in this process
 * (`degraded`), `closed` refuses with 503 `budget_unavailable`.
 */
import type { BudgetsConfig, PricesConfig } from '../config/budgets-schema.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Usage } from '../openai/responses.ts';
import { budgetHeaders, quotaMessage } from './headers.ts';
import { type BudgetLine, linesFor } from './lines.ts';
import { costMicros, type PriceContext, priceForRequest } from './pricing.ts';
import type { BudgetStore, LineState } from './store.ts';

/** The slice of the config budgets read (structural, so budgets does not depend on the whole schema). */
export interface BudgetConfigView {
  prices: PricesConfig;
  budgets: BudgetsConfig;
  upstreams: { base_models: { name: string }[] };
  tenants: Record<string, { base_model?: string; adapters: string[] }>;
}

export interface BudgetAdmitInput {
  tenantId: string;
  /** Estimated prompt + max completion tokens (the same estimate the token limits reserve). */
  estimatedTokens: number;
  /** The API key's name, for key budgets. */
  keyName?: string;
  /** The `model` the request asked for: its price is reserved and settled (`auto`/unknown: the tenant's highest). */
  model?: string;
}

export interface BudgetAdmission {
  /** `x-lorag-budget-*` headers (empty when no budget applies). */
  headers: Record<string, string>;
  /** The shared store failed and this process's own counters decided (`x-lorag-degraded: budget`). */
  degraded: boolean;
  /** Settles with the real usage (null: the request failed, refund). Idempotent. */
  settle(usage: Usage | null): void;
}

export interface BudgetEvents {
  /** A line's counter went from below its soft threshold to at or above it. */
  softCrossed(line: BudgetLine, used: number, limit: number): void;
  refused(line: BudgetLine): void;
  /** The latest known state of a line (for gauges). */
  observed(line: BudgetLine, used: number, limit: number): void;
  storeFailed(tenant: string, err: unknown): void;
}

export interface BudgetStageOptions {
  current(): { config: BudgetConfigView; baseOf?(adapter: string): string | undefined };
  local: BudgetStore;
  shared?: { store: BudgetStore; available(): boolean };
  events?: Partial<BudgetEvents>;
  now?: () => number;
}

export interface BudgetStage {
  admit(input: BudgetAdmitInput): Promise<BudgetAdmission>;
}

const none: BudgetAdmission = { headers: {}, degraded: false, settle() {} };

export function priceContext(config: BudgetConfigView, tenantId: string, baseOf?: (a: string) => string | undefined) {
  const tenant = config.tenants[tenantId];
  const baseModels = config.upstreams.base_models.map((b) => b.name);
  return {
    prices: config.prices,
    tenantBase: tenant?.base_model ?? baseModels[0],
    tenantAdapters: tenant?.adapters ?? [],
    baseModels,
    baseOf,
  } satisfies PriceContext;
}

export function createBudgetStage(options: BudgetStageOptions): BudgetStage {
  const now = options.now ?? Date.now;
  const ev = options.events ?? {};

  function crossings(lines: BudgetLine[], before: number[], after: LineState[]): void {
    lines.forEach((l, i) => {
      const soft = l.spec.soft * after[i].limit;
      if (before[i] < soft && after[i].used >= soft) ev.softCrossed?.(l, after[i].used, after[i].limit);
      ev.observed?.(l, after[i].used, after[i].limit);
    });
  }

  return {
    async admit(input) {
      const { config, baseOf } = options.current();
      const lines = linesFor(config.budgets, input.tenantId, input.keyName, now());
      if (lines.length === 0) return none;
      const onFailure = config.budgets.tenants[input.tenantId]?.on_store_failure ?? 'open';
      const price = priceForRequest(input.model, priceContext(config, input.tenantId, baseOf));
      const tokens = Math.max(0, Math.ceil(input.estimatedTokens));
      const estimateCost = Math.ceil(tokens * Math.max(price.prompt_per_million, price.completion_per_million));
      const amounts = lines.map((l) => (l.spec.unit === 'tokens' ? tokens : estimateCost));
      const reserveLines = lines.map((l, i) => ({
        id: l.id,
        limit: l.limit,
        amount: amounts[i],
        expireAtMs: l.expireAtMs,
      }));

      let store = options.local;
      let degraded = false;
      let result: Awaited<ReturnType<BudgetStore['reserve']>> | undefined;
      if (options.shared) {
        try {
          if (!options.shared.available()) throw new Error('budget store unavailable');
          result = await options.shared.store.reserve(reserveLines);
          store = options.shared.store;
        } catch (err) {
          ev.storeFailed?.(input.tenantId, err);
          if (onFailure === 'closed') {
            throw new GatewayError(
              'budget_unavailable',
              'The budget store is unavailable and this tenant is configured to refuse requests until it is back (on_store_failure: closed).',
              { cause: err },
            );
          }
          degraded = true;
        }
      }
      result ??= await options.local.reserve(reserveLines);
      if (!result.allowed) {
        const l = lines[result.refused];
        ev.refused?.(l);
        const s = result.after[result.refused];
        throw new GatewayError(
          'insufficient_quota',
          quotaMessage(l, s, amounts[result.refused], config.prices.currency),
          {
            headers: budgetHeaders(lines, result.after, config.prices.currency),
          },
        );
      }
      crossings(lines, result.before, result.after);
      let settled = false;
      return {
        headers: budgetHeaders(lines, result.after, config.prices.currency),
        degraded,
        settle(usage) {
          if (settled) return;
          settled = true;
          const actual = lines.map((l) =>
            usage === null ? 0 : l.spec.unit === 'tokens' ? usage.total_tokens : costMicros(usage, price),
          );
          const adjust = lines
            .map((l, i) => ({ id: l.id, delta: actual[i] - amounts[i], expireAtMs: l.expireAtMs }))
            .filter((a) => a.delta !== 0);
          if (adjust.length === 0) return;
          const adjusted = lines.filter((_, i) => actual[i] !== amounts[i]);
          store
            .adjust(adjust)
            .then((out) =>
              crossings(
                adjusted,
                out.map((o) => o.before),
                out.map((o, i) => ({ used: o.after, limit: result.after[lines.indexOf(adjusted[i])].limit })),
              ),
            )
            .catch((err) => ev.storeFailed?.(input.tenantId, err));
        },
      };
    },
  };
}
