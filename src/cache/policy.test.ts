import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tenantSchema } from '../config/schema.ts';
import type { GenerationRequest } from '../openai/requests.ts';
import { cacheDecision, parseCacheControl } from './policy.ts';

const tenant = (cache: Record<string, unknown> = {}) => tenantSchema.parse({ cache });
const body = (over: Record<string, unknown>) =>
  ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...over }) as GenerationRequest;

test('temperature 0 or a seed makes a request cacheable; sampling does not', () => {
  assert.deepEqual(cacheDecision(tenant(), body({ temperature: 0 }), undefined), {
    lookup: true,
    store: true,
    bypassReason: null,
  });
  assert.equal(cacheDecision(tenant(), body({ temperature: 0.7, seed: 3 }), undefined).lookup, true);
  assert.equal(cacheDecision(tenant(), body({ temperature: 0.7 }), undefined).bypassReason, 'not_deterministic');
  assert.equal(
    cacheDecision(tenant(), body({}), undefined).bypassReason,
    'not_deterministic',
    'missing temperature means 1',
  );
});

test('a tenant can force caching or turn it off', () => {
  assert.equal(cacheDecision(tenant({ force: true }), body({ temperature: 0.7 }), undefined).lookup, true);
  assert.equal(cacheDecision(tenant({ enabled: false }), body({ temperature: 0 }), undefined).bypassReason, 'disabled');
});

test('cache-control: no-cache skips the lookup, no-store the write, both bypass', () => {
  assert.deepEqual(cacheDecision(tenant(), body({ temperature: 0 }), 'no-cache'), {
    lookup: false,
    store: true,
    bypassReason: null,
  });
  assert.deepEqual(cacheDecision(tenant(), body({ temperature: 0 }), 'No-Store'), {
    lookup: true,
    store: false,
    bypassReason: null,
  });
  assert.equal(cacheDecision(tenant(), body({ temperature: 0 }), 'no-store, no-cache').bypassReason, 'cache_control');
  assert.deepEqual(parseCacheControl('max-age = 0'), { noCache: true, noStore: false });
  assert.deepEqual(parseCacheControl('private'), { noCache: false, noStore: false });
});
