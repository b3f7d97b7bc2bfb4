/**
 * The upstream call's rules, pinned at the transport with undici's MockAgent (no sockets, no simulator):
 * retry on another replica only before the first byte, what opens a breaker and what does not, the first
 * event of a stream read before answering, and a body that cannot be serialised never touching a replica.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { MockAgent } from 'undici';
import { loadRegistry } from '../../src/adapters/registry.ts';
import { parseConfig } from '../../src/config/load.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { Plan } from '../../src/routing/plan.ts';
import { ReplicaPool } from '../../src/upstream/replica-pool.ts';
import { type SendRequest, send, type UpstreamAnswer } from '../../src/upstream/send.ts';
import { createReplicaClient } from '../../src/upstream/vllm-client.ts';
import { adaptersDir, testConfig } from '../helpers/stack.ts';

const R0 = 'http://r0.test:8000';
const R1 = 'http://r1.test:8000';
const basePlan: Plan = {
  tenantId: 'legal',
  requestedModel: 'tiny-base',
  adapter: null,
  baseModel: 'tiny-base',
  strategy: 'base',
  retrieval: false,
  collections: [],
  topK: 4,
  upstreamModel: 'tiny-base',
  adapterLabel: 'base',
};
const completion = { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { content: 'ok' } }] };
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;

let agent: MockAgent;
let pool: ReplicaPool;

function poolWith(failures: number): ReplicaPool {
  const config = parseConfig(
    testConfig([R0, R1], { config: { upstreams: { circuit_breaker: { failures, cooldown_ms: 60_000 } } } }),
    'test',
  );
  return new ReplicaPool(config.upstreams, {
    clientFactory: (o) => createReplicaClient({ ...o, dispatcher: agent }),
  });
}

function request(over: Partial<SendRequest> = {}): SendRequest {
  return {
    plan: basePlan,
    path: '/v1/chat/completions',
    body: { messages: [{ role: 'user', content: 'hi' }] },
    stream: false,
    signal: new AbortController().signal,
    onAdapterFailure: 'error',
    ...over,
  };
}

const chat = (origin: string) => agent.get(origin).intercept({ path: '/v1/chat/completions', method: 'POST' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
/** The replica's last recorded failure (null: nothing counted against it). */
const lastError = (id: string) => pool.replicaViews().find((r) => r.id === id)?.last_error ?? null;

async function drain(answer: UpstreamAnswer): Promise<string> {
  let text = '';
  for await (const piece of answer.body) text += piece.toString();
  answer.release('ok');
  return text;
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  await pool?.close();
  await agent.close();
});

