/**
 * The chargeback report end to end: a real gateway (with Redis) answers SDK requests for two departments, some
 * from the cache; `lorag usage report` then prices them per tenant, adapter and key (table, CSV, JSON) and draws
 * the chart with vega (SVG). `lorag budgets` shows, raises and resets a budget through the same Redis.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { main as budgetsCli } from '../../src/budgets/cli.ts';
import { periodAt } from '../../src/budgets/periods.ts';
import { main as usageCli } from '../../src/usage/cli.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { keys, type Stack, startStack, testConfig } from '../helpers/stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'lorag-report-'));
let redis: TestRedis;
let stack: Stack;
let configFile: string;
const TZ = 'Europe/Berlin';

function extra(redisUrl: string) {
  return {
    config: {
      redis: { url: redisUrl, command_timeout_ms: 1000, key_prefix: 'report:' },
      cache: { kind: 'redis' },
      prices: {
        currency: 'EUR',
        cached_factor: 0.1,
        models: { 'tiny-base': { prompt_per_million: 1, completion_per_million: 2 } },
        adapters: { legal: { prompt_per_million: 10, completion_per_million: 20 } },
      },
      budgets: {
        kind: 'redis',
        time_zone: TZ,
        tenants: { hr: { limits: [{ period: 'day', unit: 'cost', amount: 5, soft: 0.5 }] } },
      },
    },
  };
}

before(async () => {
  redis = await startTestRedis();
  stack = await startStack(extra(redis.url));
  configFile = join(dir, 'lorag.yaml');
  writeFileSync(configFile, stringify(testConfig([stack.sims[0].url], extra(redis.url))));
});

after(async () => {
  await stack?.close();
  await redis?.stop();
});

function capture(): { write(t: string): void; text: string } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

test('usage report prices upstream answers and cache hits per department, adapter and key', async () => {
  const ask = (tenant: 'legal' | 'hr', content: string) =>
    stack.client(tenant).chat.completions.create({
      model: tenant,
      messages: [{ role: 'user', content }],
      max_tokens: 30,
      temperature: 0,
    });
  const answers = [];
  for (const q of ['a', 'b', 'a', 'a']) answers.push(await ask('legal', `legal question ${q}`));
  for (const q of ['x', 'x']) answers.push(await ask('hr', `hr question ${q}`));
  const [l1, l2, , , h1] = answers;
  const period = periodAt('month', Date.now(), TZ).label;
  // The ledgers are written fire-and-forget: read until all six answers are in (bounded).
  let report: any;
  for (let i = 0; i < 100; i++) {
    const json = capture();
    await usageCli(['report', '--config', configFile, '--period', period, '--format', 'json'], json);
    report = JSON.parse(json.text);
    if (report.totals.find((t: { tenant: string }) => t.tenant === '*')?.requests === 6) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(report.period, period);
  assert.equal(report.time_zone, TZ);
  const row = (tenant: string, key: string) =>
    report.rows.find((r: { tenant: string; key: string }) => r.tenant === tenant && r.key === key);
  const legalUpstream = row('legal', 'sk-test-legal-name');
  assert.equal(legalUpstream.requests, 2);
  const lp = l1.usage!.prompt_tokens + l2.usage!.prompt_tokens;
  const lc = l1.usage!.completion_tokens + l2.usage!.completion_tokens;
  assert.deepEqual([legalUpstream.prompt_tokens, legalUpstream.completion_tokens], [lp, lc]);
  assert.equal(legalUpstream.cost, (lp * 10 + lc * 20) / 1e6);
  const legalCache = row('legal', '(cache)');
  assert.equal(legalCache.cache_hits, 2);
  assert.equal(legalCache.cache_hit_share, 0.5);
  // A hit costs cached_factor of the full price.
  const hitCost = (2 * (l1.usage!.prompt_tokens * 10 + l1.usage!.completion_tokens * 20) * 0.1) / 1e6;
  assert.ok(Math.abs(legalCache.cost - hitCost) < 1e-6, `${legalCache.cost} vs ${hitCost}`);
  const hrUpstream = row('hr', 'sk-test-hr-name');
  assert.equal(hrUpstream.cost, (h1.usage!.prompt_tokens * 1 + h1.usage!.completion_tokens * 2) / 1e6);
  const total = report.totals.find((t: { tenant: string }) => t.tenant === '*');
  assert.equal(total.requests, 6);
  assert.equal(total.cache_hits, 3);

  const csv = capture();
  await usageCli(['report', '--config', configFile, '--period', period, '--format', 'csv'], csv);
  const lines = csv.text.trimEnd().split('\r\n');
  assert.equal(
    lines[0],
    'period,tenant,adapter,key,requests,cache_hits,cache_hit_share,prompt_tokens,completion_tokens,cost,currency',
  );
  assert.equal(lines.length, 1 + report.rows.length);
  assert.ok(
    lines.some((l) => l.startsWith(`${period},legal,legal@1,(cache),2,2,0.5,`)),
    csv.text,
  );

  const table = capture();
  const chart = join(dir, 'chargeback.svg');
  await usageCli(['report', '--config', configFile, '--period', period, '--chart', chart], table);
  assert.match(table.text, /legal total/);
  assert.match(table.text, /COST \(EUR\)/);
  const svg = readFileSync(chart, 'utf8');
  assert.match(svg, /^<svg /);
  assert.match(svg, />legal</);
  assert.match(svg, /Cache hit share/);

  // The same report from the gateway's admin API (which also works without Redis).
  const admin = (q: string) =>
    fetch(`${stack.gateway.url}/admin/usage/report?${q}`, { headers: { authorization: `Bearer ${keys.admin}` } });
  const apiCsv = await admin(`period=${period}&format=csv`);
  assert.equal(apiCsv.status, 200);
  assert.equal(await apiCsv.text(), csv.text);
  const badPeriod = await admin('period=2026-13');
  assert.equal(badPeriod.status, 400);
  assert.equal(((await badPeriod.json()) as { error: { param: string } }).error.param, 'period');

  // The same figures in Prometheus metrics, with bounded labels, appended to the gateway's /metrics.
  const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
  const value = (series: string) =>
    Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
  const legalCost = value('lorag_chargeback_cost_total{tenant="legal",adapter="legal@1",currency="EUR"}');
  assert.ok(Math.abs(legalCost - (legalUpstream.cost + legalCache.cost)) < 1e-6, `${legalCost}`);
  assert.equal(value('lorag_chargeback_requests_total{tenant="legal",adapter="legal@1",cache="hit"}'), 2);
  assert.ok(value('lorag_budget_used{tenant="hr",key="",unit="cost",period="day"}') > 0);
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics });
  if (!promtool.error) assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);

  await assert.rejects(
    usageCli(['report', '--config', configFile, '--period', '2026-13'], capture()),
    /--period: expected a month/,
  );
});

test('lorag budgets lists, raises and resets a budget in the shared store', async () => {
  const list = capture();
  await budgetsCli(['--config', configFile, '--json'], list);
  const [line] = JSON.parse(list.text);
  assert.equal(line.tenant, 'hr');
  assert.equal(line.unit_label, 'EUR');
  assert.equal(line.limit, 5);
  assert.ok(line.used > 0, 'the hr request above was charged');

  const set = capture();
  await budgetsCli(['set', 'hr', '--config', configFile, '--limit', '7.5', '--json'], set);
  assert.deepEqual(
    JSON.parse(set.text).map((r: { limit: number; overridden: boolean }) => [r.limit, r.overridden]),
    [[7.5, true]],
  );
  const reset = capture();
  await budgetsCli(['reset', 'hr', '--config', configFile], reset);
  assert.match(reset.text, /7\.5\*/);
  const after = capture();
  await budgetsCli(['--config', configFile, '--json'], after);
  assert.equal(JSON.parse(after.text)[0].used, 0);
  await assert.rejects(budgetsCli(['set', 'nobody', '--config', configFile, '--limit', '1'], capture()), /nobody/);
  await assert.rejects(budgetsCli(['set', 'hr', '--config', configFile, '--limit', '-1'], capture()), /limit/);
});
