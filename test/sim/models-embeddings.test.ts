/**
 * `/v1/models`, `/v1/embeddings` (through the SDK, which asks for base64 by default), `/tokenize` and the
 * plain endpoints of a started simulator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postJson, withSim } from './helpers.ts';

describe('sim models and plain endpoints', () => {
  test('/v1/models: one base card per served name, then LoRA cards, with every vLLM ModelCard field', async () => {
    await withSim(
      {
        model: 'org/tiny',
        servedModelNames: ['tiny', 'alias'],
        maxModelLen: 4096,
        loraModules: [{ name: 'hr', path: 'sim://hr' }],
      },
      async (sim) => {
        // biome-ignore lint/suspicious/noExplicitAny: a raw JSON body checked field by field
        const body = (await (await fetch(`${sim.url}/v1/models`)).json()) as any;
        assert.equal(body.object, 'list');
        assert.deepEqual(
          body.data.map((c: Record<string, unknown>) => [c.id, c.root, c.parent, c.max_model_len]),
          [
            ['tiny', 'org/tiny', null, 4096],
            ['alias', 'org/tiny', null, 4096],
            ['hr', 'sim://hr', 'tiny', null],
          ],
        );
        const card = body.data[2];
        assert.deepEqual(Object.keys(card), [
          'id',
          'object',
          'created',
          'owned_by',
          'root',
          'parent',
          'max_model_len',
          'permission',
        ]);
        assert.equal(card.owned_by, 'vllm');
        const perm = card.permission[0];
        assert.match(perm.id, /^modelperm-[0-9a-f]{32}$/);
        assert.equal(perm.object, 'model_permission');
        assert.equal(perm.organization, '*');
        assert.equal(perm.group, null);
      },
    );
  });

  test('/health, /ping, /version, /load, unknown routes and methods', async () => {
    await withSim({ replicaId: 'pod-7' }, async (sim) => {
      const health = await fetch(`${sim.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), '');
      assert.equal(health.headers.get('x-inference-pod'), 'pod-7');
      assert.equal((await fetch(`${sim.url}/ping`, { method: 'POST' })).status, 200);
      assert.match(
        ((await (await fetch(`${sim.url}/version`)).json()) as { version: string }).version,
        /^\d+\.\d+\.\d+$/,
      );
      assert.deepEqual(await (await fetch(`${sim.url}/load`)).json(), { server_load: 0 });
      const missing = await fetch(`${sim.url}/v2/nothing`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { detail: 'Not Found' });
      assert.equal((await fetch(`${sim.url}/v1/chat/completions`)).status, 405);
    });
  });
});

describe('sim embeddings and tokenize', () => {
  test('SDK embeddings (base64 on the wire) decode to deterministic unit vectors of --embedding-dim', async () => {
    await withSim({ embeddingDim: 64 }, async (_sim, client) => {
      const r = await client.embeddings.create({
        model: 'tiny-base',
        input: ['labour law notice period', 'notice period for labour', 'pizza'],
      });
      assert.equal(r.data.length, 3);
      const [a, b, c] = r.data.map((d) => d.embedding);
      assert.equal(a.length, 64);
      const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
      assert.ok(Math.abs(dot(a, a) - 1) < 1e-5);
      // Shared words make vectors closer: useful for `auto` routing against the simulator.
      assert.ok(dot(a, b) > dot(a, c));
      const again = await client.embeddings.create({
        model: 'tiny-base',
        input: 'labour law notice period',
        encoding_format: 'float',
      });
      assert.deepEqual(
        again.data[0].embedding.map((x) => x.toFixed(5)),
        a.map((x) => x.toFixed(5)),
      );
      assert.equal(r.usage.prompt_tokens, 4 + 4 + 1);
    });
  });

  test('raw embeddings response shape and the dimensions parameter', async () => {
    await withSim({}, async (sim) => {
      const res = await postJson(`${sim.url}/v1/embeddings`, { input: 'hello', dimensions: 8 });
      const body = JSON.parse(res.text);
      assert.match(body.id, /^embd-/);
      assert.equal(body.data[0].object, 'embedding');
      assert.equal(body.data[0].embedding.length, 8);
      assert.deepEqual(body.usage, {
        prompt_tokens: 1,
        total_tokens: 1,
        completion_tokens: 0,
        prompt_tokens_details: null,
      });
    });
  });

  test('/tokenize counts prompt or chat messages in vLLM shape', async () => {
    await withSim({ maxModelLen: 100 }, async (sim) => {
      const p = JSON.parse(
        (await postJson(`${sim.url}/tokenize`, { prompt: 'Hello, world 你好', return_token_strs: true })).text,
      );
      assert.deepEqual(p.token_strs, ['Hello', ',', ' world', ' 你', '好']);
      assert.equal(p.count, 5);
      assert.equal(p.max_model_len, 100);
      assert.equal(p.tokens.length, 5);
      const m = JSON.parse(
        (await postJson(`${sim.url}/tokenize`, { messages: [{ role: 'user', content: 'hi' }] })).text,
      );
      assert.ok(m.count > 1);
      const unknown = await postJson(`${sim.url}/tokenize`, { model: 'zzz', prompt: 'x' });
      assert.equal(unknown.status, 404);
    });
  });
});
