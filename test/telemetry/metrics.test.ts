/**
 * Metrics: mixed traffic through the `Metrics` API, then the real `promtool check metrics` (Debian package
 * `prometheus`) on the rendered scrape, the recorded values, the cardinality guard, the names the Grafana
 * dashboard queries, and the no-op implementation.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics, type Metrics, noopMetrics } from '../../src/telemetry/metrics.ts';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const promtoolMissing = spawnSync(PROMTOOL, ['--version']).error !== undefined;

function mixedTraffic(metrics: Metrics): void {
  const tenants = ['legal-dept', 'hr-dept', 'finance-dept'];
  const adapters = ['legal@3', 'hr@1', 'base'];
  for (let i = 0; i < 30; i++) {
    const tenant = tenants[i % 3];
    const adapter = adapters[i % 3];
    const timer = metrics.requestStarted();
    timer.setTenant(tenant);
    if (i % 7 === 0) {
      metrics.rateLimited(tenant);
      timer.end({ adapter: 'none', endpoint: '/v1/chat/completions', status: 429 });
      continue;
    }
    metrics.cache(tenant, (['hit', 'miss', 'bypass', 'coalesced'] as const)[i % 4]);
    metrics.retrieval(tenant, 0.004 * (i + 1));
    if (i % 5 === 0) metrics.adapterLoad(`vllm-${i % 2}`, adapter, i % 10 === 0 ? 'error' : 'ok');
    if (i % 6 === 0) metrics.upstreamError(`vllm-${i % 2}`, i % 12 === 0 ? 'timeout' : 'connect');
    metrics.firstToken(tenant, adapter, 0.02 * (i + 1));
    metrics.tokens(tenant, adapter, 100 + i, 20 + i);
    timer.end({ adapter, endpoint: i % 2 ? '/v1/completions' : '/v1/chat/completions', status: i % 9 ? 200 : 502 });
  }
  metrics.replicaHealth('vllm-0', true);
  metrics.replicaHealth('vllm-1', false);
  metrics.requestStarted('legal-dept'); // still in flight at scrape time
  metrics.requestStarted().end({ adapter: 'none', endpoint: '/v1/models', status: 401 });
}

/** The value of the sample `name{labels…}` whose labels include all of `labels`; throws if not exactly one. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number {
  const hits = body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)));
  if (hits.length !== 1)
    throw new Error(`${name} ${JSON.stringify(labels)}: ${hits.length} samples\n${hits.join('\n')}`);
  return Number(hits[0].slice(hits[0].lastIndexOf(' ') + 1));
}

describe('Prometheus metrics', () => {
  it('passes promtool check metrics after mixed traffic', {
    skip: promtoolMissing && `${PROMTOOL} not found: apt-get install prometheus`,
  }, async () => {
    const metrics = createMetrics({ metrics: true }, { tenants: ['legal-dept', 'hr-dept', 'finance-dept'] });
    mixedTraffic(metrics);
    const { contentType, body } = await metrics.render();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), '', 'no lint findings');
  });

  it('records what the traffic did', async () => {
    const metrics = createMetrics({ metrics: true }, { defaultMetrics: false });
    mixedTraffic(metrics);
    const { body } = await metrics.render();
    const legal = { tenant: 'legal-dept', adapter: 'legal@3' };
    // i = 3, 6, 9, …, 27 minus the rate-limited 21: 8 legal requests reached the model, tokens (100+i) and (20+i).
    const served = [3, 6, 9, 12, 15, 18, 24, 27];
    assert.equal(
      sample(body, 'lorag_tokens_total', { ...legal, direction: 'in' }),
      served.reduce((a, i) => a + 100 + i, 0),
    );
    assert.equal(
      sample(body, 'lorag_tokens_total', { ...legal, direction: 'out' }),
      served.reduce((a, i) => a + 20 + i, 0),
    );
    assert.equal(sample(body, 'lorag_time_to_first_token_seconds_count', legal), served.length);
    assert.equal(sample(body, 'lorag_rate_limited_total', { tenant: 'legal-dept' }), 2); // i = 0, 21
    assert.equal(sample(body, 'lorag_rate_limited_total', { tenant: 'finance-dept' }), 1); // i = 14
    assert.equal(
      sample(body, 'lorag_request_duration_seconds_count', { tenant: 'none', endpoint: '/v1/models', status: '401' }),
      1,
    );
    assert.equal(
      sample(body, 'lorag_request_duration_seconds_count', { ...legal, endpoint: '/v1/completions', status: '502' }),
      2,
    ); // i = 9, 27 (odd: /v1/completions)
    assert.equal(sample(body, 'lorag_adapter_loads_total', { replica: 'vllm-0', result: 'error', adapter: 'hr@1' }), 1); // i = 10
    assert.equal(sample(body, 'lorag_adapter_loads_total', { replica: 'vllm-1', result: 'ok', adapter: 'base' }), 1); // i = 5
    assert.equal(sample(body, 'lorag_upstream_errors_total', { replica: 'vllm-0', kind: 'timeout' }), 2); // i = 12, 24 (0 was rate limited)
    assert.equal(sample(body, 'lorag_replica_healthy', { replica: 'vllm-1' }), 0);
    assert.equal(sample(body, 'lorag_requests_in_flight', { tenant: 'legal-dept' }), 1);
    assert.equal(sample(body, 'lorag_requests_in_flight', { tenant: 'hr-dept' }), 0);
    assert.equal(sample(body, 'lorag_requests_in_flight', { tenant: 'none' }), 0, 'setTenant moved the count');
  });

  it('ends a request once, and counts it in flight until then', async () => {
    const metrics = createMetrics({ metrics: true }, { defaultMetrics: false });
    const timer = metrics.requestStarted('t');
    assert.equal(sample((await metrics.render()).body, 'lorag_requests_in_flight', { tenant: 't' }), 1);
    const seconds = timer.end({ adapter: 'base', endpoint: '/v1/chat/completions', status: 200 });
    timer.end({ adapter: 'base', endpoint: '/v1/chat/completions', status: 500 });
    timer.setTenant('u');
    const { body } = await metrics.render();
    assert.ok(seconds >= 0);
    assert.equal(sample(body, 'lorag_requests_in_flight', { tenant: 't' }), 0);
    assert.equal(sample(body, 'lorag_request_duration_seconds_count', { tenant: 't', status: '200' }), 1);
    assert.doesNotMatch(body, /status="500"/);
    assert.doesNotMatch(body, /tenant="u"/);
  });

  it('maps label values past the bound to other, but always keeps configured ones', async () => {
    const metrics = createMetrics(
      { metrics: true },
      { defaultMetrics: false, tenants: ['legal-dept'], maxTenants: 3, adapters: ['legal@3'], maxAdapters: 4 },
    );
    for (let i = 0; i < 50; i++) metrics.tokens(`user-${i}`, `x-${i}`, 1, 1);
    metrics.tokens('legal-dept', 'legal@3', 1, 1);
    const { body } = await metrics.render();
    const tenants = new Set([...body.matchAll(/tenant="([^"]*)"/g)].map((m) => m[1]));
    const adapters = new Set([...body.matchAll(/adapter="([^"]*)"/g)].map((m) => m[1]));
    // Known: legal-dept and `none` (no tenant yet), so one unknown tenant fits under 3; known adapters: legal@3, base, none.
    assert.deepEqual([...tenants].sort(), ['legal-dept', 'other', 'user-0']);
    assert.deepEqual([...adapters].sort(), ['legal@3', 'other', 'x-0']);
    assert.equal(sample(body, 'lorag_tokens_total', { tenant: 'other', adapter: 'other', direction: 'in' }), 49);
  });

  it('exposes every lorag_ metric the Grafana dashboard queries', async () => {
    const metrics = createMetrics({ metrics: true });
    mixedTraffic(metrics);
    const { body } = await metrics.render();
    const dashboard = readFileSync(new URL('../../deploy/grafana/lorag.json', import.meta.url), 'utf8');
    // The budget stage's series live in its own registry (src/budgets/metrics.ts, checked with promtool in
    // test/budgets/report.test.ts); this registry must expose the rest.
    const budgets = readFileSync(new URL('../../src/budgets/metrics.ts', import.meta.url), 'utf8');
    const queried = new Set(
      [...dashboard.matchAll(/\b(lorag_[a-z_]+[a-z])\b/g)].map((m) => m[1]).filter((n) => !budgets.includes(n)),
    );
    assert.ok(queried.size >= 5, `dashboard names: ${[...queried]}`);
    for (const name of queried) assert.match(body, new RegExp(`^${name}[{ ]`, 'm'), `${name} is not exposed`);
  });

  it('keeps each instance in its own registry', async () => {
    const a = createMetrics({ metrics: true });
    const b = createMetrics({ metrics: true });
    a.rateLimited('t');
    assert.match((await a.render()).body, /lorag_rate_limited_total\{tenant="t"\} 1/);
    assert.doesNotMatch((await b.render()).body, /lorag_rate_limited_total\{/);
  });

  it('has a no-op twin with the same interface', async () => {
    const metrics = createMetrics({ metrics: false });
    assert.equal(metrics, noopMetrics);
    assert.equal(metrics.enabled, false);
    mixedTraffic(metrics);
    assert.equal((await metrics.render()).body, '');
    assert.deepEqual(Object.keys(noopMetrics).sort(), Object.keys(createMetrics({ metrics: true })).sort());
  });
});
