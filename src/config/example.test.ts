import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from './load.ts';

const example = new URL('../../lorag.example.yaml', import.meta.url).pathname;

test('lorag.example.yaml is valid and has the demo tenants', () => {
  const config = loadConfigFile(example, {});
  assert.deepEqual(Object.keys(config.tenants).sort(), ['hr', 'legal', 'ops']);
  assert.equal(config.server.port, 8080);
  assert.ok(Object.isFrozen(config.tenants.legal));
});

test('LORAG_* environment overrides are typed and nested', () => {
  const config = loadConfigFile(example, { LORAG_SERVER__PORT: '9191', LORAG_TELEMETRY__TRACES: 'true' });
  assert.equal(config.server.port, 9191);
  assert.equal(config.telemetry.traces, true);
});

test('LORAG_* variables without a __ are not config overrides', () => {
  const config = loadConfigFile(example, { LORAG_E2E_VLLM_URL: 'http://x', LORAG_CONFIG: 'elsewhere.yaml' });
  assert.equal(config.server.port, 8080);
});

test('an invalid config lists every bad field by path', () => {
  const raw = {
    server: { port: 'eighty' },
    upstreams: { base_models: [] },
    tenants: { Legal: {}, ok: { keys: [{ sha256: 'nothex' }], strategy: { default: 'magic' } } },
  };
  assert.throws(
    () => parseConfig(raw, 'x.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const path of [
        'server.port',
        'upstreams.base_models',
        'tenants.Legal',
        'tenants.ok.keys.0.sha256',
        'tenants.ok.strategy.default',
      ]) {
        assert.match(text, new RegExp(path.replaceAll('.', '\\.')), `missing ${path} in\n${text}`);
      }
      return true;
    },
  );
});

test('cross-section references are checked', () => {
  const raw = {
    upstreams: { base_models: [{ name: 'm', replicas: [{ url: 'http://127.0.0.1:1' }] }] },
    cache: { kind: 'redis' },
    tenants: { a: { base_model: 'nope', strategy: { default: 'rag', allowed: ['lora'] } } },
  };
  assert.throws(
    () => parseConfig(raw),
    (err: unknown) => {
      const text = (err as ConfigError).problems.join('\n');
      assert.match(text, /tenants\.a\.base_model/);
      assert.match(text, /tenants\.a\.strategy\.default/);
      assert.match(text, /cache\.kind: redis needs redis\.url/);
      return true;
    },
  );
});
