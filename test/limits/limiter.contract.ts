/**
 * The LimiterBackend contract, run against memory and Redis. `make()` returns two backends over the same
 * counters (for Redis: two connections, standing in for two gateway replicas; for memory: one instance twice).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LimiterBackend } from '../../src/limits/limiter.ts';

export function limiterContract(name: string, make: () => Promise<{ a: LimiterBackend; b: LimiterBackend }>): void {
  test(`${name}: requests per minute hold exactly under concurrency from two instances`, async () => {
    const { a, b } = await make();
    const limits = { requestsPerMinute: 200 };
    const decisions = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).admit('acme', limits, 0, randomUUID())),
    );
    const allowed = decisions.filter((d) => d.allowed).length;
    assert.ok(Math.abs(allowed - 200) <= 10, `allowed ${allowed} of limit 200 (±5%)`);
    const refused = decisions.find((d) => !d.allowed)!;
    assert.equal(refused.refusedBy, 'requests');
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
    assert.equal((await a.admit('globex', limits, 0, randomUUID())).allowed, true, 'tenants have separate counters');
  });

  for (const [label, estimate, actual] of [
    ['overestimated', 300, 200],
    ['underestimated', 200, 220],
  ] as const) {
    test(`${name}: tokens per minute hold within ±10% of real usage (${label} requests)`, async () => {
      const { a, b } = await make();
      const limits = { tokensPerMinute: 20_000 };
      let consumed = 0;
      async function worker(backend: LimiterBackend) {
        for (let refusals = 0; refusals < 15; ) {
          const id = randomUUID();
          const d = await backend.admit('acme', limits, estimate, id);
          if (!d.allowed) {
            assert.equal(d.refusedBy, 'tokens');
            refusals++;
            await sleep(2);
            continue;
          }
          consumed += actual;
          await sleep(1);
          await backend.settle('acme', limits, {
            requestId: id,
            tokenWindow: d.tokenWindow,
            charged: d.charged,
            actualTokens: actual,
          });
        }
      }
      await Promise.all(Array.from({ length: 20 }, (_, i) => worker(i % 2 ? a : b)));
      assert.ok(Math.abs(consumed - 20_000) <= 2000, `consumed ${consumed} real tokens of limit 20000 (±10%)`);
    });
  }

  test(`${name}: a refund lets more through; an unknown usage keeps the estimate`, async () => {
    const { a } = await make();
    const limits = { tokensPerMinute: 1000 };
    const d1 = await a.admit('acme', limits, 800, 'r1');
    assert.equal(d1.charged, 800);
    assert.equal((await a.admit('acme', limits, 300, 'r2')).allowed, false);
    await a.settle('acme', limits, { requestId: 'r1', tokenWindow: d1.tokenWindow, charged: 800, actualTokens: 100 });
    const d3 = await a.admit('acme', limits, 300, 'r3');
    assert.equal(d3.allowed, true);
    assert.equal(d3.usedTokens, 400);
    await a.settle('acme', limits, { requestId: 'r3', tokenWindow: d3.tokenWindow, charged: 300, actualTokens: null });
    assert.equal((await a.admit('acme', limits, 0, 'r4')).usedTokens, 400);
  });

  test(`${name}: an estimate above the whole limit is refused and charges nothing (it could never pass)`, async () => {
    const { a } = await make();
    const limits = { tokensPerMinute: 100 };
    const d = await a.admit('acme', limits, 5000, 'big');
    assert.equal(d.allowed, false);
    assert.equal(d.refusedBy, 'tokens');
    assert.equal(d.charged, 0);
    const next = await a.admit('acme', limits, 100, 'fits');
    assert.equal(next.allowed, true, 'the refused request left the whole budget');
    assert.equal(next.charged, 100, 'a request is charged its own estimate, never more');
  });

  test(`${name}: settling with 0 real tokens (refused by the model server) refunds the whole charge`, async () => {
    const { a, b } = await make();
    const limits = { tokensPerMinute: 1000 };
    const d = await a.admit('acme', limits, 900, 'refused-upstream');
    assert.equal((await b.admit('acme', limits, 900, 'second')).allowed, false);
    await a.settle('acme', limits, {
      requestId: 'refused-upstream',
      tokenWindow: d.tokenWindow,
      charged: 900,
      actualTokens: 0,
    });
    const again = await b.admit('acme', limits, 900, 'third');
    assert.equal(again.allowed, true);
    assert.equal(again.usedTokens, 900);
  });

  test(`${name}: concurrent requests are limited and freed by settle`, async () => {
    const { a, b } = await make();
    const limits = { concurrent: 3 };
    const tickets = [];
    for (const id of ['c1', 'c2', 'c3']) tickets.push(await (id === 'c2' ? b : a).admit('acme', limits, 10, id));
    assert.ok(tickets.every((d) => d.allowed));
    const refused = await b.admit('acme', limits, 10, 'c4');
    assert.equal(refused.allowed, false);
    assert.equal(refused.refusedBy, 'concurrent');
    await b.settle('acme', limits, { requestId: 'c1', tokenWindow: '', charged: 0, actualTokens: 10 });
    assert.equal((await a.admit('acme', limits, 10, 'c5')).allowed, true);
  });

  test(`${name}: a refused request charges nothing`, async () => {
    const { a } = await make();
    const limits = { requestsPerMinute: 5, tokensPerMinute: 100 };
    assert.equal((await a.admit('acme', limits, 90, 'x1')).allowed, true);
    const refused = await a.admit('acme', limits, 50, 'x2');
    assert.equal(refused.refusedBy, 'tokens');
    const next = await a.admit('acme', limits, 10, 'x3');
    assert.equal(next.allowed, true);
    assert.equal(next.usedRequests, 2, 'the refused request was not counted');
    assert.equal(next.usedTokens, 100);
  });
}
