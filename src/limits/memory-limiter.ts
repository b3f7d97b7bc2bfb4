/** @module limits/memory-limiter — the per-process LimiterBackend (also the fallback while Redis is down). */
import { type LimitDecision, type LimiterBackend, STALE_SLOT_MS, WINDOW_MS } from './limiter.ts';

interface Window {
  start: number;
  used: number;
}

export function createMemoryLimiter(now: () => number = Date.now): LimiterBackend {
  const requests = new Map<string, Window>();
  const tokens = new Map<string, Window>();
  const slots = new Map<string, Map<string, number>>();

  function current(map: Map<string, Window>, tenant: string): Window | undefined {
    const w = map.get(tenant);
    if (w && now() - w.start >= WINDOW_MS) {
      map.delete(tenant);
      return undefined;
    }
    return w;
  }
  const resetIn = (w: Window | undefined) => (w ? WINDOW_MS - (now() - w.start) : WINDOW_MS);
  function charge(map: Map<string, Window>, tenant: string, n: number): Window {
    const w = current(map, tenant);
    if (w) {
      w.used += n;
      return w;
    }
    const fresh = { start: now(), used: n };
    map.set(tenant, fresh);
    return fresh;
  }

  return {
    async admit(tenant, limits, estimate, requestId) {
      const rpm = limits.requestsPerMinute ?? 0;
      const tpm = limits.tokensPerMinute ?? 0;
      const conc = limits.concurrent ?? 0;
      const inUse = slots.get(tenant);
      if (inUse) for (const [id, at] of inUse) if (now() - at >= STALE_SLOT_MS) inUse.delete(id);
      const r = current(requests, tenant);
      const t = current(tokens, tenant);
      // Charged exactly its own estimate: one that exceeds the whole budget can never pass (the stage refuses
      // it up front; refused here too, so no backend ever charges a request more than its own bound).
      const chargeTokens = estimate;
      const d: LimitDecision = {
        allowed: true,
        refusedBy: null,
        usedRequests: r?.used ?? 0,
        usedTokens: t?.used ?? 0,
        resetRequestsMs: resetIn(r),
        resetTokensMs: resetIn(t),
        retryAfterMs: 0,
        charged: 0,
        tokenWindow: '',
        concurrentInUse: inUse?.size ?? 0,
      };
      if (conc > 0 && d.concurrentInUse >= conc) Object.assign(d, { refusedBy: 'concurrent', retryAfterMs: 1000 });
      else if (rpm > 0 && d.usedRequests + 1 > rpm)
        Object.assign(d, { refusedBy: 'requests', retryAfterMs: d.resetRequestsMs });
      else if (tpm > 0 && (chargeTokens > tpm || d.usedTokens + chargeTokens > tpm))
        Object.assign(d, { refusedBy: 'tokens', retryAfterMs: d.resetTokensMs });
      if (d.refusedBy) return { ...d, allowed: false };
      if (rpm > 0) d.usedRequests = charge(requests, tenant, 1).used;
      if (tpm > 0) {
        const w = charge(tokens, tenant, chargeTokens);
        d.usedTokens = w.used;
        d.charged = chargeTokens;
        d.tokenWindow = String(w.start);
      }
      if (conc > 0) {
        const held = inUse ?? new Map<string, number>();
        slots.set(tenant, held);
        held.set(requestId, now());
        d.concurrentInUse = held.size;
      }
      return d;
    },
    async settle(tenant, limits, input) {
      slots.get(tenant)?.delete(input.requestId);
      if (!limits.tokensPerMinute || input.actualTokens === null) return;
      // actualTokens 0 (refused before or by the model server) refunds the whole charge.
      const delta = input.actualTokens - input.charged;
      const w = current(tokens, tenant);
      if (w && String(w.start) === input.tokenWindow) w.used = Math.max(0, w.used + delta);
      else if (delta > 0) charge(tokens, tenant, delta);
    },
  };
}
