/**
 * /admin/budgets on one gateway with per-process budgets (budgets.kind: memory): state, a raise and a reset take
 * effect on the next request; bad input gets OpenAI's error envelope with the right status, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { keys, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({
    config: { budgets: { tenants: { legal: { limits: [{ period: 'week', unit: 'tokens', amount: 60 }] } } } },
  });
});
after(async () => {
  await stack?.close();
});

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${stack.gateway.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
const ask = () =>
  stack
    .client('legal')
    .chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 })
    .then(
      () => 200,
      (e: InstanceType<typeof OpenAI.APIError>) => e.code,
    );

test('raise and reset through the admin API apply to the next request', async () => {
  let first = await ask();
  for (let i = 0; i < 10 && first === 200; i++) first = await ask(); // each estimate is ≥ 21 of the 60
  assert.equal(first, 'insufficient_quota');
  const state = (await (await admin('GET', '/budgets')).json()) as { data: { used: number; limit: number }[] };
  assert.equal(state.data[0].limit, 60);

  const raised = await admin('PUT', '/budgets/legal', { limit: state.data[0].used + 500 });
  assert.equal(raised.status, 200);
  assert.equal(await ask(), 200);
  const reset = await admin('PUT', '/budgets/legal', { reset: true, limit: null });
  const after = (await reset.json()) as { data: { used: number; limit: number; overridden: boolean }[] };
  assert.deepEqual(
    after.data.map((d) => [d.used, d.limit, d.overridden]),
    [[0, 60, false]],
  );
  assert.equal(await ask(), 200);
});

test('bad input: OpenAI envelope, 400 or 404, never a 500', async () => {
  const cases: [string, string, unknown, number, string | null][] = [
    ['PUT', '/budgets/legal', { limit: -1 }, 400, 'limit'],
    ['PUT', '/budgets/legal', { limit: 'lots' }, 400, 'limit'],
    ['PUT', '/budgets/legal', {}, 400, null],
    ['PUT', '/budgets/legal', '{not json', 400, null],
    ['PUT', '/budgets/legal', { limit: 5, surprise: true }, 400, null],
    ['PUT', '/budgets/nobody', { reset: true }, 404, 'tenant'],
    ['PUT', '/budgets/legal', { key: 'stranger', reset: true }, 404, 'key'],
    ['PUT', '/budgets/legal', { period: 'day', reset: true }, 404, 'period'],
    ['PUT', '/budgets/legal', { period: 'year', reset: true }, 400, 'period'],
    ['GET', '/budgets?tenant=nobody', undefined, 404, 'tenant'],
  ];
  for (const [method, path, body, status, param] of cases) {
    const res = await admin(method, path, body);
    const json = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string } };
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(json)}`);
    assert.equal(typeof json.error.message, 'string');
    if (param !== null) assert.equal(json.error.param, param, JSON.stringify(json));
  }
  const noAuth = await fetch(`${stack.gateway.url}/admin/budgets`);
  assert.equal(noAuth.status, 401);
});
