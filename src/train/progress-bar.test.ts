/** The training progress bar: a line per tenth off a terminal, and the step a run stopped at (early stops too). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar } from './progress-bar.ts';

function capture(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, write: (s: string) => writes.push(s) }, writes };
}

test('off a terminal: one line per tenth, then the step an early stop ended on, then the summary', () => {
  const { out, writes } = capture(false);
  const bar = progressBar('legal@2', 400, out);
  for (let step = 1; step <= 85; step++) bar.step(step, 1 / step);
  bar.end('legal@2: 85 steps');
  const lines = writes.join('').trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split('] ')[1]?.split(' steps')[0] ?? l),
    ['1/400', '40/400', '80/400', '85/400', 'legal@2: 85 steps'],
  );
  assert.match(lines[3], /^legal@2 \[#{5}-{19}\] 85\/400 steps {2}loss 0\.0118/);
});

test('off a terminal: a run that ends on a tenth is not repeated', () => {
  const { out, writes } = capture(false);
  const bar = progressBar('hr@1', 20, out);
  for (let step = 1; step <= 20; step++) bar.step(step, 0.5);
  bar.end('done');
  assert.equal(writes.filter((w) => w.includes('20/20')).length, 1);
});

test('on a terminal: one line redrawn in place', () => {
  const { out, writes } = capture(true);
  const bar = progressBar('legal@2', 4, out);
  for (let step = 1; step <= 4; step++) bar.step(step, 0.25);
  bar.end('done');
  assert.equal(writes.length, 5);
  assert.ok(writes.slice(0, 4).every((w) => w.startsWith('\rlegal@2 [')));
  assert.equal(writes[4], '\ndone\n');
});
