/**
 * @module http/routes/admin-change — how an admin route changes admin state: who did it (the admin key's name,
 * plus the person when the client sends `x-lorag-actor`), the change stored through the admin state store
 * (validated inside against the newest stored state), the manifest of the adapter rewritten, and the
 * registry's and the store's errors turned into API errors (unknown → 404, conflict → 409, store down → 503).
 */
import type { AdminState } from '../../adapters/admin-state.ts';
import type { Actor } from '../../adapters/admin-state-ops.ts';
import type { AdminStateSync } from '../../adapters/admin-state-sync.ts';
import { writeManifest } from '../../adapters/manifest-file.ts';
import { AdapterRegistryError } from '../../adapters/registry.ts';
import { sha256Hex } from '../../auth/keys.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import { RedisUnavailableError } from '../../redis/connection.ts';
import type { Deps } from '../deps.ts';

export function registryError(err: unknown): never {
  if (err instanceof AdapterRegistryError) {
    const unknown = /^unknown adapter/.test(err.message);
    throw new GatewayError(unknown ? 'not_found' : 'invalid_value', err.message, unknown ? {} : { status: 409 });
  }
  if (err instanceof RedisUnavailableError) {
    throw new GatewayError('upstream_error', 'The admin state store (Redis) is unreachable; nothing was changed.', {
      status: 503,
    });
  }
  throw err;
}

export function actorOf(deps: Deps, authorization: string | undefined, person: string | undefined): Actor {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  const digest = sha256Hex(token);
  const key = deps.current().config.admin.keys.find((k) => k.sha256 === digest);
  const name = key?.name ?? 'admin';
  const who = person && /^[\w.@ -]{1,64}$/.test(person) ? `${name} (${person})` : name;
  return { by: who, at: new Date().toISOString() };
}

type HeaderReader = { req: { header(name: string): string | undefined } };

export function adminChanges(deps: Deps, admin: AdminStateSync) {
  return {
    actor: (c: HeaderReader) => actorOf(deps, c.req.header('authorization'), c.req.header('x-lorag-actor')),
    /** Stores the change and persists the manifest of `name` (none for replica drains). */
    async change(name: string | undefined, build: (s: AdminState) => AdminState): Promise<void> {
      try {
        await admin.change(build);
      } catch (err) {
        registryError(err);
      }
      const m = name === undefined ? undefined : deps.current().registry.get(name);
      if (m) writeManifest(deps.current().config.adapters.dir, m);
    },
  };
}
