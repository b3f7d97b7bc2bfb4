/**
 * The response cache and rate limits through real gateway processes sharing a real Redis, called with the
 * official OpenAI SDK: tenant isolation, streamed replay with the same chunks, coalescing across two gateway
 * processes, limits shared across processes, and Redis going away mid-test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { keys, testConfig } from '../helpers/stack.ts';
import { type GatewayProcess, spawnGateway } from '../lifecycle/fixtures.ts';

let redis: TestRedis;
let sim: RunningSim;
let gateways: GatewayProcess[] = [];

const sdk = (gw: GatewayProcess, tenant: keyof typeof keys) =>
  new OpenAI({ apiKey: keys[tenant], baseURL: `${gw.url}/v1`, maxRetries: 0 });
const upstreamCalls = () => Object.values(sim.state.requestCounts()).reduce((a, b) => a + b, 0);

function config(extra: Record<string, unknown> = {}, tenants: Record<string, Record<string, unknown>> = {}) {
  return testConfig([sim.url], {
    config: {
      // Generous: a loaded CI machine must not turn a slow Redis reply into a second upstream call.
      redis: { url: redis.url, command_timeout_ms: 1000 },
      cache: { kind: 'redis', ttl_s: 600 },
      limits: { kind: 'redis' },
      telemetry: { log_level: 'warn' },
      ...extra,
    },
    tenants: {
      legal: { adapters: ['legal', 'hr'], limits: { requests_per_minute: 100_000 } },
      hr: { adapters: ['legal', 'hr'] },
      ...tenants,
    },
  });
}

before(async () => {
  redis = await startTestRedis();
  await redis.start();
  sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true, ttftMs: 150, itlMs: 2, maxLoras: 2 });
  const cfg = config();
  gateways = await Promise.all([spawnGateway(cfg), spawnGateway(cfg)]);
});
after(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await sim.close();
  await redis.stop();
});

const ask = (content: string) => ({ model: 'legal', temperature: 0, messages: [{ role: 'user' as const, content }] });

describe('response cache', () => {
  test('tenant B never receives tenant A’s cached answer', async () => {
    const a1 = await sdk(gateways[0], 'legal').chat.completions.create(ask('isolation question')).withResponse();
    const a2 = await sdk(gateways[1], 'legal').chat.completions.create(ask('isolation question')).withResponse();
    const b = await sdk(gateways[0], 'hr').chat.completions.create(ask('isolation question')).withResponse();
    assert.equal(a1.response.headers.get('x-lorag-cache'), 'miss');
    assert.equal(a2.response.headers.get('x-lorag-cache'), 'hit', 'the second gateway process shares the Redis cache');
    assert.equal(a2.data.id, a1.data.id);
    assert.equal(b.response.headers.get('x-lorag-cache'), 'miss');
    assert.notEqual(b.data.id, a1.data.id);
  });

  test('not cacheable (temperature > 0, no seed) → bypass; no-cache → fresh answer stored', async () => {
    const r = await sdk(gateways[0], 'legal')
      .chat.completions.create({ ...ask('q'), temperature: 0.7 })
      .withResponse();
    assert.equal(r.response.headers.get('x-lorag-cache'), 'bypass');
    await sdk(gateways[0], 'legal').chat.completions.create(ask('nc'));
    const fresh = await sdk(gateways[0], 'legal')
      .chat.completions.create(ask('nc'), { headers: { 'cache-control': 'no-cache' } })
      .withResponse();
    assert.equal(fresh.response.headers.get('x-lorag-cache'), 'miss');
  });

  test('a streamed hit replays the same chunks as the original miss', async () => {
    const collect = async (gw: GatewayProcess) => {
      const { data: stream, response } = await sdk(gw, 'legal')
        .chat.completions.create({ ...ask('stream me'), stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const chunks: unknown[] = [];
      for await (const c of stream) chunks.push(c);
      return { chunks, cache: response.headers.get('x-lorag-cache') };
    };
    const miss = await collect(gateways[0]);
    const hit = await collect(gateways[1]);
    assert.equal(miss.cache, 'miss');
    assert.equal(hit.cache, 'hit');
    assert.ok(miss.chunks.length > 5);
    assert.deepEqual(hit.chunks, miss.chunks);
    // The same stored stream answers a non-streaming request as one assembled completion.
    const json = await sdk(gateways[0], 'legal').chat.completions.create(ask('stream me')).withResponse();
    assert.equal(json.response.headers.get('x-lorag-cache'), 'hit');
    const text = (miss.chunks as any[]).map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(json.data.choices[0].message.content, text);
  });

  test('the resolved adapter is part of the key (versions: see src/cache/key.test.ts)', async () => {
    const a = await sdk(gateways[0], 'legal').chat.completions.create(ask('version question')).withResponse();
    const b = await sdk(gateways[0], 'legal')
      .chat.completions.create({ ...ask('version question'), model: 'hr' })
      .withResponse();
    assert.equal(a.response.headers.get('x-lorag-cache'), 'miss');
    assert.equal(b.response.headers.get('x-lorag-cache'), 'miss');
  });

  test('50 identical concurrent requests over two gateway processes → 1 upstream call', async () => {
    const before = upstreamCalls();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sdk(gateways[i % 2], 'legal')
          .chat.completions.create(ask('thundering herd'))
          .withResponse(),
      ),
    );
    assert.equal(upstreamCalls() - before, 1);
    const statuses = results.map((r) => r.response.headers.get('x-lorag-cache'));
    assert.equal(statuses.filter((s) => s === 'miss').length, 1);
    assert.ok(
      statuses.every((s) => s === 'miss' || s === 'coalesced' || s === 'hit'),
      statuses.join(','),
    );
    assert.equal(new Set(results.map((r) => r.data.id)).size, 1);
  });
});

describe('rate limits shared by two gateway processes', () => {
  let limited: GatewayProcess[] = [];
  before(async () => {
    // Own key prefix: the first pair of gateways already counted legal's requests in this minute.
    const cfg = config({ cache: { kind: 'off' }, redis: { url: redis.url, key_prefix: 'lorag-limits:' } });
    (cfg as any).tenants.legal.limits = { requests_per_minute: 40 };
    (cfg as any).tenants.hr.limits = { tokens_per_minute: 3000 };
    limited = await Promise.all([spawnGateway(cfg), spawnGateway(cfg)]);
  });
  after(() => Promise.all(limited.map((g) => g.stop())));

  test('requests/min hold within ±5% under concurrent load', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        sdk(limited[i % 2], 'legal')
          .chat.completions.create({ model: 'legal', max_tokens: 4, messages: [{ role: 'user', content: `r${i}` }] })
          .withResponse()
          .then(
            ({ response }) => (response.headers.get('x-lorag-degraded')?.includes('limits') ? 'degraded' : 200),
            (e: { status: number; headers?: Headers }) => e.status,
          ),
      ),
    );
    // A request admitted on a process's own limits (Redis slower than its deadline) says so, and is admitted all
    // the same: the limit is about admissions. CI once saw 37 + 3 such: the 3 late replies had been counted in
    // Redis, so the two processes together still admitted exactly 40.
    const degraded = outcomes.filter((s) => s === 'degraded').length;
    const admitted = outcomes.filter((s) => s === 200).length + degraded;
    assert.ok(
      admitted >= 38 && admitted <= 42,
      `admitted ${admitted} of 80 with a limit of 40 (${degraded} of them on per-process limits)`,
    );
    assert.ok(outcomes.every((s) => s === 200 || s === 'degraded' || s === 429));
  });

  test('429 carries retry-after and x-ratelimit-* headers', async () => {
    const res = await fetch(`${limited[0].url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'legal', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal(res.headers.get('x-ratelimit-limit-requests'), '40');
    assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '0');
    const body = (await res.json()) as { error: { code: string; type: string } };
    assert.equal(body.error.code, 'rate_limit_exceeded');
  });

  test('tokens/min within ±10% of the limit counted in real usage', async () => {
    let used = 0;
    for (let round = 0; round < 12; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          sdk(limited[i % 2], 'hr').chat.completions.create({
            model: 'hr',
            max_tokens: 200, // estimated high; the simulator stops at 32 tokens, so settle refunds the rest
            messages: [{ role: 'user', content: `tokens ${round}-${i}` }],
          }),
        ),
      );
      for (const r of results) if (r.status === 'fulfilled') used += r.value.usage?.total_tokens ?? 0;
      if (results.every((r) => r.status === 'rejected')) break;
    }
    assert.ok(used >= 2700 && used <= 3300, `real usage admitted: ${used} against a limit of 3000`);
  });
});

test('Redis stopped mid-test → every request still served, flagged; restarted → hits resume', async () => {
  const client = sdk(gateways[0], 'legal');
  await client.chat.completions.create(ask('survives redis'));
  await redis.stop();
  for (let i = 0; i < 5; i++) {
    const r = await client.chat.completions.create(ask(`redis down ${i}`)).withResponse();
    assert.match(r.response.headers.get('x-lorag-degraded') ?? '', /cache/);
    assert.match(r.response.headers.get('x-lorag-degraded') ?? '', /limits/);
  }
  await redis.start();
  let status: string | null = null;
  for (let i = 0; i < 50 && status !== 'hit'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    await client.chat.completions.create(ask('after restart'));
    status = (await client.chat.completions.create(ask('after restart')).withResponse()).response.headers.get(
      'x-lorag-cache',
    );
  }
  assert.equal(status, 'hit');
});
