/**
 * @module http/routes/admin-adapters — `/admin/*` (admin key, checked by app.ts): adapters and where each is
 * loaded, new versions (persisted to the manifest), retirement (unloaded once drained), default splits, and
 * per-replica load, unload, drain and undrain. Mounted via `extra.admin` by src/deps.ts. Changes to versions,
 * splits and drains go through the admin state store (shared by every gateway when Redis is configured) and
 * are recorded in its audit trail (`GET /admin/audit`) with who and when.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { addVersionOp, drainOp, retireOp, setSplitOp } from '../../adapters/admin-state-ops.ts';
import type { AdminStateSync } from '../../adapters/admin-state-sync.ts';
import { checkNewVersion } from '../../adapters/check-new-version.ts';
import { adapterVersionSchema } from '../../adapters/manifest.ts';
import { canarySplitSchema } from '../../config/schema.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';
import { adminChanges } from './admin-change.ts';
import { adminPromotionRoutes } from './admin-promotion.ts';

const newVersionSchema = adapterVersionSchema.omit({ retired: true }).extend({
  split: canarySplitSchema.optional(),
  /** Without `split`: the new version's share of traffic in percent (default 0: nothing until a canary). */
  canary_share: z.number().min(0).max(100).optional(),
  /** The model card (training's card.json) recorded with the version. */
  card: z.record(z.string(), z.unknown()).optional(),
});
const adapterRefSchema = z.object({ adapter: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be name@version') });
const splitBodySchema = z.object({ split: canarySplitSchema.nullable() });

export function adminAdapterRoutes(deps: Deps, admin: AdminStateSync): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const pool = deps.pool;
  const registry = () => deps.current().registry;
  const limit = () => deps.current().config.server.body_limit_bytes;
  // The manifests alone (admin ops validate against them with the latest stored state laid over).
  const manifests = () => admin.manifests();
  const { actor, change } = adminChanges(deps, admin);

  const replicaOr404 = (id: string) => {
    const r = pool.replicaView(id);
    if (!r) throw new GatewayError('not_found', `No replica '${id}'.`);
    return r;
  };
  const adapterOr404 = (ref: string) => {
    const [name, version] = ref.split('@', 2);
    const a = registry().resolve(name, version);
    if (!a) throw new GatewayError('not_found', `No adapter version '${ref}' in the registry.`, { param: 'adapter' });
    return a;
  };

  app.get('/adapters', (c) => c.json(pool.adminView(registry())));
  app.get('/replicas', (c) => c.json({ object: 'list', data: pool.replicaViews() }));

  app.post('/adapters/:name/versions', async (c) => {
    const name = c.req.param('name');
    const body = validate(newVersionSchema, await readJson(c, limit()));
    const { split, canary_share, card, ...version } = body;
    const manifest = registry().get(name);
    if (!manifest) throw new GatewayError('not_found', `unknown adapter '${name}'`);
    // Refused before anything is recorded, so no tenant request can be the first to hit a bad source.
    const reasons = await checkNewVersion({
      source: version.source,
      baseModel: manifest.base_model,
      adapters: deps.current().config.adapters,
      replicaUrls: pool
        .replicaViews()
        .filter((r) => r.base_model === manifest.base_model)
        .map((r) => r.url),
      rank: version.rank,
    });
    if (reasons.length)
      throw new GatewayError('invalid_value', `${name}@${version.version} refused: ${reasons.join('; ')}`, {
        param: 'source',
      });
    const who = actor(c);
    await change(name, (s) =>
      addVersionOp(manifests(), s, name, { version, split, canaryShare: canary_share, card }, who),
    );
    const resolved = registry().resolve(name, version.version)!;
    return c.json(
      { id: resolved.id, version: resolved.version, source: resolved.source, split: registry().defaultSplit(name) },
      201,
    );
  });

  app.put('/adapters/:name/split', async (c) => {
    const name = c.req.param('name');
    const { split } = validate(splitBodySchema, await readJson(c, limit()));
    const who = actor(c);
    await change(name, (s) => setSplitOp(manifests(), s, name, split, who));
    return c.json({ name, split: registry().defaultSplit(name) });
  });

  app.post('/adapters/:name/versions/:version/retire', async (c) => {
    const { name, version } = c.req.param();
    const who = actor(c);
    await change(name, (s) => retireOp(manifests(), s, name, version, who));
    const id = `${name}@${version}`;
    await pool.retire(id);
    const still = pool.registeredOn(id);
    return c.json({ id, retired: true, unload_pending_on: still });
  });

  app.route('/', adminPromotionRoutes(deps, admin));

  app.get('/audit', (c) =>
    c.json({ object: 'list', revision: admin.snapshot.revision, data: admin.snapshot.state.audit }),
  );

  app.post('/replicas/:id/load', async (c) => {
    const replica = replicaOr404(c.req.param('id'));
    const { adapter } = validate(adapterRefSchema, await readJson(c, limit()));
    const resolved = adapterOr404(adapter);
    await pool.loadOn(replica.id, resolved);
    return c.json({ replica: replica.id, adapter: resolved.id, registered: true });
  });

  app.post('/replicas/:id/unload', async (c) => {
    const replica = replicaOr404(c.req.param('id'));
    const { adapter } = validate(adapterRefSchema, await readJson(c, limit()));
    await pool.unloadFrom(replica.id, adapter);
    return c.json({ replica: replica.id, adapter, registered: false });
  });

  for (const [action, drained] of [
    ['drain', true],
    ['undrain', false],
  ] as const) {
    app.post(`/replicas/:id/${action}`, async (c) => {
      const replica = replicaOr404(c.req.param('id'));
      const who = actor(c);
      // By URL: every gateway knows the replica by its URL; ids are local names.
      await change(undefined, (s) => drainOp(s, replica.url, replica.id, drained, who));
      return c.json(pool.setDrained(replica.id, drained));
    });
  }
  return app;
}
