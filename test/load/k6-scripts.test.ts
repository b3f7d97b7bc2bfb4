/* biome-ignore-all lint/suspicious/noExplicitAny: acorn's AST and fake JSON bodies are read field by field */
/**
 * load/k6: every script must at least parse as the ES module k6 runs (acorn, a real parser), import only k6
 * built-ins or files that exist, declare thresholds, and get through its init code and one iteration against
 * a fake gateway response (k6 built-ins stubbed, see k6-stubs.ts). Where a real `k6` binary is on PATH,
 * `k6 inspect` checks each script as well.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'acorn';
import { k6Stubs } from './k6-stubs.ts';

const k6Dir = new URL('../../load/k6', import.meta.url).pathname;

function scriptsUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name.startsWith('.') // load/k6/.venv holds the k6 install, not scripts
        ? []
        : scriptsUnder(join(dir, e.name))
      : e.name.endsWith('.js')
        ? [join(dir, e.name)]
        : [],
  );
}
const all = scriptsUnder(k6Dir);
const scenarios = all.filter((f) => dirname(f) === k6Dir);

registerHooks({
  resolve(specifier, context, next) {
    if (specifier in k6Stubs)
      return { url: `data:text/javascript,${encodeURIComponent(k6Stubs[specifier])}`, shortCircuit: true };
    return next(specifier, context);
  },
});

interface K6Record {
  checks: { name: string; passed: boolean }[];
  requests: { method: string; url: string; body: string; params: { headers?: Record<string, string> } }[];
  samples: { metric: string; value: number }[];
  metrics: { name: string }[];
  respond(req: unknown): unknown;
}

/** A response like k6's for a successful lorag answer, streamed or not. */
function fakeResponse(req: { body: string }): unknown {
  const body = JSON.parse(req.body ?? '{}');
  const sse = [
    '{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
    '{"choices":[{"index":0,"delta":{"content":"adapter=legal@1"}}]}',
    '{"choices":[{"index":0,"delta":{"content":" hello"},"finish_reason":"stop"}]}',
    '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
    '[DONE]',
  ];
  const json = {
    choices: [{ index: 0, message: { role: 'assistant', content: 'hello [1]' } }],
    citations: [{ index: 1 }],
  };
  const text = body.stream ? sse.map((e) => `data: ${e}\n\n`).join('') : JSON.stringify(json);
  const adapter = String(body.model ?? 'legal').split('@')[0];
  return {
    status: 200,
    body: text,
    headers: {
      'Content-Type': body.stream ? 'text/event-stream; charset=utf-8' : 'application/json',
      'X-Lorag-Adapter': `${adapter}@1`,
      'X-Lorag-Cache': 'hit',
      'X-Lorag-Strategy': body.lorag?.strategy ?? 'lora',
    },
    timings: { waiting: 12, receiving: 30, duration: 45 },
    json(path?: string) {
      if (!path) return json;
      return path.split('.').reduce<any>((v, k) => (v == null ? undefined : v[k]), json);
    },
  };
}

describe('k6 scripts (load/k6)', () => {
  test('there are scenario scripts for every workload the issue names', () => {
    const names = scenarios.map((f) => f.slice(k6Dir.length + 1)).sort();
    assert.deepEqual(names, [
      'adapter-churn.js',
      'cache-hot.js',
      'multi-tenant.js',
      'rag-heavy.js',
      'steady-chat.js',
      'streaming.js',
    ]);
  });

  for (const file of all) {
    const name = file.slice(k6Dir.length + 1);
    test(`${name} parses as an ES module and imports only k6 built-ins or existing files`, () => {
      const ast = parse(readFileSync(file, 'utf8'), {
        ecmaVersion: 2020,
        sourceType: 'module',
        locations: true,
      }) as any;
      for (const node of ast.body) {
        if (node.type !== 'ImportDeclaration') continue;
        const from = node.source.value as string;
        if (from === 'k6' || from.startsWith('k6/')) continue;
        assert.ok(
          from.startsWith('./') || from.startsWith('../'),
          `${name}: import '${from}' is neither k6 nor relative`,
        );
        assert.ok(existsSync(resolve(dirname(file), from)), `${name}: imports missing file ${from}`);
      }
    });
  }

  for (const file of scenarios) {
    const name = file.slice(k6Dir.length + 1);
    test(`${name}: options with thresholds, and one iteration runs against a fake answer`, async () => {
      const record: K6Record = {
        checks: [],
        requests: [],
        samples: [],
        metrics: [],
        respond: fakeResponse as (r: unknown) => unknown,
      };
      Object.assign(globalThis, { __k6: record, __ENV: {}, __VU: 1, __ITER: 0 });
      const mod = await import(pathToFileURL(file).href);
      const options = mod.options;
      assert.ok(options && typeof options === 'object', `${name} exports options`);
      assert.ok(Object.keys(options.thresholds ?? {}).length > 0, `${name} declares thresholds`);
      const list = Object.values<{ exec?: string; env?: Record<string, string> }>(options.scenarios ?? {});
      assert.ok(list.length > 0, `${name} declares scenarios`);
      for (const scenario of list) {
        const exec = scenario.exec ?? 'default';
        assert.equal(typeof mod[exec], 'function', `${name}: scenario function ${exec} is exported`);
        Object.assign(globalThis, { __ENV: scenario.env ?? {} });
        mod[exec]();
      }
      assert.ok(record.requests.length > 0, `${name} sends a request`);
      for (const r of record.requests) {
        assert.match(r.url, /^http:\/\/127\.0\.0\.1:8080\/v1\//);
        assert.match(r.params.headers?.authorization ?? '', /^Bearer sk-/);
      }
      const failed = record.checks.filter((c) => !c.passed).map((c) => c.name);
      assert.deepEqual(failed, [], `${name}: checks fail against a good answer`);
      // Every custom metric a threshold names is one the script defines (a typo would never be measured).
      const builtIn = /^(http_req_\w+|checks|iterations|data_\w+|vus|iteration_duration)$/;
      for (const key of Object.keys(options.thresholds)) {
        const metric = key.split('{')[0];
        if (!builtIn.test(metric))
          assert.ok(
            record.metrics.some((m) => m.name === metric),
            `${name}: threshold on undefined metric ${metric}`,
          );
      }
    });
  }

  // The pinned k6 from load/k6/setup.sh (CI installs it), else one on PATH.
  let k6Binary: string | null = null;
  for (const candidate of [join(k6Dir, '.venv/bin/k6'), 'k6']) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      k6Binary = candidate;
      break;
    } catch {
      // not this one
    }
  }
  test('k6 inspect accepts every scenario', {
    skip: k6Binary ? false : 'k6 is not installed (bash load/k6/setup.sh); the parse checks above still ran',
  }, () => {
    for (const file of scenarios) execFileSync(k6Binary as string, ['inspect', file], { stdio: 'pipe' });
  });
});
