/**
 * @module deps — builds the request path's dependencies from the config: one implementation per seam,
 * chosen by the config's `kind`. The only place that knows which backends exist.
 */

import { createMemoryAdminStateStore } from './adapters/admin-state-memory.ts';
import { createRedisAdminStateStore } from './adapters/admin-state-redis.ts';
import { AdminStateSync } from './adapters/admin-state-sync.ts';
import { createRedisLock } from './adapters/redis-lock.ts';
import { loadRegistry } from './adapters/registry.ts';
import type { ExtraRoutes } from './app.ts';
import { buildKeyIndex } from './auth/authenticate.ts';
import { createBudgets } from './budgets/index.ts';
import { createCacheStage } from './cache/index.ts';
import type { Config } from './config/schema.ts';
import { createEmbedder } from './embeddings/create-embedder.ts';
import { withFeedbackCapture } from './feedback/capture.ts';
import { createMemoryFeedbackStore } from './feedback/memory-store.ts';
import { createFeedbackMetrics, withFeedbackMetrics } from './feedback/metrics.ts';
import { createRedisFeedbackStore } from './feedback/redis-store.ts';
import type { ConfigState, Deps, Observer } from './http/deps.ts';
import { silentObserver } from './http/deps.ts';
import { adminAdapterRoutes } from './http/routes/admin-adapters.ts';
import { adminBudgetRoutes } from './http/routes/admin-budgets.ts';
import { adminCacheRoutes } from './http/routes/admin-cache.ts';
import { adminKnowledgeRoutes } from './http/routes/admin-knowledge.ts';
import { adminUsageRoutes } from './http/routes/admin-usage.ts';
import { adminUsageReportRoutes } from './http/routes/admin-usage-report.ts';
import { adminFeedbackRoutes, feedbackRoutes } from './http/routes/feedback.ts';
import { knowledgeRoutes } from './http/routes/knowledge.ts';
import { createKnowledgeService } from './ingest/knowledge-service.ts';
import { createRateLimitStage } from './limits/index.ts';
import { createVectorStore } from './rag/create-vector-store.ts';
import { createRetrievalStage } from './rag/index.ts';
import { redisFromConfig } from './redis/connection.ts';
import { createRedisSlots } from './upstream/redis-slots.ts';
import { type PoolEvents, ReplicaPool } from './upstream/replica-pool.ts';
import { createHitsLedger } from './usage/hits-ledger.ts';
import { createUsageLedger } from './usage/index.ts';

export function buildState(config: Config): ConfigState {
  return { config, keys: buildKeyIndex(config), registry: loadRegistry(config.adapters.dir) };
}

export interface Built {
  deps: Deps;
  extra: ExtraRoutes;
  /** Swaps in a new config (SIGHUP); the caller has validated it. */
  reload(config: Config): void;
  close(): Promise<void>;
}

export async function buildDeps(
  config: Config,
  options: { observer?: Observer; poolEvents?: PoolEvents } = {},
): Promise<Built> {
  let state = buildState(config);
  // One shared connection for cache, limits and the usage ledger; absent without redis.url.
  const redis = redisFromConfig(config.redis, 'lorag');
  // With Redis, adapter loads are single-flight across gateway processes (a short lock per replica+adapter).
  const lockRedis = redisFromConfig(config.redis, 'lorag-adapter-lock');
  // Budgets wrap the rate-limit stage (reserve on admission, settle with real usage) and add chargeback metrics.
  const budgetView = () => ({ config: state.config, baseOf: (a: string) => state.registry.get(a)?.base_model });
  const hits = createHitsLedger(redis);
  const budgets = createBudgets({ current: budgetView, redis, hits });
  // Served requests are remembered (id → tenant, adapter@version, strategy) for POST /v1/feedback.
  const feedback = redis ? createRedisFeedbackStore(redis) : createMemoryFeedbackStore();
  const feedbackMetrics = createFeedbackMetrics({ tenants: Object.keys(config.tenants) });
  const observer = withFeedbackMetrics(
    withFeedbackCapture(budgets.wrapObserver(options.observer ?? silentObserver), feedback),
    feedbackMetrics,
  );
  const embedder = createEmbedder(config);
  // No tenant with collections: no store is opened (nor its native module loaded).
  const usesKnowledge = Object.values(config.tenants).some((t) => t.collections.length > 0);
  const store = usesKnowledge ? createVectorStore(config) : Promise.resolve(null);
  const retrieval = createRetrievalStage(config, { store, embedder });
  const knowledge = createKnowledgeService({ store: () => store, embedder, revisionCache: retrieval.revisionCache });
  const pool = new ReplicaPool(config.upstreams, {
    lock: lockRedis && createRedisLock(lockRedis),
    // With Redis, in-flight counts per (replica, adapter) are shared, so LoRA affinity holds across gateways.
    slots: lockRedis && createRedisSlots(lockRedis),
    events: options.poolEvents,
  });
  // Admin state (versions, splits, retirements, drains) over the manifests: in Redis when configured, so every
  // gateway applies a change within a second; else per process (persisted to the manifests).
  const adminRedis = redisFromConfig(
    { ...config.redis, command_timeout_ms: Math.max(config.redis.command_timeout_ms, 500) },
    'lorag-admin-state',
  );
  const admin = new AdminStateSync(
    adminRedis ? createRedisAdminStateStore(adminRedis) : createMemoryAdminStateStore(),
    pool,
    () => state.registry,
  );
  // Wait (briefly) for both connections: a gateway that serves its first requests before the shared connection is
  // up would admit them on per-process limits, over the cluster-wide budget.
  await Promise.all([adminRedis?.waitReady(1000), redis?.waitReady(1000)]);
  await admin.start();
  const deps: Deps = {
    current: () => admin.view(state),
    pool,
    cache: createCacheStage(config, config.cache.kind === 'redis' ? redis : undefined),
    limits: budgets.wrapLimits(createRateLimitStage(config, config.limits.kind === 'redis' ? redis : undefined)),
    ledger: createUsageLedger(config, redis),
    retrieval,
    embedder,
    observer,
    async dependencyStatus() {
      const out: Record<string, { ok: boolean; detail?: string }> = {};
      const vs = await store.catch(() => null);
      if (usesKnowledge) out.vector_store = { ok: vs !== null, detail: config.vector_store.kind };
      if (redis)
        out.redis = { ok: redis.healthy, detail: redis.healthy ? undefined : 'unreachable: cache and limits degraded' };
      return out;
    },
  };
  return {
    deps,
    extra: {
      v1: [knowledgeRoutes({ knowledge }), feedbackRoutes({ feedback, metrics: feedbackMetrics })],
      admin: [
        adminAdapterRoutes(deps, admin),
        adminCacheRoutes(deps),
        adminUsageRoutes(deps),
        adminFeedbackRoutes({ feedback }),
        adminBudgetRoutes({ current: budgetView, store: budgets.store, log: budgets.log }),
        adminUsageReportRoutes({ current: budgetView, ledger: deps.ledger, hits }),
        adminKnowledgeRoutes({ knowledge, current: () => deps.current() }),
      ],
    },
    reload(next) {
      state = buildState(next);
      admin.apply();
    },
    async close() {
      await pool.close();
      await deps.cache.close?.();
      await deps.limits.close?.();
      await deps.ledger.close?.();
      await hits.close?.();
      await retrieval.close();
      await (await store.catch(() => null))?.close();
      await lockRedis?.close();
      await admin.close();
      await adminRedis?.close();
      await redis?.close();
    },
  };
}
