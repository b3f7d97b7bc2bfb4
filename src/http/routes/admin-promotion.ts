/**
 * @module http/routes/admin-promotion — canary, promotion and rollback of adapter versions (admin key):
 * `PUT /admin/adapters/:name/versions/:version/share {share}` (the others keep their proportions),
 * `POST /admin/adapters/:name/versions/:version/promote` (100%), `POST /admin/adapters/:name/rollback` (the split
 * before the last change, at once), `GET /admin/adapters/:name/history` (versions with their cards, the audit
 * entries of this adapter). Every change goes through the admin state store: in force on every gateway sharing it.
 * An unknown or retired version is a 404.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { rollbackOp, shareOp } from '../../adapters/admin-state-ops.ts';
import type { AdminStateSync } from '../../adapters/admin-state-sync.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';
import { adminChanges } from './admin-change.ts';

const shareSchema = z.object({ share: z.number().min(0).max(100) }).strict();

export function adminPromotionRoutes(deps: Deps, admin: AdminStateSync): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { actor, change } = adminChanges(deps, admin);
  const registry = () => deps.current().registry;
  const limit = () => deps.current().config.server.body_limit_bytes;
  const answer = (name: string) => ({ name, split: registry().defaultSplit(name), revision: admin.snapshot.revision });

  app.put('/adapters/:name/versions/:version/share', async (c) => {
    const { name, version } = c.req.param();
    const { share } = validate(shareSchema, await readJson(c, limit()));
    const who = actor(c);
    await change(name, (s) => shareOp(admin.manifests(), s, name, version, share, who, 'canary'));
    return c.json(answer(name));
  });

  app.post('/adapters/:name/versions/:version/promote', async (c) => {
    const { name, version } = c.req.param();
    const who = actor(c);
    await change(name, (s) => shareOp(admin.manifests(), s, name, version, 100, who, 'promote'));
    return c.json(answer(name));
  });

  app.post('/adapters/:name/rollback', async (c) => {
    const name = c.req.param('name');
    const who = actor(c);
    await change(name, (s) => rollbackOp(admin.manifests(), s, name, who));
    return c.json(answer(name));
  });

  app.get('/adapters/:name/history', (c) => {
    const name = c.req.param('name');
    const m = registry().get(name);
    if (!m) throw new GatewayError('not_found', `unknown adapter '${name}'`);
    const { state } = admin.snapshot;
    const cards = state.adapters[name]?.cards ?? {};
    return c.json({
      name,
      split: registry().defaultSplit(name),
      previous_splits: state.adapters[name]?.previous_splits ?? [],
      versions: m.versions.map((v) => ({ ...v, id: `${name}@${v.version}`, card: cards[v.version] ?? null })),
      audit: state.audit.filter((e) => e.adapter === name || e.adapter?.startsWith(`${name}@`)),
    });
  });
  return app;
}
