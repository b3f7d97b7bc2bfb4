/**
 * The FeedbackStore contract: memory and Redis pass the same cases. `make()` returns a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeedbackEntry, FeedbackStore } from '../../src/feedback/types.ts';

const served = (id: string, tenant = 'legal', adapter = 'legal@1', strategy = 'lora') => ({
  id,
  tenant,
  adapter,
  strategy,
  at: 1,
});
const entry = (id: string, score: number, over: Partial<FeedbackEntry> = {}): FeedbackEntry => ({
  id,
  tenant: 'legal',
  adapter: 'legal@1',
  strategy: 'lora',
  score,
  comment: null,
  tags: [],
  at: 1,
  ...over,
});

export function feedbackStoreContract(name: string, make: () => Promise<FeedbackStore>): void {
  test(`${name}: a served request is found by its id; an unknown id is null`, async () => {
    const s = await make();
    await s.rememberServed(served('req_1'));
    assert.deepEqual(await s.served('req_1'), served('req_1'));
    assert.equal(await s.served('req_2'), null);
  });

  test(`${name}: aggregates per tenant × adapter@version × strategy, filtered by tenant`, async () => {
    const s = await make();
    await s.submit(entry('a', 1));
    await s.submit(entry('b', 0.5));
    await s.submit(entry('c', 0, { adapter: 'legal@2' }));
    await s.submit(entry('d', 1, { strategy: 'hybrid' }));
    await s.submit(entry('e', 0.25, { tenant: 'hr', adapter: 'hr@1' }));
    const legal = await s.aggregates('legal');
    assert.deepEqual(
      legal.map((r) => [r.adapter, r.strategy, r.count, r.sum, r.sum_squares, r.mean]),
      [
        ['legal@1', 'hybrid', 1, 1, 1, 1],
        ['legal@1', 'lora', 2, 1.5, 1.25, 0.75],
        ['legal@2', 'lora', 1, 0, 0, 0],
      ],
    );
    const all = await s.aggregates();
    assert.deepEqual(
      all.map((r) => r.tenant),
      ['hr', 'legal', 'legal', 'legal'],
    );
  });

  test(`${name}: a second score for the same response replaces the first`, async () => {
    const s = await make();
    await s.submit(entry('a', 1));
    await s.submit(entry('a', 0));
    const [row] = await s.aggregates('legal');
    assert.deepEqual([row.count, row.sum, row.mean], [1, 0, 0]);
    // The same id of another tenant is another response.
    await s.submit(entry('a', 1, { tenant: 'hr', adapter: 'hr@1' }));
    assert.equal((await s.aggregates('legal'))[0].count, 1);
    assert.equal((await s.aggregates('hr'))[0].count, 1);
  });
}
