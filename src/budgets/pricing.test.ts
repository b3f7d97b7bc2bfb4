import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costMicros, type PriceContext, priceForRequest, priceOf } from './pricing.ts';

const ctx: PriceContext = {
  prices: {
    currency: 'EUR',
    cached_factor: 0.1,
    models: { 'tiny-base': { prompt_per_million: 0.5, completion_per_million: 1.5 } },
    adapters: { legal: { prompt_per_million: 2, completion_per_million: 4 } },
  },
  tenantBase: 'tiny-base',
  tenantAdapters: ['legal', 'hr'],
  baseModels: ['tiny-base'],
  baseOf: () => 'tiny-base',
};

test('cost in micro-units: tokens × price per million, with a factor for cached answers', () => {
  assert.equal(
    costMicros(
      { prompt_tokens: 1000, completion_tokens: 500 },
      { prompt_per_million: 0.5, completion_per_million: 1.5 },
    ),
    1250,
  );
  assert.equal(
    costMicros(
      { prompt_tokens: 1000, completion_tokens: 500 },
      { prompt_per_million: 2, completion_per_million: 4 },
      0.1,
    ),
    400,
  );
  assert.equal(
    costMicros({ prompt_tokens: 0, completion_tokens: 0 }, { prompt_per_million: 9, completion_per_million: 9 }),
    0,
  );
});

test('an adapter price wins over its base model; an unpriced adapter costs its base model', () => {
  assert.equal(priceOf('legal@3', ctx).prompt_per_million, 2);
  assert.equal(priceOf('hr@1', ctx).prompt_per_million, 0.5);
  assert.equal(priceOf('base', ctx).completion_per_million, 1.5);
  assert.equal(priceOf('tiny-base', ctx).completion_per_million, 1.5);
});

test('a request is priced by the model it asked for; auto or unknown gets the highest reachable price', () => {
  assert.deepEqual(priceForRequest('hr', ctx), { prompt_per_million: 0.5, completion_per_million: 1.5 });
  assert.deepEqual(priceForRequest('legal@2', ctx), { prompt_per_million: 2, completion_per_million: 4 });
  assert.deepEqual(priceForRequest('auto', ctx), { prompt_per_million: 2, completion_per_million: 4 });
  assert.deepEqual(priceForRequest('finance', ctx), { prompt_per_million: 2, completion_per_million: 4 });
  assert.deepEqual(priceForRequest(undefined, ctx), { prompt_per_million: 2, completion_per_million: 4 });
});
