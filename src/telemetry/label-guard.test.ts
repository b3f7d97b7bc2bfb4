import assert from 'node:assert/strict';
import { it } from 'node:test';
import { labelGuard, OTHER } from './label-guard.ts';

it('lets known values and the first unknown ones through, then answers other', () => {
  const guard = labelGuard(3, ['a']);
  assert.deepEqual(['a', 'b', 'c', 'd', 'b', 'a', 'e'].map(guard), ['a', 'b', 'c', OTHER, 'b', 'a', OTHER]);
  assert.equal(guard.size, 3);
});

it('never drops a known value, even when there are more known values than the limit', () => {
  const guard = labelGuard(1, ['a', 'b', 'c']);
  assert.deepEqual(['c', 'b', 'a', 'z'].map(guard), ['c', 'b', 'a', OTHER]);
});
