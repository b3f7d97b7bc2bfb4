/**
 * Online feedback through a real gateway (memory store, then Redis shared by two gateways): a tenant scores a
 * response it received (by the x-request-id it got back); another tenant gets the same 404 as for an unknown
 * id; scores aggregate per adapter@version × strategy in GET /admin/feedback; `lorag eval --feedback` puts
 * them into its report with intervals.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { redisForTestFile } from '../cache/redis-server.ts';
import { keys, type Stack, startStack } from '../helpers/stack.ts';

const redis = redisForTestFile(500);

async function chat(stack: Stack, tenant: 'legal' | 'hr', strategy = 'lora'): Promise<string> {
  const { response } = await stack
    .client(tenant)
    .chat.completions.create({
      model: tenant,
      messages: [{ role: 'user', content: `hello ${Math.random()}` }],
      lorag: { strategy },
    } as never)
    .withResponse();
  return response.headers.get('x-request-id')!;
}

async function post(stack: Stack, key: string, body: unknown) {
  const res = await fetch(`${stack.baseURL}/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function adminFeedback(stack: Stack, tenant: string) {
  const res = await fetch(`${stack.gateway.url}/admin/feedback?tenant=${tenant}`, {
    headers: { authorization: `Bearer ${keys.admin}` },
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('feedback on one gateway (memory store)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  test('only the tenant that received a response can score it; others get the unknown-id 404', async () => {
    const id = await chat(stack, 'legal');
    const ok = await post(stack, keys.legal, { request_id: id, score: 1, comment: 'precise', tags: ['contracts'] });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { object: 'feedback', request_id: id, adapter: 'legal@1', strategy: 'lora', score: 1 });

    const other = await post(stack, keys.hr, { request_id: id, score: 0 });
    const unknown = await post(stack, keys.hr, { request_id: 'req_does_not_exist', score: 0 });
    assert.equal(other.status, 404);
    assert.equal(unknown.status, 404);
    assert.deepEqual(other.body.error, {
      ...unknown.body.error,
      message: unknown.body.error.message.replace('req_does_not_exist', id),
    });
    assert.equal(other.body.error.type, 'not_found_error');

    const agg = await adminFeedback(stack, 'legal');
    assert.equal(agg.status, 200);
    assert.deepEqual(
      agg.body.data.map((r: any) => [r.tenant, r.adapter, r.strategy, r.count, r.mean]),
      [['legal', 'legal@1', 'lora', 1, 1]],
    );
    assert.deepEqual((await adminFeedback(stack, 'hr')).body.data, []);
  });

  test('by response_id: the chat completion id and the Responses API id both score; another tenant gets 404', async () => {
    const completion = await stack.client('legal').chat.completions.create({
      model: 'legal',
      messages: [{ role: 'user', content: `by id ${Math.random()}` }],
    });
    const byCompletion = await post(stack, keys.legal, { response_id: completion.id, score: 0.5 });
    assert.equal(byCompletion.status, 200, JSON.stringify(byCompletion.body));
    assert.equal(byCompletion.body.adapter, 'legal@1');
    const response = await stack.client('legal').responses.create({ model: 'legal', input: `resp ${Math.random()}` });
    assert.match(response.id, /^resp_/);
    assert.equal((await post(stack, keys.legal, { response_id: response.id, score: 1 })).status, 200);
    assert.equal((await post(stack, keys.hr, { response_id: response.id, score: 0 })).status, 404);
  });

  test('bad feedback bodies are OpenAI 400s naming the field; tenant keys cannot read /admin/feedback', async () => {
    const id = await chat(stack, 'legal');
    const range = await post(stack, keys.legal, { request_id: id, score: 2 });
    assert.equal(range.status, 400);
    assert.equal(range.body.error.param, 'score');
    const both = await post(stack, keys.legal, { request_id: id, response_id: 'x', score: 1 });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.param, 'request_id');
    const missing = await post(stack, keys.legal, { request_id: id });
    assert.equal(missing.body.error.code, 'missing_required_parameter');
    const extra = await post(stack, keys.legal, { request_id: id, score: 1, stars: 5 });
    assert.equal(extra.status, 400);
    const res = await fetch(`${stack.gateway.url}/admin/feedback`, {
      headers: { authorization: `Bearer ${keys.legal}` },
    });
    assert.ok(res.status === 401 || res.status === 403, String(res.status));
  });

  test('lorag eval --feedback adds the online figures with intervals', async () => {
    for (const score of [1, 1, 0, 1])
      assert.equal((await post(stack, keys.legal, { request_id: await chat(stack, 'legal'), score })).status, 200);
    const dir = mkdtempSync(join(tmpdir(), 'lorag-eval-feedback-'));
    const set = join(dir, 'set.jsonl');
    writeFileSync(
      set,
      [
        { id: 'a', question: 'Who reviews NDAs?', reference: 'counsel' },
        { id: 'b', question: 'Capital of France?', reference: 'Paris', kind: 'general' },
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
    // Asynchronously: the gateway it talks to runs in this process.
    const res = await promisify(execFile)(
      process.execPath,
      [
        cli,
        'eval',
        '--set',
        set,
        '--out',
        join(dir, 'out'),
        '--url',
        stack.baseURL,
        '--key',
        keys.legal,
        '--models',
        'legal@1',
        '--strategies',
        'base,lora',
        '--feedback',
        '--tenant',
        'legal',
        '--admin-key',
        keys.admin,
      ],
      { encoding: 'utf8' },
    );

    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    const row = report.feedback.rows.find((r: any) => r.adapter === 'legal@1' && r.strategy === 'lora');
    assert.ok(row.count >= 5, JSON.stringify(row));
    assert.ok(row.low < row.mean && row.mean < row.high);
    assert.match(res.stdout, /## Online feedback \(tenant legal\)/);
  });
});

describe('feedback across two gateways sharing Redis', () => {
  let a: Stack;
  let b: Stack;
  before(async () => {
    const config = { redis: { url: redis.server().url, command_timeout_ms: 500, key_prefix: `fb${process.pid}:` } };
    a = await startStack({ config });
    b = await startStack({ config });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  test('a response served by one gateway is scored through the other', async () => {
    const id = await chat(a, 'legal', 'lora');
    const ok = await post(b, keys.legal, { request_id: id, score: 0.5 });
    assert.equal(ok.status, 200);
    assert.equal((await post(b, keys.hr, { request_id: id, score: 1 })).status, 404);
    const rows = (await adminFeedback(a, 'legal')).body.data;
    assert.deepEqual(
      rows.map((r: any) => [r.adapter, r.strategy, r.count, r.mean]),
      [['legal@1', 'lora', 1, 0.5]],
    );
  });
});
