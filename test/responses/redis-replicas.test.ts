/**
 * `responses.store: redis`: two gateway replicas (same config, one private Redis) share stored responses — a
 * response created on one is retrieved, listed, continued with previous_response_id and deleted on the other,
 * still tenant-scoped.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { parseSimReply } from '../../src/sim/generate.ts';
import { startTestRedis, type TestRedis } from '../cache/redis-server.ts';
import { type ResponsesStack, startResponsesStack } from './responses-stack.ts';

let redis: TestRedis;
let stack: ResponsesStack;
before(async () => {
  redis = await startTestRedis();
  stack = await startResponsesStack({ redisUrl: redis.url, gateways: 2 });
});
after(async () => {
  await stack?.close();
  await redis?.stop();
});

test('two replicas share stored responses through Redis', async () => {
  const [a, b] = stack.gateways.map(
    (g) => new OpenAI({ apiKey: stack.keys.legal, baseURL: `${g.url}/v1`, maxRetries: 0 }),
  );
  const first = await a.responses.create({ model: 'legal', input: 'hello' });
  assert.equal((await b.responses.retrieve(first.id)).output_text, first.output_text);
  assert.equal((await b.responses.inputItems.list(first.id)).data.length, 1);
  const second = await b.responses.create({ model: 'legal', input: 'again', previous_response_id: first.id });
  assert.ok(parseSimReply(second.output_text));
  const other = new OpenAI({ apiKey: stack.keys.hr, baseURL: `${stack.gateways[1].url}/v1`, maxRetries: 0 });
  await assert.rejects(
    other.responses.retrieve(first.id),
    (err: unknown) => (err as { status?: number }).status === 404,
  );
  await b.responses.delete(first.id);
  await assert.rejects(a.responses.retrieve(first.id), (err: unknown) => (err as { status?: number }).status === 404);
});
