/**
 * @module http/routes/admin-cache — `/admin/cache/*` (admin key, checked by app.ts): `POST /cache/purge` with
 * `{tenant?, adapter?, collection?}` (every given filter must match; an adapter name covers all its versions;
 * `{}` purges everything) and `GET /cache/stats` (hits, misses, bypass, coalesced, entries, bytes per
 * tenant). A shared cache that is down answers 503 rather than a partial result.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { ResponseCacheStage } from '../../cache/types.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';

const purgeSchema = z
  .object({
    tenant: z.string().min(1).optional(),
    adapter: z.string().min(1).optional(),
    collection: z.string().min(1).optional(),
  })
  .strict();

function unavailable(err: unknown): never {
  if (err instanceof GatewayError) throw err;
  throw new GatewayError('internal_error', 'The response cache backend is unavailable; try again.', {
    status: 503,
    cause: err,
  });
}

export function adminCacheRoutes(deps: { cache: ResponseCacheStage }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/cache/purge', async (c) => {
    const filter = validate(purgeSchema, await readJson(c, 64 * 1024));
    const purged = await (deps.cache.purge?.(filter) ?? Promise.resolve(0)).catch(unavailable);
    return c.json({ purged, filter });
  });
  app.get('/cache/stats', async (c) => {
    const tenants = await (deps.cache.stats?.() ?? Promise.resolve({})).catch(unavailable);
    return c.json({ tenants });
  });
  return app;
}
