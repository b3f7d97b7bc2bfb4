/** /v1/embeddings through the configured embeddings upstream (the simulator here), /healthz and /readyz. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim } from '../../src/sim/main.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ sims: [{}] });
});
after(() => stack.close());

test('embeddings are forwarded to the embeddings upstream', async () => {
  // A separate simulator acts as the embeddings server (in production: a vLLM pooling model or TEI).
  const embedder = await startSim({ port: 0 });
  const withEmbeddings = await startStack({
    config: { embeddings: { kind: 'openai', url: `${embedder.url}/v1`, model: 'tiny-base' } },
  });
  try {
    const res = await withEmbeddings
      .client('legal')
      .embeddings.create({ model: 'tiny-base', input: ['hello', 'world'] });
    assert.equal(res.data.length, 2);
    assert.equal(res.data[0].embedding.length, 384);
    await assert.rejects(
      withEmbeddings.client('legal').embeddings.create({ model: 'other', input: 'x' }),
      (e: any) => e.status === 404,
    );
  } finally {
    await withEmbeddings.close();
    await embedder.close();
  }
});

test('healthz is always ok; readyz follows the replicas', async () => {
  const health = await fetch(`${stack.gateway.url}/healthz`);
  assert.equal(health.status, 200);
  const ready = await fetch(`${stack.gateway.url}/readyz`);
  assert.equal(ready.status, 200);
  const body = (await ready.json()) as { status: string; replicas: { healthy: number; total: number } };
  assert.deepEqual(body, { status: 'ready', replicas: { healthy: 1, total: 1 }, dependencies: {} });
  await stack.sims[0].close();
  let status = 200;
  for (let i = 0; i < 40 && status === 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await fetch(`${stack.gateway.url}/readyz`)).status;
  }
  assert.equal(status, 503);
});
