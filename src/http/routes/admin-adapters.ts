/**
 * @module http/routes/admin-adapters — `/admin/*` (admin key, checked by app.ts): adapters and where each is
 * loaded, new versions (persisted to the manifest), retirement (unloaded once drained), default splits, and
 * per-replica load, unload, drain and undrain. Mounted via `extra.admin` by src/deps.ts.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { adminAdapters, replicaView } from '../../adapters/admin-view.ts';
import { adapterVersionSchema } from '../../adapters/manifest.ts';
import { writeManifest } from '../../adapters/manifest-file.ts';
import { AdapterRegistryError } from '../../adapters/registry.ts';
import { canarySplitSchema } from '../../config/schema.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import type { ReplicaState } from '../../upstream/replica-state.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { readJson, validate } from '../read-body.ts';

const newVersionSchema = adapterVersionSchema.omit({ retired: true }).extend({ split: canarySplitSchema.optional() });
const adapterRefSchema = z.object({ adapter: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be name@version') });
const splitBodySchema = z.object({ split: canarySplitSchema.nullable() });

function registryError(err: unknown): never {
  if (err instanceof AdapterRegistryError) {
    const unknown = /^unknown adapter/.test(err.message);
    throw new GatewayError(unknown ? 'not_found' : 'invalid_value', err.message, unknown ? {} : { status: 409 });
  }
  throw err;
}

export function adminAdapterRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const pool = deps.pool;
  const registry = () => deps.current().registry;
  const dir = () => deps.current().config.adapters.dir;
  const limit = () => deps.current().config.server.body_limit_bytes;
  // Versions retired in the manifests (by this or an earlier gateway) are unloaded once drained.
  for (const m of registry().all())
    for (const v of m.versions) if (v.retired) void pool.retire(`${m.name}@${v.version}`);

  const replicaOr404 = (id: string): ReplicaState => {
    const r = pool.byId(id);
    if (!r) throw new GatewayError('not_found', `No replica '${id}'.`);
    return r;
  };
  const adapterOr404 = (ref: string) => {
    const [name, version] = ref.split('@', 2);
    const a = registry().resolve(name, version);
    if (!a) throw new GatewayError('not_found', `No adapter version '${ref}' in the registry.`, { param: 'adapter' });
    return a;
  };

  app.get('/adapters', (c) => c.json(adminAdapters(registry(), pool.replicas, pool.loader.loading())));
  app.get('/replicas', (c) => c.json({ object: 'list', data: pool.replicas.map((r) => replicaView(r)) }));

  app.post('/adapters/:name/versions', async (c) => {
    const name = c.req.param('name');
    const body = validate(newVersionSchema, await readJson(c, limit()));
    const { split, ...version } = body;
    const reg = registry();
    let resolved: ReturnType<typeof reg.addVersion>;
    try {
      resolved = reg.addVersion(name, version);
      if (split) reg.setSplit(name, split);
    } catch (err) {
      registryError(err);
    }
    writeManifest(dir(), reg.get(name)!);
    return c.json(
      { id: resolved.id, version: resolved.version, source: resolved.source, split: reg.defaultSplit(name) },
      201,
    );
  });

  app.put('/adapters/:name/split', async (c) => {
    const name = c.req.param('name');
    const { split } = validate(splitBodySchema, await readJson(c, limit()));
    try {
      registry().setSplit(name, split);
    } catch (err) {
      registryError(err);
    }
    writeManifest(dir(), registry().get(name)!);
    return c.json({ name, split: registry().defaultSplit(name) });
  });

  app.post('/adapters/:name/versions/:version/retire', async (c) => {
    const { name, version } = c.req.param();
    const reg = registry();
    try {
      reg.retire(name, version);
    } catch (err) {
      registryError(err);
    }
    writeManifest(dir(), reg.get(name)!);
    const id = `${name}@${version}`;
    await pool.retire(id);
    const still = pool.replicas.filter((r) => r.registered.has(id)).map((r) => r.id);
    return c.json({ id, retired: true, unload_pending_on: still });
  });

  app.post('/replicas/:id/load', async (c) => {
    const replica = replicaOr404(c.req.param('id'));
    const { adapter } = validate(adapterRefSchema, await readJson(c, limit()));
    const resolved = adapterOr404(adapter);
    if (resolved.baseModel !== replica.baseModel) {
      throw new GatewayError(
        'invalid_value',
        `${adapter} is for ${resolved.baseModel}; replica ${replica.id} serves ${replica.baseModel}.`,
        {
          param: 'adapter',
        },
      );
    }
    await pool.loader.ensureLoaded(replica, resolved);
    return c.json({ replica: replica.id, adapter: resolved.id, registered: true });
  });

  app.post('/replicas/:id/unload', async (c) => {
    const replica = replicaOr404(c.req.param('id'));
    const { adapter } = validate(adapterRefSchema, await readJson(c, limit()));
    const inFlight = replica.inFlightByAdapter.get(adapter) ?? 0;
    if (inFlight > 0 || replica.observedActive.has(adapter)) {
      throw new GatewayError(
        'invalid_request',
        `${adapter} has requests in flight on ${replica.id}; retire it instead, it is unloaded once drained.`,
        {
          status: 409,
          param: 'adapter',
        },
      );
    }
    await pool.loader.unload(replica, adapter);
    return c.json({ replica: replica.id, adapter, registered: false });
  });

  for (const [action, drained] of [
    ['drain', true],
    ['undrain', false],
  ] as const) {
    app.post(`/replicas/:id/${action}`, (c) => {
      const replica = replicaOr404(c.req.param('id'));
      pool.setDrained(replica.id, drained);
      return c.json(replicaView(replica));
    });
  }
  return app;
}
