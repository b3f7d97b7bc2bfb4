/**
 * @module responses/store-redis — stored responses in Redis, shared by every gateway replica:
 * `P resp:<tenant>:<id>` → the record as JSON, with PX = TTL (P = `redis.key_prefix`). The tenant is in the
 * key, so another tenant's id is simply absent. A Redis failure surfaces as `RedisUnavailableError`; the
 * route answers 503 for reads and logs a failed write (the answer was already sent).
 */
import type { RedisConnection } from '../redis/connection.ts';
import type { ResponseStore, StoredResponse } from './store.ts';

export function createRedisResponseStore(redis: RedisConnection, ttlMs: number): ResponseStore {
  const key = (tenant: string, id: string) => `${redis.prefix}resp:${tenant}:${id}`;
  return {
    async put(tenantId, record) {
      await redis.run((c) => c.set(key(tenantId, record.response.id), JSON.stringify(record), 'PX', ttlMs));
    },
    async get(tenantId, id) {
      const json = await redis.run((c) => c.get(key(tenantId, id)));
      return json === null ? null : (JSON.parse(json) as StoredResponse);
    },
    async delete(tenantId, id) {
      return (await redis.run((c) => c.del(key(tenantId, id)))) > 0;
    },
  };
}
