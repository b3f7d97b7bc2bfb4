/**
 * @module cache/response-cache — the response cache stage: policy → key → lookup → coalescing → session.
 *
 * Coalescing has two halves. In a process, the first request for a key opens a flight and the identical ones
 * wait on it. Across processes, that local leader also takes a short Redis lock (SET NX PX, renewed while the
 * upstream call runs); if another process holds it, the local leader polls for the other's stored answer
 * (`coalesced`) until the lock disappears without an answer (holder died or abandoned: it tries to take the
 * lock itself) or `coalesce_wait_ms` passes (it calls upstream unlocked: `miss`). Any store failure makes the
 * request proceed without the shared cache (`degraded`); in-process coalescing keeps working meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Flight, Flights, waitAtMost } from './coalesce.ts';
import { cacheKey } from './key.ts';
import { cacheDecision } from './policy.ts';
import type { CacheStore, PurgeFilter, TenantCacheStats } from './store.ts';
import type {
  CacheBeginInput,
  CachedCompletion,
  CacheLookahead,
  CacheSession,
  CacheStatus,
  ResponseCacheStage,
} from './types.ts';

export interface CacheAdmin {
  purge(filter: PurgeFilter): Promise<number>;
  stats(): Promise<Record<string, TenantCacheStats>>;
}

/** What `createCacheStage` returns: the request-path stage plus the admin operations. */
export type CacheStage = ResponseCacheStage & CacheAdmin;

export interface ResponseCacheOptions {
  store: CacheStore;
  ttlS: number;
  maxEntryBytes: number;
  coalesceWaitMs: number;
  lockTtlMs: number;
}

const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 100;

