/**
 * @module budgets — `createBudgets()` for the composition root: the budget stage wrapped around the rate-limit
 * stage, the store the admin API and CLI read, and the telemetry observer with chargeback metrics (cost per
 * tenant and adapter, cache hits) added to GET /metrics. `budgets.kind: redis` shares every counter between
 * gateway replicas; `memory` counts per process.
 */
import type { RateLimitStage } from '../limits/types.ts';
import type { RedisConnection } from '../redis/connection.ts';
import type { TelemetryObserver } from '../telemetry/observer.ts';
import { type BudgetConfigView, createBudgetStage, priceContext } from './budget-stage.ts';
import { createMemoryBudgetStore } from './memory-store.ts';
import { createBudgetMetrics } from './metrics.ts';
import { costMicros, microsToAmount, priceOf } from './pricing.ts';
import { createRedisBudgetStore } from './redis-store.ts';
import type { BudgetStore } from './store.ts';
import { withBudgets } from './with-budgets.ts';

/** One answer served from the cache (the shape of the usage ledger's record). */
export interface HitRecord {
  tenantId: string;
  adapter: string;
  keyName: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface BudgetsOptions {
  current(): { config: BudgetConfigView; baseOf?(adapter: string): string | undefined };
  redis?: RedisConnection;
  /** Where cache hits are counted for the chargeback report (usage/hits-ledger.ts, built by the caller). */
  hits?: { record(entry: HitRecord): void };
  /** One JSON line per soft-threshold crossing and per admin change; default stderr. */
  log?(entry: Record<string, unknown>): void;
}

export interface Budgets {
  wrapLimits(limits: RateLimitStage): RateLimitStage;
  wrapObserver(observer: TelemetryObserver): TelemetryObserver;
  /** Where the admin API reads and changes budgets: the shared store with Redis, else this process's. */
  store: BudgetStore;
  log(entry: Record<string, unknown>): void;
}

export function createBudgets(options: BudgetsOptions): Budgets {
  const log = options.log ?? ((e) => process.stderr.write(`${JSON.stringify(e)}\n`));
  const initial = options.current().config;
  const local = createMemoryBudgetStore();
  const redis = initial.budgets.kind === 'redis' ? options.redis : undefined;
  if (initial.budgets.kind === 'redis' && !redis) throw new Error('budgets.kind is redis but redis.url is not set');
  const shared = redis ? { store: createRedisBudgetStore(redis), available: () => redis.healthy } : undefined;
  const metrics = createBudgetMetrics({
    tenants: Object.keys(initial.tenants),
    keys: Object.values(initial.budgets.tenants).flatMap((b) => Object.keys(b.keys)),
    currency: initial.prices.currency,
  });
  const stage = createBudgetStage({
    current: options.current,
    local,
    shared,
    events: {
      observed: metrics.observed,
      refused: metrics.refused,
      storeFailed: (tenant) => metrics.storeFailed(tenant),
      softCrossed(line, used, limit) {
        metrics.softCrossed(line);
        log({
          level: 'warn',
          msg: 'budget soft threshold crossed',
          tenant: line.tenant,
          key: line.key,
          period: line.window.label,
          unit: line.spec.unit,
          soft: line.spec.soft,
          used: line.spec.unit === 'cost' ? microsToAmount(used) : used,
          limit: line.spec.unit === 'cost' ? microsToAmount(limit) : limit,
        });
      },
    },
  });
  return {
    store: shared?.store ?? local,
    log,
    wrapLimits: (limits) => withBudgets(limits, stage),
    wrapObserver(observer) {
      return {
        ...observer,
        requestFinished(r) {
          observer.requestFinished(r);
          if (r.status !== 200 || r.adapter === null || r.tenant === null || !r.usage) return;
          const { config, baseOf } = options.current();
          const cached = r.cache === 'hit' || r.cache === 'coalesced';
          const usage = { prompt_tokens: r.usage.prompt_tokens, completion_tokens: r.usage.completion_tokens ?? 0 };
          const price = priceOf(r.adapter, priceContext(config, r.tenant, baseOf));
          const cost = costMicros(usage, price, cached ? config.prices.cached_factor : 1);
          metrics.chargeback(r.tenant, r.adapter, cached, microsToAmount(cost));
          if (cached) {
            options.hits?.record({
              tenantId: r.tenant,
              adapter: r.adapter,
              keyName: '*',
              usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
            });
          }
        },
        renderMetrics: observer.renderMetrics
          ? async () => {
              const base = await observer.renderMetrics!();
              return { ...base, body: `${base.body.trimEnd()}\n${await metrics.render()}` };
            }
          : undefined,
      };
    },
  };
}
