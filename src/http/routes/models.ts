/** @module http/routes/models — GET /v1/models: only what the caller's tenant may use (design.md "Model names"). */
import { Hono } from 'hono';
import { modelNotFound } from '../../errors/gateway-error.ts';
import { visibleModels } from '../../routing/plan.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';

// Models are listed with a fixed creation time so the list is stable between calls.
const created = Math.floor(Date.now() / 1000);

export function modelRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const card = (id: string, parent: string | null) => ({
    id,
    object: 'model',
    created,
    owned_by: 'lorag',
    root: parent ?? id,
    parent,
  });
  app.get('/models', (c) => {
    const { config, registry } = deps.current();
    const models = visibleModels(c.get('principal').tenant, config, registry);
    return c.json({ object: 'list', data: models.map((m) => card(m.id, m.parent)) });
  });
  app.get('/models/:model{.+}', (c) => {
    const { config, registry } = deps.current();
    const id = c.req.param('model');
    const found = visibleModels(c.get('principal').tenant, config, registry).find((m) => m.id === id);
    if (!found) throw modelNotFound(id);
    return c.json(card(found.id, found.parent));
  });
  return app;
}
