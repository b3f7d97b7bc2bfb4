import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryLimiter } from '../../src/limits/memory-limiter.ts';
import { limiterContract } from './limiter.contract.ts';

limiterContract('memory', async () => {
  const one = createMemoryLimiter();
  return { a: one, b: one };
});

test('memory: windows reset after 60 s; a refund never credits a later window', async () => {
  let now = 1_000_000;
  const l = createMemoryLimiter(() => now);
  const limits = { requestsPerMinute: 1, tokensPerMinute: 100 };
  const d = await l.admit('acme', limits, 100, 'a');
  assert.equal((await l.admit('acme', limits, 1, 'b')).retryAfterMs, 60_000);
  now += 60_000;
  const fresh = await l.admit('acme', limits, 50, 'c');
  assert.equal(fresh.allowed, true);
  await l.settle('acme', limits, { requestId: 'a', tokenWindow: d.tokenWindow, charged: 100, actualTokens: 0 });
  assert.equal(
    (await l.admit('acme', { tokensPerMinute: 100 }, 60, 'd')).allowed,
    false,
    'the old refund did not apply',
  );
});
