/**
 * @module auth/authenticate — `Authorization: Bearer <key>` → the tenant (or the admin role).
 * The index maps key digests to their owner; a lookup by digest reveals nothing about other keys, and the
 * final comparison is constant-time.
 */
import type { Config, TenantConfig } from '../config/schema.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { digestsEqual, sha256Hex } from './keys.ts';

export interface Principal {
  tenantId: string;
  tenant: TenantConfig;
  /** The key's label (or the first 8 hex of its digest): shown in logs and the usage ledger. */
  keyName: string;
}

interface KeyEntry {
  digest: string;
  owner: string | null; // tenant id, or null for an admin key
  name: string;
  expiresAt?: Date;
}

export interface KeyIndex {
  entries: Map<string, KeyEntry>;
  config: Config;
}

export function buildKeyIndex(config: Config): KeyIndex {
  const entries = new Map<string, KeyEntry>();
  for (const [tenantId, tenant] of Object.entries(config.tenants)) {
    for (const key of tenant.keys) {
      entries.set(key.sha256, {
        digest: key.sha256,
        owner: tenantId,
        name: key.name ?? key.sha256.slice(0, 8),
        expiresAt: key.expires_at,
      });
    }
  }
  for (const key of config.admin.keys) {
    entries.set(key.sha256, { digest: key.sha256, owner: null, name: key.name ?? 'admin', expiresAt: key.expires_at });
  }
  return { entries, config };
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function lookup(index: KeyIndex, header: string | undefined, now: Date): KeyEntry {
  const token = bearerToken(header);
  if (!token) {
    throw new GatewayError(
      'invalid_api_key',
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const digest = sha256Hex(token);
  const entry = index.entries.get(digest);
  if (!entry || !digestsEqual(entry.digest, digest)) {
    throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  }
  if (entry.expiresAt && entry.expiresAt.getTime() <= now.getTime()) {
    throw new GatewayError('expired_api_key', 'The API key provided has expired.');
  }
  return entry;
}

export function authenticateTenant(index: KeyIndex, header: string | undefined, now = new Date()): Principal {
  const entry = lookup(index, header, now);
  if (entry.owner === null) {
    throw new GatewayError('permission_denied', 'Admin keys cannot call the inference API; use a tenant key.');
  }
  return { tenantId: entry.owner, tenant: index.config.tenants[entry.owner], keyName: entry.name };
}

export function authenticateAdmin(index: KeyIndex, header: string | undefined, now = new Date()): void {
  const entry = lookup(index, header, now);
  if (entry.owner !== null) throw new GatewayError('permission_denied', 'This route needs an admin key.');
}
