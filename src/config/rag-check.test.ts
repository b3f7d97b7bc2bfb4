import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from './load.ts';

const raw = (embeddings: unknown, vectorStore: unknown = { kind: 'lancedb', path: './data/x' }) => ({
  upstreams: { base_models: [{ name: 'b', replicas: [{ url: 'http://127.0.0.1:9' }] }] },
  embeddings,
  vector_store: vectorStore,
  tenants: {
    legal: { strategy: { default: 'hybrid', allowed: ['lora', 'hybrid'] }, collections: ['company'] },
    plain: { strategy: { default: 'rag' } },
  },
});

test('retrieval without an embedder is a config error, never silently lexical-only', () => {
  assert.throws(
    () => parseConfig(raw({ kind: 'none' })),
    (err: unknown) =>
      err instanceof ConfigError && err.problems.some((p) => /tenants\.legal: .*needs embeddings/.test(p)),
  );
  assert.throws(
    () => parseConfig(raw({ kind: 'hash' }, { kind: 'none' })),
    (err: unknown) => err instanceof ConfigError && err.problems.some((p) => /needs a vector_store/.test(p)),
  );
});

test('the hash embedder chosen explicitly, or a tenant without collections, is accepted', () => {
  assert.equal(parseConfig(raw({ kind: 'hash' })).embeddings.kind, 'hash');
  const noCollections = raw({ kind: 'none' });
  noCollections.tenants.legal.collections = [];
  assert.doesNotThrow(() => parseConfig(noCollections));
});
