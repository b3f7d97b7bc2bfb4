import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from './load.ts';

const hash = 'a'.repeat(64);
const config = (adminHash: string, hrHash: string) => ({
  admin: { keys: [{ sha256: adminHash }] },
  upstreams: { base_models: [{ name: 'tiny-base', replicas: [{ url: 'http://127.0.0.1:8000' }] }] },
  tenants: {
    legal: { keys: [{ sha256: hash, name: 'legal' }], adapters: [] },
    hr: { keys: [{ sha256: hrHash, name: 'hr' }], adapters: [] },
  },
});

test('a key listed under two tenants, or a tenant and admin, is refused with both paths', () => {
  for (const [adminHash, hrHash, where] of [
    [
      'b'.repeat(64),
      hash,
      /tenants\.hr\.keys\[0\]\.sha256: the same key is already listed at tenants\.legal\.keys\[0\]/,
    ],
    [hash, 'c'.repeat(64), /tenants\.legal\.keys\[0\]\.sha256: the same key is already listed at admin\.keys\[0\]/],
  ] as const) {
    assert.throws(
      () => parseConfig(config(adminHash, hrHash), 'test'),
      (err: unknown) => err instanceof ConfigError && where.test(err.message),
    );
  }
  assert.doesNotThrow(() => parseConfig(config('b'.repeat(64), 'c'.repeat(64)), 'test'));
});
