/**
 * GET /metrics of a real gateway after mixed traffic through the OpenAI SDK (two tenants, stream and not, a
 * cache hit, a 404, a 429) passes Prometheus' own `promtool check metrics`, and counts what happened.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type Stack, startStack } from '../helpers/stack.ts';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const promtoolMissing = spawnSync(PROMTOOL, ['--version']).error !== undefined;

let stack: Stack;
before(async () => {
  stack = await startStack({
    config: { cache: { kind: 'memory' } },
    tenants: { hr: { limits: { requests_per_minute: 3 } } },
  });
});
after(() => stack.close());

test('a scrape after mixed traffic passes promtool and counts the traffic', {
  skip: promtoolMissing && `${PROMTOOL} not found: apt-get install prometheus`,
}, async () => {
  const legal = stack.client('legal');
  const hr = stack.client('hr');
  const ask = { model: 'legal', temperature: 0, messages: [{ role: 'user' as const, content: 'metrics please' }] };
  await legal.chat.completions.create(ask);
  await legal.chat.completions.create(ask); // cache hit
  for await (const _ of await legal.chat.completions.create({ ...ask, stream: true, temperature: 0.5 })) {
    // drain
  }
  await legal.completions.create({ model: 'legal', prompt: 'x', max_tokens: 3 });
  await assert.rejects(legal.chat.completions.create({ ...ask, model: 'nope' }));
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    statuses.push(
      await hr.chat.completions.create({ model: 'hr', messages: [{ role: 'user', content: `n${i}` }] }).then(
        () => 200,
        (e: { status: number }) => e.status,
      ),
    );
  }
  assert.ok(statuses.includes(429));

  const res = await fetch(`${stack.gateway.url}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);

  const value = (name: string, labels: string[]) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  assert.equal(value('lorag_cache_requests_total', ['tenant="legal"', 'result="hit"']), 1);
  assert.ok(value('lorag_rate_limited_total', ['tenant="hr"']) >= 1);
  assert.ok(value('lorag_tokens_total', ['tenant="legal"', 'direction="out"']) > 0);
  assert.ok(value('lorag_request_duration_seconds_count', ['tenant="legal"', 'status="404"']) >= 1);
  assert.ok(value('lorag_adapter_loads_total', ['adapter="legal@1"', 'result="ok"']) >= 1);
  assert.equal(value('lorag_requests_in_flight', ['tenant="legal"']), 0);
});
