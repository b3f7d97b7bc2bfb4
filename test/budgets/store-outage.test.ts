/**
 * Redis goes away under a gateway with shared budgets: a tenant with `on_store_failure: closed` is refused
 * with 503 `budget_unavailable` (never let past its budget), one with `open` is served on this process's own
 * counters and flagged `x-lorag-degraded: budget` (after `limits` when its rate limits degraded too); both are back to the shared counters once Redis returns.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let redis: TestRedis;
let stack: Stack;
const limits = [{ period: 'week', unit: 'tokens', amount: 100_000 }];

before(async () => {
  redis = await startTestRedis();
  stack = await startStack({
    // legal also has Redis-shared rate limits: both degradations must show in one header.
    tenants: { legal: { limits: { requests_per_minute: 10_000 } } },
    config: {
      limits: { kind: 'redis' },
      redis: { url: redis.url, command_timeout_ms: 200, key_prefix: 'outage:' },
      budgets: {
        kind: 'redis',
        tenants: {
          legal: { on_store_failure: 'open', limits },
          hr: { on_store_failure: 'closed', limits },
        },
      },
    },
  });
});

after(async () => {
  await stack?.close();
  await redis?.stop();
});

async function ask(tenant: 'legal' | 'hr') {
  return stack
    .client(tenant)
    .chat.completions.create({ model: tenant, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 })
    .withResponse()
    .then(
      ({ response }) => ({ status: 200, degraded: response.headers.get('x-lorag-degraded'), code: null }),
      (e: InstanceType<typeof OpenAI.APIError>) => ({ status: e.status, degraded: null, code: e.code }),
    );
}

test('closed refuses with 503 while the budget store is down, open serves flagged; both recover', async () => {
  assert.deepEqual(await ask('legal'), { status: 200, degraded: null, code: null });
  assert.deepEqual(await ask('hr'), { status: 200, degraded: null, code: null });

  await redis.stop();
  // The connection notices the outage on its own; bounded wait for the first refusal.
  let hr = await ask('hr');
  for (let i = 0; i < 50 && hr.status === 200; i++) hr = await ask('hr');
  assert.deepEqual(hr, { status: 503, degraded: null, code: 'budget_unavailable' });
  assert.deepEqual(await ask('legal'), { status: 200, degraded: 'limits,budget', code: null });

  await redis.start();
  let back = await ask('hr');
  for (let i = 0; i < 200 && back.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 25));
    back = await ask('hr');
  }
  assert.deepEqual(back, { status: 200, degraded: null, code: null });
  assert.deepEqual(await ask('legal'), { status: 200, degraded: null, code: null });
});
