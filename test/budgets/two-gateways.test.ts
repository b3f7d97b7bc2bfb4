/**
 * Two real `lorag serve` processes on one real Redis spend one tenant's monthly token budget with concurrent
 * streaming and non-streaming requests through the official OpenAI SDK. Checks: the counter equals the sum of
 * the real usage the clients were told (reserve + settle are exact), the overshoot stays within the documented
 * bound (the sum of (real − estimate)⁺ of the admitted requests), the next request gets 429
 * `insufficient_quota` and the SDK raises it without retrying (one attempt, counted by a custom fetch), and an
 * admin raise made through one gateway is in force on the other at once.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { keys, simCounter, testConfig } from '../helpers/stack.ts';

const LIMIT = 4000;
const MAX_TOKENS = 40;
const node = process.execPath;
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lorag-budgets-'));
const children: ChildProcess[] = [];
let redis: TestRedis;
let sim: RunningSim;
let urls: string[] = [];

/** Each gateway's stderr so far (also written to its log file). */
const stderrOf: Record<string, string> = {};

function startGatewayProcess(configFile: string, name: string): Promise<string> {
  const log = createWriteStream(join(dir, `${name}.log`));
  stderrOf[name] = '';
  const child = spawn(node, [cli, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.pipe(log);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${seen}`)));
    child.stderr!.on('data', (d: Buffer) => {
      log.write(d);
      stderrOf[name] += d.toString();
      seen += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) resolve(m[1]);
    });
  });
}

before(async () => {
  redis = await startTestRedis();
  sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
  const config = testConfig([sim.url], {
    config: {
      redis: { url: redis.url, command_timeout_ms: 1000, key_prefix: 'budgets2gw:' },
      prices: { currency: 'EUR', models: { 'tiny-base': { prompt_per_million: 1, completion_per_million: 2 } } },
      budgets: {
        kind: 'redis',
        time_zone: 'Europe/Berlin',
        tenants: {
          legal: { on_store_failure: 'closed', limits: [{ period: 'month', unit: 'tokens', amount: LIMIT }] },
        },
      },
    },
  });
  const file = join(dir, 'lorag.yaml');
  writeFileSync(file, stringify(config));
  urls = await Promise.all([startGatewayProcess(file, 'gw-a'), startGatewayProcess(file, 'gw-b')]);
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sim?.close();
  await redis?.stop();
});

/** The gateway's estimate (generation-context): ⌈JSON(messages) / 4⌉ + max_tokens × n. */
function estimate(messages: unknown[]): number {
  return Math.ceil(JSON.stringify(messages).length / 4) + MAX_TOKENS;
}

async function budgetUsed(url: string): Promise<{ used: number; limit: number; remaining: number }> {
  const res = await fetch(`${url}/admin/budgets?tenant=legal`, { headers: { authorization: `Bearer ${keys.admin}` } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: { used: number; limit: number; remaining: number; key: null }[] };
  return body.data[0];
}

test('two gateways spend one budget: exact accounting, bounded overshoot, insufficient_quota without retry', async (t) => {
  const clients = urls.map((url) => new OpenAI({ apiKey: keys.legal, baseURL: `${url}/v1`, maxRetries: 0 }));
  const charged: number[] = [];
  const underestimates: number[] = [];
  const refusals: { status: number; code: string | null | undefined; type: string | undefined }[] = [];
  const remainingHeaders = new Set<string>();

  async function worker(w: number): Promise<void> {
    const client = clients[w % 2];
    const stream = w % 4 >= 2;
    // Bounded: LIMIT / the smallest answer is far below 100 requests per worker.
    for (let i = 0; i < 100; i++) {
      const messages = [{ role: 'user' as const, content: `worker ${w} question ${i}: what does clause ${i} say?` }];
      try {
        let total: number;
        if (stream) {
          const { data: s, response } = await client.chat.completions
            .create({
              model: 'legal',
              messages,
              max_tokens: MAX_TOKENS,
              stream: true,
              stream_options: { include_usage: true },
            })
            .withResponse();
          remainingHeaders.add(response.headers.get('x-lorag-budget-remaining') ?? 'missing');
          let usage: { total_tokens: number } | undefined;
          for await (const chunk of s) if (chunk.usage) usage = chunk.usage;
          assert.ok(usage, 'a stream with include_usage ends with usage');
          total = usage.total_tokens;
        } else {
          const { data, response } = await client.chat.completions
            .create({ model: 'legal', messages, max_tokens: MAX_TOKENS })
            .withResponse();
          remainingHeaders.add(response.headers.get('x-lorag-budget-remaining') ?? 'missing');
          total = data.usage!.total_tokens;
        }
        charged.push(total);
        underestimates.push(Math.max(0, total - estimate(messages)));
      } catch (err) {
        const e = err as InstanceType<typeof OpenAI.APIError>;
        refusals.push({ status: e.status ?? 0, code: e.code, type: e.type });
        return;
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));

  assert.ok(charged.length > 20, `spent the budget over many requests (${charged.length})`);
  assert.equal(refusals.length, 8, 'every worker ends on a refusal');
  for (const r of refusals)
    assert.deepEqual(r, { status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
  assert.ok(!remainingHeaders.has('missing'), 'x-lorag-budget-remaining on every answer');

  const state = await budgetUsed(urls[1]);
  const spent = charged.reduce((a, b) => a + b, 0);
  // Settling is exact: the shared counter is what the clients were told they used, over both gateways.
  assert.equal(state.used, spent);
  // The documented bound: beyond the limit by at most the admitted requests' underestimates.
  const bound = underestimates.reduce((a, b) => a + b, 0);
  t.diagnostic(
    JSON.stringify({
      requests: charged.length,
      used: state.used,
      limit: LIMIT,
      bound,
      headers: [...remainingHeaders].slice(0, 5),
    }),
  );
  assert.ok(state.used <= LIMIT + bound, `used ${state.used} ≤ limit ${LIMIT} + bound ${bound}`);
  // Refused only when the next estimate no longer fitted.
  assert.ok(
    state.used > LIMIT - 2 * estimate([{ role: 'user', content: 'worker 0 question 00: what does clause 00 say?' }]),
  );

  // The soft threshold (0.8 by default) was crossed once across both gateways: one warning line in all.
  const crossings =
    Object.values(stderrOf)
      .join('')
      .match(/budget soft threshold crossed/g) ?? [];
  assert.equal(crossings.length, 1, JSON.stringify(stderrOf));

  // The SDK with its default retries still makes exactly one attempt: the 429 says x-should-retry: false.
  let attempts = 0;
  let retryHeader: string | null = null;
  const counting = new OpenAI({
    apiKey: keys.legal,
    baseURL: `${urls[0]}/v1`,
    maxRetries: 3,
    fetch: async (input, init) => {
      attempts++;
      const res = await fetch(input, init);
      retryHeader = res.headers.get('x-should-retry');
      return res;
    },
  });
  const upstreamBefore = await simCounter(sim, 'vllm:request_success_total');
  await assert.rejects(
    counting.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'one more?' }] }),
    (err: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(err.status, 429);
      assert.equal(err.code, 'insufficient_quota');
      assert.match(err.message, /exceeded your current quota/);
      return true;
    },
  );
  await assert.rejects(
    counting.chat.completions.create({
      model: 'legal',
      messages: [{ role: 'user', content: 'and streaming?' }],
      stream: true,
    }),
    (err: InstanceType<typeof OpenAI.APIError>) => err.status === 429 && err.code === 'insufficient_quota',
  );
  assert.equal(attempts, 2, 'one attempt per request, no retries');
  assert.equal(retryHeader, 'false');
  assert.equal(await simCounter(sim, 'vllm:request_success_total'), upstreamBefore, 'no upstream work when refused');

  // An admin raise through gateway A is in force on gateway B for its next request, and audited in A's log.
  const raise = await fetch(`${urls[0]}/admin/budgets/legal`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ limit: state.used + 1000 }),
  });
  assert.equal(raise.status, 200);
  const ok = await clients[1].chat.completions.create({
    model: 'legal',
    messages: [{ role: 'user', content: 'after the raise' }],
    max_tokens: MAX_TOKENS,
  });
  assert.ok(ok.usage!.total_tokens > 0);
  // The request settles its budget after its answer is written (the settle is not on the client's latency),
  // so the shared counter reaches the exact figure a moment later: wait for it, within a bound.
  let after = await budgetUsed(urls[0]);
  for (const until = Date.now() + 2000; after.used !== state.used + ok.usage!.total_tokens && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 10));
    after = await budgetUsed(urls[0]);
  }
  assert.equal(after.limit, state.used + 1000);
  assert.equal(after.used, state.used + ok.usage!.total_tokens);
});
