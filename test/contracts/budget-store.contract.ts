/**
 * The BudgetStore contract: the memory and Redis stores pass these same cases. `make()` returns a fresh, empty
 * store; `concurrent` says whether racing reserves go through one shared counter (both do).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BudgetStore, ReserveLine } from '../../src/budgets/store.ts';

const FAR = Date.now() + 86_400_000;
const line = (id: string, limit: number, amount: number, expireAtMs = FAR): ReserveLine => ({
  id,
  limit,
  amount,
  expireAtMs,
});

export function budgetStoreContract(name: string, make: () => Promise<BudgetStore>): void {
  test(`${name}: reserve charges every line and reports before/after`, async () => {
    const s = await make();
    const r = await s.reserve([line('t:a', 100, 30), line('k:a:x', 50, 30)]);
    assert.deepEqual(r, {
      allowed: true,
      refused: -1,
      before: [0, 0],
      after: [
        { used: 30, limit: 100 },
        { used: 30, limit: 50 },
      ],
    });
    assert.deepEqual(await s.read(['t:a', 'k:a:x', 'unknown']), [
      { used: 30, override: null },
      { used: 30, override: null },
      { used: 0, override: null },
    ]);
  });

  test(`${name}: a reserve that does not fit one line charges none (all or nothing)`, async () => {
    const s = await make();
    await s.reserve([line('t:b', 100, 90)]);
    const r = await s.reserve([line('t:b2', 1000, 5), line('t:b', 100, 20)]);
    assert.equal(r.allowed, false);
    assert.equal(r.refused, 1);
    assert.deepEqual(r.before, [0, 90]);
    assert.deepEqual(await s.read(['t:b2', 't:b']), [
      { used: 0, override: null },
      { used: 90, override: null },
    ]);
    // Exactly up to the limit fits.
    assert.equal((await s.reserve([line('t:b', 100, 10)])).allowed, true);
    assert.equal((await s.reserve([line('t:b', 100, 1)])).allowed, false);
  });

  test(`${name}: adjust settles up and refunds down, never below zero`, async () => {
    const s = await make();
    await s.reserve([line('t:c', 100, 40)]);
    assert.deepEqual(await s.adjust([{ id: 't:c', delta: 15, expireAtMs: FAR }]), [{ before: 40, after: 55 }]);
    assert.deepEqual(await s.adjust([{ id: 't:c', delta: -100, expireAtMs: FAR }]), [{ before: 55, after: 0 }]);
    assert.deepEqual(await s.adjust([]), []);
  });

  test(`${name}: an override replaces the configured limit until removed; reset empties the counter`, async () => {
    const s = await make();
    await s.reserve([line('t:d', 10, 10)]);
    assert.equal((await s.reserve([line('t:d', 10, 5)])).allowed, false);
    await s.setOverride('t:d', 20, FAR);
    const r = await s.reserve([line('t:d', 10, 5)]);
    assert.equal(r.allowed, true);
    assert.deepEqual(r.after, [{ used: 15, limit: 20 }]);
    assert.deepEqual(await s.read(['t:d']), [{ used: 15, override: 20 }]);
    await s.setOverride('t:d', null, FAR);
    assert.deepEqual(await s.read(['t:d']), [{ used: 15, override: null }]);
    await s.reset('t:d');
    assert.deepEqual(await s.read(['t:d']), [{ used: 0, override: null }]);
  });

  test(`${name}: an expired counter reads as zero`, async () => {
    const s = await make();
    await s.reserve([line('t:e', 100, 60, Date.now() - 1)]);
    assert.deepEqual(await s.read(['t:e']), [{ used: 0, override: null }]);
  });

  test(`${name}: racing reserves never pass the limit together`, async () => {
    const s = await make();
    const results = await Promise.all(Array.from({ length: 40 }, () => s.reserve([line('t:f', 100, 7)])));
    const admitted = results.filter((r) => r.allowed).length;
    assert.equal(admitted, Math.floor(100 / 7));
    assert.deepEqual(await s.read(['t:f']), [{ used: admitted * 7, override: null }]);
  });
}
