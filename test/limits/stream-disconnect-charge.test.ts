/**
 * A client that leaves a stream after its first chunk (before vLLM's usage chunk) still pays its reserved
 * estimate against tokens/min: nothing generated is free. A request refused before any answer pays nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({
    sims: [{ itlMs: 40 }],
    tenants: { legal: { limits: { tokens_per_minute: 100_000 } } },
  });
});
after(async () => {
  await stack?.close();
});

const remaining = async () => {
  const { response } = await stack
    .client('legal')
    .chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'probe' }], max_tokens: 1 })
    .withResponse();
  return Number(response.headers.get('x-ratelimit-remaining-tokens'));
};

test('a stream abandoned after its first chunk keeps its estimate charged', async () => {
  const before = await remaining();
  const controller = new AbortController();
  const stream = await stack
    .client('legal')
    .chat.completions.create(
      { model: 'legal', messages: [{ role: 'user', content: 'tell me a long story' }], max_tokens: 400, stream: true },
      { signal: controller.signal },
    );
  for await (const _chunk of stream) {
    controller.abort();
    break;
  }
  // The gateway settles once it has seen the client go and cancelled upstream: wait until the simulator has
  // nothing in flight, then let the settle land.
  for (let i = 0; i < 100 && stack.sims[0].state.running > 0; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const after = await remaining();
  assert.ok(before - after >= 400, `charged ${before - after} tokens for an abandoned 400-token stream`);
});