export function createResponseCache(options: ResponseCacheOptions): CacheStage {
  const { store } = options;
  const flights = new Flights();
  const renewals = new Set<NodeJS.Timeout>();

  function parse(value: string | null): CachedCompletion | null {
    if (value === null) return null;
    try {
      return JSON.parse(value) as CachedCompletion;
    } catch {
      return null;
    }
  }

  function session(
    status: CacheStatus,
    entry: CachedCompletion | null,
    degraded: boolean,
    tenant: string,
  ): CacheSession {
    store.count(tenant, status);
    return { status, entry, degraded, async complete() {}, abandon() {} };
  }

  return {
    lookahead(input: CacheBeginInput): CacheLookahead | undefined {
      const decision = cacheDecision(input.tenant, input.body, input.cacheControl);
      if (decision.bypassReason || !decision.lookup || !store.available) return undefined;
      const hash = cacheKey(input);
      const value = store.get(input.tenantId, hash).then(
        (v) => ({ value: v, failed: false }),
        () => ({ value: null, failed: true }),
      );
      return { hash, value };
    },

    async begin(input: CacheBeginInput, lookahead?: CacheLookahead): Promise<CacheSession> {
      const tenant = input.tenantId;
      const decision = cacheDecision(input.tenant, input.body, input.cacheControl);
      if (decision.bypassReason) return session('bypass', null, false, tenant);

      const hash = lookahead?.hash ?? cacheKey(input);
      const flightKey = `${tenant}:${hash}`;
      const ttlMs = (input.tenant.cache.ttl_s ?? options.ttlS) * 1000;
      const deadline = Date.now() + options.coalesceWaitMs;
      // Known down: skip the shared store without waiting, and say so from the start (headers go out first).
      let degraded = !store.available;
      /** Runs a store call; on failure marks the request degraded and yields `fallback`. */
      async function guarded<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
        if (degraded || !store.available) {
          degraded = true;
          return fallback;
        }
        try {
          return await fn();
        } catch {
          degraded = true;
          return fallback;
        }
      }

      function leader(flight: Flight | null, lockToken: string | null): CacheSession {
        let done = false;
        let timer: NodeJS.Timeout | undefined;
        if (lockToken) {
          timer = setInterval(
            () => {
              store.renewLock(tenant, hash, lockToken, options.lockTtlMs).catch(() => {});
            },
            Math.max(options.lockTtlMs / 3, 10),
          );
          timer.unref();
          renewals.add(timer);
        }
        function finish(): void {
          done = true;
          if (timer) {
            clearInterval(timer);
            renewals.delete(timer);
          }
        }
        async function release(): Promise<void> {
          if (lockToken) await store.unlock(tenant, hash, lockToken).catch(() => {});
        }
        store.count(tenant, 'miss');
        return {
          status: 'miss',
          entry: null,
          get degraded() {
            return degraded;
          },
          async complete(entry) {
            if (done) return;
            finish();
            const value = JSON.stringify(entry);
            // Stored before the lock goes, so that a follower in another process finds it when the lock is gone.
            if (decision.store && Buffer.byteLength(value) <= options.maxEntryBytes) {
              const tags = {
                adapter: input.plan.adapterLabel,
                collections: input.plan.retrieval ? input.plan.collections : [],
              };
              await guarded(() => store.set(tenant, hash, value, tags, ttlMs), undefined);
            }
            flight?.settle(entry);
            await release();
          },
          abandon() {
            if (done) return;
            finish();
            flight?.settle(null);
            void release();
          },
        };
      }

      if (!decision.lookup) return leader(null, null);
      const early = lookahead ? await lookahead.value : null;
      if (early?.failed) degraded = true;
      const stored = parse(early ? early.value : await guarded(() => store.get(tenant, hash), null));
      if (stored) return session('hit', stored, degraded, tenant);

      for (;;) {
        const pending = flights.get(flightKey);
        if (pending) {
          const result = await waitAtMost(pending.promise, deadline - Date.now());
          if (result === 'timedOut') return leader(null, null);
          if (result.value) return session('coalesced', result.value, degraded, tenant);
          continue; // the leader abandoned: the next in line leads
        }
        // A request that will not store cannot lead: its followers would wait for nothing.
        if (!decision.store) return leader(null, null);
        const flight = flights.open(flightKey);
        // One process owns a memory store: the in-process flight is all the coalescing there is to do.
        if (store.kind === 'memory') return leader(flight, null);
        const token = randomUUID();
        let poll = POLL_FIRST_MS;
        while (!(await guarded(() => store.tryLock(tenant, hash, token, options.lockTtlMs), false))) {
          // Another process leads: wait for its answer, its lock's disappearance (then take it), or our deadline.
          const remaining = deadline - Date.now();
          if (degraded || remaining <= 0) return leader(flight, null);
          await sleep(Math.min(poll, remaining));
          poll = Math.min(poll * 2, POLL_MAX_MS);
          let seen = await guarded(() => store.peek(tenant, hash), { value: null, locked: false });
          while (!seen.value && seen.locked && !degraded && Date.now() < deadline) {
            await sleep(Math.min(poll, Math.max(deadline - Date.now(), 1)));
            poll = Math.min(poll * 2, POLL_MAX_MS);
            seen = await guarded(() => store.peek(tenant, hash), { value: null, locked: false });
          }
          const entry = parse(seen.value);
          if (entry) {
            flight.settle(entry);
            return session('coalesced', entry, degraded, tenant);
          }
        }
        if (degraded) return leader(flight, null);
        // The previous leader may have stored and unlocked between our lookup and our lock: look once more.
        const late = parse(await guarded(() => store.get(tenant, hash), null));
        if (late) {
          void store.unlock(tenant, hash, token).catch(() => {});
          flight.settle(late);
          return session('hit', late, degraded, tenant);
        }
        return leader(flight, degraded ? null : token);
      }
    },
    purge: (filter) => store.purge(filter),
    stats: () => store.stats(),
    async close() {
      for (const t of renewals) clearInterval(t);
      renewals.clear();
      await store.close?.();
    },
  };
}
