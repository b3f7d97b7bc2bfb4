/**
 * `/v1/load_lora_adapter` and `/v1/unload_lora_adapter` (raw fetch: the SDK has no method for them) in both
 * compat modes, the unknown-model 404 bodies, and the routes' absence when runtime updating is off.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { metrics, postJson, value, withSim } from './helpers.ts';

const on = { allowRuntimeLoraUpdating: true };

describe('sim LoRA load/unload routes (current)', () => {
  test('load succeeds with a plain-text body and no media type, then the adapter serves and is listed', async () => {
    await withSim(on, async (sim, client) => {
      const res = await postJson(`${sim.url}/v1/load_lora_adapter`, { lora_name: 'legal', lora_path: 'sim://legal' });
      assert.equal(res.status, 200);
      assert.equal(res.text, "Success: LoRA adapter 'legal' added successfully.");
      assert.equal(res.headers.get('content-type'), null);
      const models = await client.models.list();
      const card = models.data.find((m) => m.id === 'legal') as unknown as Record<string, unknown>;
      assert.equal(card.root, 'sim://legal');
      assert.equal(card.parent, 'tiny-base');
      assert.equal(card.max_model_len, null);
      const r = await client.chat.completions.create({ model: 'legal', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.model, 'legal');
    });
  });

  test('already loaded: 400 InvalidUserInput with the load_inplace hint; load_inplace reloads', async () => {
    await withSim(on, async (sim) => {
      const url = `${sim.url}/v1/load_lora_adapter`;
      await postJson(url, { lora_name: 'a', lora_path: 'sim://a' });
      const again = await postJson(url, { lora_name: 'a', lora_path: 'sim://a' });
      assert.equal(again.status, 400);
      assert.deepEqual(JSON.parse(again.text), {
        error: {
          message:
            "The lora adapter 'a' has already been loaded. If you want to load the adapter in place, set 'load_inplace' to True.",
          type: 'InvalidUserInput',
          param: null,
          code: 400,
        },
      });
      const inplace = await postJson(url, { lora_name: 'a', lora_path: 'sim://a2', load_inplace: true });
      assert.equal(inplace.status, 200);
      assert.deepEqual(sim.state.adapters(), [{ name: 'a', path: 'sim://a2', parent: 'tiny-base' }]);
    });
  });

  test('error cases: empty fields 400, missing path 404, rank above max 500, counted in metrics', async () => {
    await withSim(on, async (sim) => {
      const url = `${sim.url}/v1/load_lora_adapter`;
      const empty = await postJson(url, { lora_name: 'x', lora_path: '' });
      assert.equal(empty.status, 400);
      assert.deepEqual(JSON.parse(empty.text).error, {
        message: "Both 'lora_name' and 'lora_path' must be provided.",
        type: 'InvalidUserInput',
        param: null,
        code: 400,
      });
      const missing = await postJson(url, { lora_name: 'x', lora_path: '/no/such/adapter' });
      assert.equal(missing.status, 404);
      assert.deepEqual(JSON.parse(missing.text).error, {
        message: 'Loading lora x failed: No adapter found for /no/such/adapter',
        type: 'NotFoundError',
        param: null,
        code: 404,
      });
      const rank = await postJson(url, { lora_name: 'x', lora_path: 'sim://big/rank=64' });
      assert.equal(rank.status, 500);
      assert.deepEqual(JSON.parse(rank.text).error, {
        message: 'LoRA rank 64 is greater than max_lora_rank 16.',
        type: 'InternalServerError',
        param: null,
        code: 500,
      });
      assert.equal(sim.state.adapters().length, 0, 'a failed load registers nothing');
      const noField = await postJson(url, { lora_name: 'x' });
      assert.equal(noField.status, 400);
      assert.equal(JSON.parse(noField.text).error.type, 'Bad Request');
      assert.equal(JSON.parse(noField.text).error.param, 'body.lora_path');
      const { samples } = await metrics(sim);
      assert.equal(value(samples, 'lorag_sim_lora_load_requests_total', { lora_name: 'x' }), 4);
    });
  });

  test('a directory with adapter_config.json loads; its rank r is checked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lorag-sim-'));
    try {
      await writeFile(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8 }));
      await withSim(on, async (sim) => {
        const ok = await postJson(`${sim.url}/v1/load_lora_adapter`, { lora_name: 'd', lora_path: dir });
        assert.equal(ok.status, 200);
      });
      await withSim({ ...on, maxLoraRank: 1 }, async (sim) => {
        const bad = await postJson(`${sim.url}/v1/load_lora_adapter`, { lora_name: 'd', lora_path: dir });
        assert.equal(bad.status, 500);
        assert.equal(JSON.parse(bad.text).error.message, 'LoRA rank 8 is greater than max_lora_rank 1.');
      });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  test('unload: plain-text success, 404 for an unknown name, 400 for an empty one', async () => {
    await withSim(on, async (sim) => {
      await postJson(`${sim.url}/v1/load_lora_adapter`, { lora_name: 'u', lora_path: 'sim://u' });
      const url = `${sim.url}/v1/unload_lora_adapter`;
      const ok = await postJson(url, { lora_name: 'u' });
      assert.equal(ok.status, 200);
      assert.equal(ok.text, "Success: LoRA adapter 'u' removed successfully.");
      const gone = await postJson(url, { lora_name: 'u' });
      assert.equal(gone.status, 404);
      assert.deepEqual(JSON.parse(gone.text).error, {
        message: "The lora adapter 'u' cannot be found.",
        type: 'NotFoundError',
        param: null,
        code: 404,
      });
      const empty = await postJson(url, { lora_name: '' });
      assert.equal(empty.status, 400);
      assert.equal(JSON.parse(empty.text).error.message, "'lora_name' needs to be provided to unload a LoRA adapter.");
    });
  });

  test('loads are serialised per name and take --load-ms: the second concurrent load sees "already loaded"', async () => {
    await withSim({ ...on, loadMs: 50 }, async (sim) => {
      const url = `${sim.url}/v1/load_lora_adapter`;
      const [a, b] = await Promise.all([
        postJson(url, { lora_name: 'c', lora_path: 'sim://c' }),
        postJson(url, { lora_name: 'c', lora_path: 'sim://c' }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [200, 400]);
    });
  });

  test('a non-JSON content type is refused before anything else', async () => {
    await withSim(on, async (sim) => {
      const res = await fetch(`${sim.url}/v1/load_lora_adapter`, { method: 'POST', body: 'lora_name=x' });
      assert.equal(res.status, 400);
      assert.match(
        ((await res.json()) as { error: { message: string } }).error.message,
        /Unsupported Media Type: Only 'application\/json' is allowed/,
      );
      assert.deepEqual(sim.state.loadRequestCounts(), { '': 1 });
    });
  });
});

describe('sim LoRA routes (legacy) and unknown models', () => {
  test('legacy: flat bodies, no load_inplace hint, every other load failure is 400 BadRequestError', async () => {
    await withSim({ ...on, vllmCompat: 'legacy' }, async (sim) => {
      const url = `${sim.url}/v1/load_lora_adapter`;
      await postJson(url, { lora_name: 'a', lora_path: 'sim://a' });
      const again = await postJson(url, { lora_name: 'a', lora_path: 'sim://a' });
      assert.deepEqual(JSON.parse(again.text), {
        object: 'error',
        message: "The lora adapter 'a' has already been loaded.",
        type: 'InvalidUserInput',
        param: null,
        code: 400,
      });
      const rank = await postJson(url, { lora_name: 'b', lora_path: 'sim://b/rank=32' });
      assert.equal(rank.status, 400);
      assert.deepEqual(JSON.parse(rank.text), {
        object: 'error',
        message: 'LoRA rank 32 is greater than max_lora_rank 16.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
      const missing = await postJson(url, { lora_name: 'b', lora_path: '/none' });
      assert.equal(missing.status, 404);
      assert.equal(JSON.parse(missing.text).object, 'error');
    });
  });

  test('unknown model: nested 404 with param "model" (current), flat with param null (legacy)', async () => {
    await withSim({}, async (sim, client) => {
      await assert.rejects(
        client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
        (err) => {
          assert.ok(err instanceof OpenAI.NotFoundError);
          return true;
        },
      );
      const res = await postJson(`${sim.url}/v1/completions`, { model: 'nope', prompt: 'x' });
      assert.equal(res.status, 404);
      assert.deepEqual(JSON.parse(res.text), {
        error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: 'model', code: 404 },
      });
    });
    await withSim({ vllmCompat: 'legacy' }, async (sim) => {
      const res = await postJson(`${sim.url}/v1/chat/completions`, { model: 'nope', messages: [], stream: true });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(JSON.parse(res.text), {
        object: 'error',
        message: 'The model `nope` does not exist.',
        type: 'NotFoundError',
        param: null,
        code: 404,
      });
    });
  });

  test('runtime updating off: the routes do not exist ({"detail":"Not Found"})', async () => {
    await withSim({ allowRuntimeLoraUpdating: false }, async (sim) => {
      for (const route of ['load_lora_adapter', 'unload_lora_adapter']) {
        const res = await postJson(`${sim.url}/v1/${route}`, { lora_name: 'a', lora_path: 'sim://a' });
        assert.equal(res.status, 404);
        assert.deepEqual(JSON.parse(res.text), { detail: 'Not Found' });
      }
    });
  });

  test('static --lora-modules: base_model_name counts only when it is a served name; a bad path stops startup', async () => {
    await withSim(
      {
        servedModelNames: ['a', 'b'],
        loraModules: [
          { name: 'x', path: 'sim://x', base_model_name: 'b' },
          { name: 'y', path: 'sim://y', base_model_name: 'meta-llama/other' },
        ],
      },
      async (sim) => {
        assert.deepEqual(
          sim.state.adapters().map((a) => a.parent),
          ['b', 'a'],
        );
      },
    );
    await assert.rejects(
      withSim({ loraModules: [{ name: 'z', path: '/missing' }] }, async () => {}),
      /No adapter found for \/missing/,
    );
  });
});
