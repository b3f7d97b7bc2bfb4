/** The rate-limit stage: headers and 429s, settle, and the per-process fallback while Redis is down. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { createRateLimitStage } from '../../src/limits/index.ts';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.ts';
import { tenant, testConfig } from '../cache/fixtures.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';

let server: TestRedis;
const connections: RedisConnection[] = [];
before(async () => {
  server = await startTestRedis();
});
after(async () => {
  for (const c of connections) await c.close();
  await server.stop();
});

const limited = (limits: Record<string, number>) => tenant({ limits });

test('a tenant without limits is admitted without headers and never degraded', async () => {
  const stage = createRateLimitStage(testConfig());
  const a = await stage.admit({ tenantId: 'acme', tenant: tenant(), estimatedTokens: 10 });
  assert.deepEqual(a.headers, {});
  assert.equal(a.degraded, false);
});

test('over the limit: GatewayError rate_limit_exceeded with retry-after and x-ratelimit-* headers', async () => {
  const stage = createRateLimitStage(testConfig());
  const t = limited({ requests_per_minute: 2, tokens_per_minute: 1000 });
  const first = await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 100 });
  assert.equal(first.headers['x-ratelimit-remaining-requests'], '1');
  assert.equal(first.headers['x-ratelimit-remaining-tokens'], '900');
  await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 100 });
  await assert.rejects(stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 100 }), (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.ok(Number(err.headers['retry-after']) >= 1);
    assert.equal(err.headers['x-ratelimit-limit-requests'], '2');
    return true;
  });
});

test('settle releases the concurrency slot once, however often it is called', async () => {
  const stage = createRateLimitStage(testConfig());
  const t = limited({ concurrent: 1 });
  const a = await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 1 });
  await assert.rejects(stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 1 }), GatewayError);
  a.settle(null);
  a.settle(null);
  const b = await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 1 });
  await assert.rejects(stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 1 }), GatewayError);
  b.settle(null);
});

test('Redis down → per-process limits, degraded; back → shared limits again', async () => {
  const conn = createRedisConnection({ url: server.url, commandTimeoutMs: 200, keyPrefix: 'stage:' });
  connections.push(conn);
  assert.ok(await conn.waitReady(5000));
  const stage = createRateLimitStage(testConfig({ limits: { kind: 'redis' }, redis: { url: server.url } }), conn);
  const t = limited({ requests_per_minute: 1000 });
  const up = await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 10 });
  assert.equal(up.degraded, false);
  assert.equal(up.headers['x-ratelimit-remaining-requests'], '999');

  await server.stop();
  await sleep(50);
  const down = await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 10 });
  assert.equal(down.degraded, true);
  assert.equal(down.headers['x-ratelimit-remaining-requests'], '999', 'counted by this process alone');
  down.settle({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });

  await server.start();
  assert.ok(await conn.waitReady(10_000));
  const back = await stage.admit({ tenantId: 'acme', tenant: t, estimatedTokens: 10 });
  assert.equal(back.degraded, false);
});

for (const kind of ['memory', 'redis'] as const) {
  const stageFor = async () => {
    if (kind === 'memory') return createRateLimitStage(testConfig());
    const conn = createRedisConnection({ url: server.url, commandTimeoutMs: 500, keyPrefix: `f1-${Math.random()}:` });
    connections.push(conn);
    assert.ok(await conn.waitReady(5000));
    return createRateLimitStage(testConfig({ limits: { kind: 'redis' }, redis: { url: server.url } }), conn);
  };

  test(`${kind}: a request larger than the whole TPM budget → 429 not retryable, and the next request passes`, async () => {
    const stage = await stageFor();
    const t = limited({ tokens_per_minute: 200_000 });
    await assert.rejects(stage.admit({ tenantId: 'hr', tenant: t, estimatedTokens: 250_010 }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.equal(err.retryable, false, 'x-should-retry: false');
      assert.equal(err.headers['retry-after'], undefined, 'waiting cannot help');
      assert.match(err.message, /Request too large/);
      return true;
    });
    const next = await stage.admit({ tenantId: 'hr', tenant: t, estimatedTokens: 300 });
    assert.equal(next.degraded, false);
    assert.equal(next.headers['x-ratelimit-remaining-tokens'], String(200_000 - 300));
  });

  test(`${kind}: settle(null) — refused before or by the model server — refunds the estimate`, async () => {
    const stage = await stageFor();
    const t = limited({ tokens_per_minute: 1000 });
    const first = await stage.admit({ tenantId: 'hr', tenant: t, estimatedTokens: 900 });
    first.settle(null);
    // settle is fire-and-forget: probe (a 0-token request charges nothing) until its write has landed.
    for (let i = 0; i < 200; i++) {
      const probe = await stage.admit({ tenantId: 'hr', tenant: t, estimatedTokens: 0 });
      probe.settle({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
      if (probe.headers['x-ratelimit-remaining-tokens'] === '1000') break;
      await sleep(5);
    }
    const next = await stage.admit({ tenantId: 'hr', tenant: t, estimatedTokens: 900 });
    assert.equal(next.headers['x-ratelimit-remaining-tokens'], '100');
  });
}
