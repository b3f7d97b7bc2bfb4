import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReset, rateLimitError, rateLimitHeaders } from './headers.ts';
import type { LimitDecision } from './limiter.ts';

const decision = (over: Partial<LimitDecision> = {}): LimitDecision => ({
  allowed: true,
  refusedBy: null,
  usedRequests: 3,
  usedTokens: 1200,
  resetRequestsMs: 42_000,
  resetTokensMs: 90_000,
  retryAfterMs: 0,
  charged: 300,
  tokenWindow: '1',
  concurrentInUse: 0,
  ...over,
});

test('formatReset writes durations the way OpenAI does', () => {
  assert.equal(formatReset(250), '250ms');
  assert.equal(formatReset(1500), '1.5s');
  assert.equal(formatReset(42_000), '42s');
  assert.equal(formatReset(90_000), '1m30s');
  assert.equal(formatReset(360_000), '6m0s');
});

test('headers carry OpenAI’s names, only for the limits that are set', () => {
  assert.deepEqual(rateLimitHeaders({ requestsPerMinute: 10, tokensPerMinute: 5000 }, decision()), {
    'x-ratelimit-limit-requests': '10',
    'x-ratelimit-remaining-requests': '7',
    'x-ratelimit-reset-requests': '42s',
    'x-ratelimit-limit-tokens': '5000',
    'x-ratelimit-remaining-tokens': '3800',
    'x-ratelimit-reset-tokens': '1m30s',
  });
  assert.deepEqual(rateLimitHeaders({ concurrent: 2 }, decision()), {});
});

test('the 429 says which limit, with retry-after in whole seconds', () => {
  const err = rateLimitError(
    { requestsPerMinute: 3 },
    decision({ allowed: false, refusedBy: 'requests', retryAfterMs: 1200 }),
    100,
  );
  assert.equal(err.status, 429);
  assert.equal(err.code, 'rate_limit_exceeded');
  assert.equal(err.type, 'rate_limit_error');
  assert.match(err.message, /requests per minute \(RPM\): Limit 3, Used 3, Requested 1\. Please try again in 1\.2s/);
  assert.equal(err.headers['retry-after'], '2');
  assert.equal(err.headers['retry-after-ms'], '1200');
  assert.equal(err.headers['x-ratelimit-remaining-requests'], '0');
});
