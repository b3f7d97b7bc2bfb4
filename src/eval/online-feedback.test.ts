import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedbackFigures } from './online-feedback.ts';

const row = (adapter: string, scores: number[], strategy = 'lora') => ({
  tenant: 'legal',
  adapter,
  strategy,
  count: scores.length,
  sum: scores.reduce((a, b) => a + b, 0),
  sum_squares: scores.reduce((a, b) => a + b * b, 0),
});

test('online feedback: mean with a normal 95% interval; canary vs stable with a Welch interval', () => {
  const stable = Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : 0));
  const canary = Array.from({ length: 100 }, (_, i) => (i % 10 ? 1 : 0));
  const f = feedbackFigures('legal', [row('legal@1', stable), row('legal@2', canary), row('base', [1, 0], 'rag')]);
  const r1 = f.rows.find((r) => r.adapter === 'legal@1')!;
  assert.equal(r1.mean, 0.5);
  // sd of 50 zeros and 50 ones (n − 1) = 0.5025; 1.96 · sd / √100
  assert.equal((r1.high - r1.mean).toFixed(4), ((1.96 * Math.sqrt(25 / 99)) / 10).toFixed(4));
  assert.equal(f.comparisons.length, 1);
  const c = f.comparisons[0];
  assert.deepEqual([c.canary, c.stable, c.strategy], ['legal@2', 'legal@1', 'lora']);
  assert.equal(c.delta.toFixed(2), '0.40');
  assert.equal(c.measurable, true);
  const close = feedbackFigures('legal', [row('legal@1', [1, 0, 1, 0]), row('legal@2', [1, 0, 1, 1])]);
  assert.equal(close.comparisons[0].measurable, false);
});
