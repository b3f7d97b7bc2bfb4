/**
 * deploy/grafana, deploy/prometheus, deploy/otel: the dashboard parses and queries only lorag_* and vllm:*
 * metrics (and, once the gateway's metric instruments exist, only names they define), Prometheus scrapes the
 * gateway and vLLM, and the collector's pipelines and Grafana's provisioning point at what exists.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deployDir, readText, readYaml, repoRoot } from './deploy-files.ts';

type Target = { expr: string; datasource?: { uid: string } };
type Panel = {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  datasource?: { uid: string };
};
type Dashboard = {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
};

const dashboard = JSON.parse(readText(join(deployDir, 'grafana', 'lorag.json'))) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

const promqlWords = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'histogram_quantile',
  'clamp_min',
  'clamp_max',
  'abs',
  'label_replace',
  'label_join',
  'vector',
  'scalar',
  'time',
  'sum_over_time',
  'avg_over_time',
  'max_over_time',
  'min_over_time',
  'absent',
  'round',
  'le',
  'inf',
  'nan',
]);

/** Metric names in a PromQL expression: what is left once strings, matchers, ranges and keywords are gone. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/(?<![a-zA-Z_:])\d+(\.\d+)?(e[-+]?\d+)?/gi, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return words.filter((w) => !promqlWords.has(w.toLowerCase()) && !/^\d/.test(w));
}

/** A histogram's or counter's family name as the instrument declares it. */
const family = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('deploy/grafana/lorag.json', () => {
  it('is a dashboard with unique panel ids, laid out on the 24-column grid', () => {
    assert.ok(dashboard.uid && dashboard.title);
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate panel id');
    for (const p of dashboard.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} overflows the grid`);
    assert.ok(queryPanels.length >= 10);
  });

  it('queries only lorag_* and vllm:* metrics, through the datasource variable', () => {
    assert.ok(exprs.length > 0);
    for (const p of queryPanels) {
      assert.ok(p.targets?.length, `${p.title} has no query`);
      for (const t of p.targets ?? []) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
        assert.equal(t.datasource?.uid, '${datasource}', `${p.title}: fixed datasource`);
        const names = metricNames(t.expr);
        assert.ok(names.length > 0, `${p.title}: no metric in ${t.expr}`);
        for (const n of names) assert.match(n, /^(lorag_|vllm:)/, `${p.title}: ${n} in ${t.expr}`);
      }
    }
  });

  it('the metric-name check rejects what it should (so it can fail)', () => {
    assert.deepEqual(metricNames('sum by (le) (rate(http_requests_total{job="x"}[5m]))'), ['http_requests_total']);
    assert.deepEqual(metricNames('histogram_quantile(0.9, sum by (le) (rate(lorag_x_bucket[$__rate_interval])))'), [
      'lorag_x_bucket',
    ]);
  });

  it('writes valid-looking PromQL: balanced brackets, quantiles over _bucket series by le', () => {
    for (const expr of exprs) {
      const stack: string[] = [];
      const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
      for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
        if ('([{'.includes(c)) stack.push(c);
        else if (c in pairs) assert.equal(stack.pop(), pairs[c], `unbalanced ${c} in ${expr}`);
      }
      assert.equal(stack.length, 0, `unclosed in ${expr}`);
      if (expr.includes('histogram_quantile')) {
        assert.match(expr, /_bucket\b/, expr);
        assert.match(expr, /by \(le\b/, expr);
      }
      for (const v of expr.match(/\$(\w+)/g) ?? []) {
        const name = v.slice(1);
        if (name.startsWith('__')) continue; // Grafana built-ins ($__rate_interval)
        assert.ok(
          dashboard.templating.list.some((t) => t.name === name),
          `${v} is not a dashboard variable`,
        );
      }
    }
  });

  it('covers latency, TTFT, tokens/s, cache hit ratio, adapter loads and errors by replica', () => {
    const used = new Set(exprs.flatMap(metricNames).map(family));
    for (const name of [
      'lorag_request_duration_seconds',
      'lorag_time_to_first_token_seconds',
      'lorag_tokens_total',
      'lorag_cache_requests_total',
      'lorag_adapter_loads_total',
      'lorag_upstream_errors_total',
      'lorag_requests_in_flight',
      'lorag_retrieval_duration_seconds',
      'lorag_rate_limited_total',
    ]) {
      assert.ok(used.has(name), `${name} has no panel`);
    }
  });

  // The gateway's instruments (issue 6) are written in parallel; once they exist, every lorag_* name the
  // dashboard queries must be one they define, so that a rename on either side fails here.
  // src/budgets defines the budget and chargeback instruments in a registry of its own (appended to /metrics).
  const sources = ['telemetry', 'budgets']
    .map((dir) => join(repoRoot, 'src', dir))
    .flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => readText(join(dir, f))),
    )
    .join('\n');
  const defined = new Set(sources.match(/lorag_[a-z0-9_]+/g) ?? []);
  it('queries only lorag_* metrics that src/telemetry defines', {
    skip: defined.size === 0 && 'src/telemetry defines no lorag_* metric yet',
  }, () => {
    const used = new Set(
      exprs
        .flatMap(metricNames)
        .filter((n) => n.startsWith('lorag_'))
        .map(family),
    );
    const missing = [...used].filter((n) => !defined.has(n));
    assert.deepEqual(
      missing,
      [],
      `dashboard metrics not defined in src/telemetry (defined: ${[...defined].join(', ')})`,
    );
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  type Job = { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] };
  const prom = readYaml<{ global: { scrape_interval: string }; scrape_configs: Job[] }>(
    join(deployDir, 'prometheus', 'prometheus.yml'),
  );

  it('parses and scrapes the gateway and vLLM on /metrics, with unique job names', () => {
    assert.match(prom.global.scrape_interval, /^\d+[smh]$/);
    const names = prom.scrape_configs.map((j) => j.job_name);
    assert.equal(new Set(names).size, names.length);
    for (const job of ['lorag', 'vllm']) {
      const j = prom.scrape_configs.find((x) => x.job_name === job);
      assert.ok(j, `no ${job} job`);
      assert.equal(j.metrics_path ?? '/metrics', '/metrics');
      for (const t of j.static_configs.flatMap((c) => c.targets)) assert.match(t, /^[a-z0-9.-]+:\d+$/);
    }
  });
});

describe('deploy/otel/collector.yaml and Grafana provisioning', () => {
  type Collector = {
    receivers: Record<string, { protocols: { http: { endpoint: string } } }>;
    processors: Record<string, unknown>;
    exporters: Record<string, { endpoint?: string }>;
    extensions?: Record<string, unknown>;
    service: {
      extensions?: string[];
      pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
    };
  };
  const collector = readYaml<Collector>(join(deployDir, 'otel', 'collector.yaml'));
  const compose = readYaml<{
    services: Record<
      string,
      { environment?: Record<string, string>; volumes?: ({ source: string; target: string } | string)[] }
    >;
  }>(join(deployDir, 'compose.yaml'));

  it('uses only defined components in its pipelines, and receives where the gateway sends', () => {
    for (const [name, p] of Object.entries(collector.service.pipelines)) {
      for (const r of p.receivers) assert.ok(r in collector.receivers, `${name}: receiver ${r}`);
      for (const x of p.processors ?? []) assert.ok(x in collector.processors, `${name}: processor ${x}`);
      for (const e of p.exporters) assert.ok(e in collector.exporters, `${name}: exporter ${e}`);
    }
    for (const e of collector.service.extensions ?? []) assert.ok(e in (collector.extensions ?? {}));
    assert.ok(collector.service.pipelines.traces, 'a traces pipeline');
    const sent = new URL(compose.services.lorag.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    assert.equal(collector.receivers.otlp.protocols.http.endpoint.split(':').pop(), sent.port);
    const jaeger = collector.exporters['otlp/jaeger']?.endpoint?.split(':')[0] ?? '';
    assert.ok(jaeger in compose.services, `trace exporter host ${jaeger} is not a compose service`);
  });

  it('provisions the Prometheus datasource and the dashboard folder that compose mounts', () => {
    const ds = readYaml<{ datasources: { uid: string; type: string; url: string }[] }>(
      join(deployDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'),
    );
    assert.equal(ds.datasources[0].type, 'prometheus');
    assert.equal(new URL(ds.datasources[0].url).hostname, 'prometheus');
    const dsVar = dashboard.templating.list.find((t) => t.name === 'datasource');
    assert.equal(dsVar?.type, 'datasource');
    const providers = readYaml<{ providers: { options: { path: string } }[] }>(
      join(deployDir, 'grafana', 'provisioning', 'dashboards', 'lorag.yaml'),
    );
    const mounts = (compose.services.grafana.volumes ?? []).filter((v) => typeof v !== 'string') as {
      source: string;
      target: string;
    }[];
    const dashMount = mounts.find((m) => m.source === './grafana/lorag.json');
    assert.ok(dashMount, 'compose mounts the dashboard');
    assert.equal(dashMount.target, `${providers.providers[0].options.path}/lorag.json`);
  });
});
