import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { feedbackStoreContract } from '../contracts/feedback-store.contract.ts';

feedbackStoreContract('memory', async () => createMemoryFeedbackStore());

test('memory: served requests are bounded, oldest out first', async () => {
  const s = createMemoryFeedbackStore({ maxServed: 2 });
  for (const id of ['a', 'b', 'c'])
    await s.rememberServed({ id, tenant: 't', adapter: 'base', strategy: 'base', at: 0 });
  assert.equal(await s.served('a'), null);
  assert.equal((await s.served('c'))?.id, 'c');
});
