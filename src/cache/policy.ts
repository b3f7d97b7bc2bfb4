/**
 * @module cache/policy — whether a request reads and/or writes the response cache. Pure.
 *
 * Cacheable: the tenant's cache is enabled and the answer is reproducible (`temperature` 0 or a `seed`), or the
 * tenant forces caching. The request's `cache-control` narrows that: `no-cache` (or `max-age=0`) skips the
 * lookup and coalescing but still stores the fresh answer (status `miss`); `no-store` skips the write (a hit
 * is still served). A request that neither looks up nor stores is `bypass`.
 */
import type { TenantConfig } from '../config/schema.ts';
import type { GenerationRequest } from '../openai/requests.ts';

export interface CacheDecision {
  lookup: boolean;
  store: boolean;
  /** Why the cache is not used at all; null when it is. */
  bypassReason: 'disabled' | 'not_deterministic' | 'cache_control' | null;
}

export function parseCacheControl(header: string | undefined): { noCache: boolean; noStore: boolean } {
  const directives = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim().replace(/\s*=\s*/, '='));
  return {
    noCache: directives.includes('no-cache') || directives.includes('max-age=0'),
    noStore: directives.includes('no-store'),
  };
}

export function cacheDecision(
  tenant: TenantConfig,
  body: GenerationRequest,
  cacheControl: string | undefined,
): CacheDecision {
  if (!tenant.cache.enabled) return { lookup: false, store: false, bypassReason: 'disabled' };
  const deterministic = body.temperature === 0 || (body.seed !== undefined && body.seed !== null);
  if (!deterministic && !tenant.cache.force) return { lookup: false, store: false, bypassReason: 'not_deterministic' };
  const cc = parseCacheControl(cacheControl);
  if (cc.noCache && cc.noStore) return { lookup: false, store: false, bypassReason: 'cache_control' };
  return { lookup: !cc.noCache, store: !cc.noStore, bypassReason: null };
}
