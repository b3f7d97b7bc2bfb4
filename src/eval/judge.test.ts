import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgePrompt, parseVerdict } from './judge.ts';

test('judge verdicts: yes/no at the start, anything else is not judged', () => {
  assert.equal(parseVerdict('Yes'), 1);
  assert.equal(parseVerdict(' no, it is not'), 0);
  assert.equal(parseVerdict('"yes".'), 1);
  assert.equal(parseVerdict('Maybe'), null);
  assert.equal(parseVerdict('yesterday'), null);
  assert.match(judgePrompt('Q?', 'A', ['p1', 'p2']), /\[1\] p1\n\[2\] p2\n\nQuestion: Q\?\nAnswer: A/);
});
