import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedOutcome, RequestScope } from './request-scope.ts';

test('endings run once, newest first, each with the outcome; one that throws does not stop the others', () => {
  const scope = new RequestScope();
  const ran: string[] = [];
  scope.onEnd((o) => ran.push(`finish:${o.status}`));
  scope.onEnd(() => {
    ran.push('admission');
    throw new Error('boom');
  });
  scope.onEnd((o) => ran.push(`lease:${o.upstream}`));
  scope.end(failedOutcome(499));
  scope.end(failedOutcome(200));
  assert.deepEqual(ran, ['lease:aborted', 'admission', 'finish:499']);
  assert.equal(scope.ended, true);
  assert.throws(() => scope.onEnd(() => {}), /already ended/);
});

test('a request that failed before an answer is charged nothing and stores nothing', () => {
  const o = failedOutcome(400, 'bad');
  assert.equal(o.charged, null);
  assert.equal(o.entry, null);
  assert.equal(o.upstream, 'ok');
});
