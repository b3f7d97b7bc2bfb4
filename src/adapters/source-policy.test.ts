import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers/peft-fixture.ts';
import { allowedRoots, checkSource } from './source-policy.ts';

const cwd = tempDir('lorag-roots-');
mkdirSync(join(cwd, 'adapters', 'legal', 'v2'), { recursive: true });
symlinkSync('/etc', join(cwd, 'adapters', 'etc-link'));
const roots = allowedRoots({ dir: './adapters' });

test('inside the adapters folder and sim:// are allowed by default', () => {
  assert.equal(checkSource('./adapters/legal/v2', roots, cwd).ok, true);
  assert.equal(checkSource(join(cwd, 'adapters/legal/v3-not-yet'), roots, cwd).ok, true);
  assert.equal(checkSource('sim://legal/v2', roots, cwd).ok, true);
});

test('/etc/shadow, .. escapes, symlinks out, sibling prefixes and other schemes are refused', () => {
  for (const s of [
    '/etc/shadow',
    './adapters/../../../etc/shadow',
    './adapters/etc-link/shadow',
    './adapters-evil/x',
    'file:///etc/shadow',
    's3://bucket/x',
  ]) {
    const v = checkSource(s, roots, cwd);
    assert.equal(v.ok, false, s);
    assert.match((v as { reason: string }).reason, /allowed/);
  }
});

test('configured roots replace the default', () => {
  const r = allowedRoots({ dir: './adapters', allowed_roots: ['/srv/loras'] });
  assert.deepEqual(r, ['/srv/loras']);
  assert.equal(checkSource('sim://x', r, cwd).ok, false);
  assert.equal(checkSource('/srv/loras/legal/2', r, cwd).ok, true);
});
