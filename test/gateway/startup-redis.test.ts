/**
 * A gateway that reaches Redis counts its very first requests on the shared limits: buildDeps returns only once
 * the shared connection is up (or 1 s has passed). Before that, the rate-limit stage would admit on per-process
 * limits. (Suspected, not shown, behind a CI run that admitted 44 of a limit of 40.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { buildDeps } from '../../src/deps.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { testConfig } from '../helpers/stack.ts';

let redis: TestRedis;
before(async () => {
  redis = await startTestRedis();
  await redis.start();
});
after(() => redis.stop());

test('the shared Redis connection is ready when buildDeps returns', async () => {
  const raw = testConfig(['http://127.0.0.1:9'], {
    config: { redis: { url: redis.url }, cache: { kind: 'redis' }, limits: { kind: 'redis' } },
  });
  const built = await buildDeps(parseConfig(raw));
  try {
    const status = await built.deps.dependencyStatus?.();
    assert.deepEqual(status?.redis, { ok: true, detail: undefined });
  } finally {
    await built.close();
  }
});
