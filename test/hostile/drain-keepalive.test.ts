/**
 * During a drain, an answer still being computed goes out with `connection: close`: its client must not reuse a
 * keep-alive socket the drain is about to close (it would see "other side closed" instead of an answer).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { keys, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
const agent = new Agent({ keepAliveTimeout: 30_000 });
before(async () => {
  stack = await startStack({ sims: [{ itlMs: 40 }], config: { server: { shutdown_grace_ms: 5000 } } });
});
after(async () => {
  await agent.destroy();
  // The test drained (closed) the gateway itself; only the simulator is left.
  await Promise.all(stack?.sims.map((s) => s.close()) ?? []);
});

test('a JSON answer finished during the drain says connection: close', async () => {
  const body = JSON.stringify({ model: 'legal', messages: [{ role: 'user', content: 'slow one' }], max_tokens: 15 });
  const headers = { authorization: `Bearer ${keys.legal}`, 'content-type': 'application/json' };
  // Warm the socket so the answer below comes over a reused keep-alive connection.
  const warm = await request(`${stack.baseURL}/models`, { dispatcher: agent, headers });
  await warm.body.dump();
  const pending = request(`${stack.baseURL}/chat/completions`, { method: 'POST', body, headers, dispatcher: agent });
  await new Promise((r) => setTimeout(r, 150));
  const drained = stack.gateway.close();
  const res = await pending;
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers.connection, 'close');
  await res.body.dump();
  await drained;
});