describe('retry before the first byte', () => {
  test('a refused connection is retried on the other replica and counts against the first', async () => {
    pool = poolWith(1);
    chat(R0).replyWithError(refused());
    chat(R1).reply(200, completion);
    const kinds: string[] = [];
    const answer = await send(pool, request(), { upstreamError: (id, kind) => kinds.push(`${id}:${kind}`) });
    assert.equal(answer.replicaId, 'sim-1');
    assert.deepEqual(JSON.parse(await answer.text()), completion);
    answer.release('ok');
    assert.deepEqual(kinds, ['sim-0:connect']);
    assert.match(String(lastError('sim-0')), /ECONNREFUSED/, 'the failure counted against sim-0');
    agent.assertNoPendingInterceptors();
  });

  test('a 5xx answer is retried elsewhere; a 4xx is the request’s fault: answered as is, no breaker', async () => {
    pool = poolWith(1);
    chat(R0).reply(500, { error: { message: 'engine dead', type: 'InternalServerError', code: 500 } });
    chat(R1).reply(200, completion);
    const answer = await send(pool, request());
    assert.equal(answer.replicaId, 'sim-1');
    answer.release('ok');

    chat(R1).reply(400, {
      error: { message: 'max_tokens is too large', type: 'BadRequestError', param: 'max_tokens' },
    });
    const err = await send(pool, request()).catch((e) => e);
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 400);
    assert.equal(err.param, 'max_tokens');
    assert.equal(lastError('sim-1'), null, 'a 400 does not count against the replica');
    agent.assertNoPendingInterceptors();
  });

  test('a stream that ends before its first event is retried; the answer starts with the first event', async () => {
    pool = poolWith(1);
    chat(R0).reply(200, '', { headers: { 'content-type': 'text/event-stream' } });
    chat(R1).reply(200, `${chunk('Hel')}${chunk('lo')}data: [DONE]\n\n`, {
      headers: { 'content-type': 'text/event-stream' },
    });
    const answer = await send(pool, request({ stream: true }));
    assert.equal(answer.replicaId, 'sim-1');
    assert.equal(await drain(answer), `${chunk('Hel')}${chunk('lo')}data: [DONE]\n\n`);
    assert.match(String(lastError('sim-0')), /before its first event/);
  });

  test('a timeout is not retried (the model may have started): 504 upstream_timeout', async () => {
    pool = poolWith(5);
    chat(R0).replyWithError(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    const err = await send(pool, request()).catch((e) => e);
    assert.equal(err.code, 'upstream_timeout');
    assert.equal(err.status, 504);
  });

  test('every replica failing before the first byte: one 503 no_healthy_replica with retry-after', async () => {
    pool = poolWith(5);
    chat(R0).replyWithError(refused());
    chat(R1).reply(502, 'bad gateway');
    const err = await send(pool, request()).catch((e) => e);
    assert.equal(err.code, 'no_healthy_replica');
    assert.equal(err.status, 503);
    assert.equal(err.headers?.['retry-after'], '1');
  });
});

describe('breaker', () => {
  test('opens after `failures` failed requests; an open replica gets no request until it is probed back', async () => {
    pool = poolWith(2);
    for (let i = 0; i < 2; i++) {
      chat(R0).reply(503, 'overloaded');
      chat(R1).reply(200, completion);
      (await send(pool, request())).release('ok');
    }
    assert.match(String(lastError('sim-0')), /overloaded/);
    // Only R1 is intercepted now: a request sent to R0 would fail the test (net connect disabled).
    chat(R1).reply(200, completion);
    const answer = await send(pool, request());
    assert.equal(answer.replicaId, 'sim-1');
    answer.release('ok');
    agent.assertNoPendingInterceptors();
  });

  test('a body that cannot be serialised is a 400 before any replica is touched (D1)', async () => {
    pool = poolWith(1);
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 20_000; i++) at = at.a = {} as Record<string, unknown>;
    for (let i = 0; i < 3; i++) {
      const err = await send(pool, request({ body: { messages: [], x: deep } })).catch((e) => e);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'invalid_request');
    }
    assert.equal(lastError('sim-0'), null);
    assert.equal(lastError('sim-1'), null);
  });
});

describe('adapters', () => {
  test('the adapter is loaded on the chosen replica before the request; a replica without it is not used', async () => {
    pool = poolWith(1);
    const registry = loadRegistry(adaptersDir);
    const adapter = registry.resolve('legal', '1')!;
    const plan: Plan = { ...basePlan, adapter, strategy: 'lora', upstreamModel: adapter.id, adapterLabel: adapter.id };
    const loads: string[] = [];
    agent
      .get(R0)
      .intercept({ path: '/v1/load_lora_adapter', method: 'POST' })
      .reply(200, (opts) => {
        loads.push(String(opts.body));
        return 'Success';
      });
    let sent = '';
    chat(R0).reply(200, (opts) => {
      sent = String(opts.body);
      return completion;
    });
    const answer = await send(pool, request({ plan }));
    answer.release('ok');
    assert.equal(JSON.parse(loads[0]).lora_name, adapter.id);
    assert.equal(JSON.parse(sent).model, adapter.id, 'sent under the version’s registered name');
    assert.deepEqual(pool.registeredOn(adapter.id), ['sim-0']);
  });
});
