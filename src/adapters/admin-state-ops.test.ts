import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyAdminState } from './admin-state.ts';
import { addVersionOp, drainOp, retireOp, rollbackOp, setSplitOp, shareOp } from './admin-state-ops.ts';
import { overlayRegistry } from './admin-state-overlay.ts';
import { AdapterRegistry, AdapterRegistryError } from './registry.ts';

const base = new AdapterRegistry([
  {
    name: 'legal',
    description: 'Legal.',
    base_model: 'tiny',
    rank: 8,
    examples: [],
    versions: [
      { version: '1', source: 'sim://legal/v1', retired: false },
      { version: '2', source: 'sim://legal/v2', retired: false },
    ],
    split: { 'legal@1': 100 },
  },
]);
const who = { by: 'ops', at: '2026-01-01T00:00:00.000Z' };

test('a version added through the admin state is appended; its split replaces the manifest one', () => {
  const s = addVersionOp(
    base,
    emptyAdminState(),
    'legal',
    { version: { version: '3', source: 'sim://legal/v3' }, split: { 'legal@1': 90, 'legal@3': 10 } },
    who,
  );
  const reg = overlayRegistry(base, s);
  assert.deepEqual(
    reg.liveVersions('legal').map((v) => v.version),
    ['1', '2', '3'],
  );
  assert.deepEqual(reg.defaultSplit('legal'), { 'legal@1': 90, 'legal@3': 10 });
  assert.equal(s.audit.at(-1)?.action, 'add-version');
  assert.equal(s.audit.at(-1)?.by, 'ops');
  // The manifests themselves are untouched.
  assert.deepEqual(base.defaultSplit('legal'), { 'legal@1': 100 });
});

test('invalid changes throw and name the reason', () => {
  assert.throws(
    () => addVersionOp(base, emptyAdminState(), 'legal', { version: { version: '1', source: 'x' } }, who),
    /already exists/,
  );
  assert.throws(() => setSplitOp(base, emptyAdminState(), 'legal', { 'legal@9': 100 }, who), /not live/);
  assert.throws(() => setSplitOp(base, emptyAdminState(), 'nope', null, who), AdapterRegistryError);
  assert.throws(() => retireOp(base, emptyAdminState(), 'legal', '7', who), /unknown adapter version/);
});

test('retiring a version that is in the admin split drops it from routing; rollback skips splits naming it', () => {
  let s = setSplitOp(base, emptyAdminState(), 'legal', { 'legal@1': 50, 'legal@2': 50 }, who);
  s = setSplitOp(base, s, 'legal', { 'legal@2': 100 }, who);
  s = retireOp(base, s, 'legal', '1', who);
  const reg = overlayRegistry(base, s);
  assert.equal(reg.get('legal')?.versions[0].retired, true);
  assert.deepEqual(reg.defaultSplit('legal'), { 'legal@2': 100 });
  // Both earlier splits name legal@1 (retired): nothing to roll back to.
  assert.throws(() => rollbackOp(base, s, 'legal', who), /no earlier split/);
});

test('rollback goes back to the split before the last change, and again to the one before that', () => {
  let s = setSplitOp(base, emptyAdminState(), 'legal', { 'legal@1': 90, 'legal@2': 10 }, who);
  s = setSplitOp(base, s, 'legal', { 'legal@2': 100 }, who);
  s = rollbackOp(base, s, 'legal', who);
  assert.deepEqual(overlayRegistry(base, s).defaultSplit('legal'), { 'legal@1': 90, 'legal@2': 10 });
  s = rollbackOp(base, s, 'legal', who);
  assert.deepEqual(overlayRegistry(base, s).defaultSplit('legal'), { 'legal@1': 100 });
  assert.deepEqual(
    s.audit.map((e) => e.action),
    ['split', 'split', 'rollback', 'rollback'],
  );
});

test('drains are kept by replica URL', () => {
  const s = drainOp(emptyAdminState(), 'http://10.0.0.1:8000', 'r1', true, who);
  assert.deepEqual(s.drained, { 'http://10.0.0.1:8000': true });
  assert.deepEqual(s.audit[0].detail, { replica: 'r1', url: 'http://10.0.0.1:8000' });
});

test('a new version starts at 0% unless a share is asked; canary scales the others; promote takes all', () => {
  let s = addVersionOp(base, emptyAdminState(), 'legal', { version: { version: '3', source: 'sim://legal/v3' } }, who);
  assert.deepEqual(overlayRegistry(base, s).defaultSplit('legal'), { 'legal@1': 100, 'legal@3': 0 });
  s = shareOp(base, s, 'legal', '3', 10, who);
  assert.deepEqual(overlayRegistry(base, s).defaultSplit('legal'), { 'legal@1': 90, 'legal@3': 10 });
  s = shareOp(base, s, 'legal', '3', 100, who, 'promote');
  assert.deepEqual(overlayRegistry(base, s).defaultSplit('legal'), { 'legal@3': 100 });
  s = rollbackOp(base, s, 'legal', who);
  assert.deepEqual(overlayRegistry(base, s).defaultSplit('legal'), { 'legal@1': 90, 'legal@3': 10 });
  const t = addVersionOp(
    base,
    emptyAdminState(),
    'legal',
    { version: { version: '4', source: 'x' }, canaryShare: 25 },
    who,
  );
  assert.deepEqual(overlayRegistry(base, t).defaultSplit('legal'), { 'legal@1': 75, 'legal@4': 25 });
  assert.deepEqual(
    s.audit.map((e) => e.action),
    ['add-version', 'canary', 'promote', 'rollback'],
  );
});

test('canary or promote of an unknown or retired version is "unknown" (404 at the API)', () => {
  assert.throws(
    () => shareOp(base, emptyAdminState(), 'legal', '9', 10, who),
    /^Error: unknown adapter version 'legal@9'/,
  );
  const s = retireOp(base, emptyAdminState(), 'legal', '2', who);
  assert.throws(
    () => shareOp(base, s, 'legal', '2', 100, who, 'promote'),
    /unknown adapter version 'legal@2' \(retired\)/,
  );
  assert.throws(() => shareOp(base, emptyAdminState(), 'legal', '1', 50, who), /only live version with traffic/);
});
