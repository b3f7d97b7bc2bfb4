/**
 * Chat and completions through the official OpenAI SDK against a started simulator: reply format, model
 * echo, usage, SSE chunk rules (role chunk, finish chunk, usage chunk, [DONE]), stream_options 400.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { parseSimReply, simDigest } from '../../src/sim/generate.ts';
import { postJson, withSim } from './helpers.ts';

const messages = [
  {
    role: 'system' as const,
    content: 'Answer from the sources.\n[1] The notice period is thirty days for all employees.\n[2] Other.',
  },
  { role: 'user' as const, content: 'What is the notice period?' },
];

describe('sim chat completions', () => {
  test('non-stream reply names the adapter, the digest of the messages and quotes source [1]', async () => {
    await withSim({ loraModules: [{ name: 'legal@1', path: 'sim://legal' }] }, async (_sim, client) => {
      const r = await client.chat.completions.create({ model: 'legal@1', messages });
      assert.equal(r.object, 'chat.completion');
      assert.equal(r.model, 'legal@1');
      assert.match(r.id, /^chatcmpl-/);
      const text = r.choices[0].message.content ?? '';
      const parsed = parseSimReply(text);
      assert.deepEqual(parsed, {
        model: 'legal@1',
        digest: simDigest(messages),
        quote: 'The notice period is thirty days for all',
      });
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.equal(r.usage?.completion_tokens, 32);
      assert.equal(r.usage?.total_tokens, (r.usage?.prompt_tokens ?? 0) + 32);
    });
  });

  test('model echo: aliases and an omitted model answer with the first served name', async () => {
    await withSim({ model: 'org/tiny', servedModelNames: ['tiny', 'tiny-alias'] }, async (sim, client) => {
      const r = await client.chat.completions.create({ model: 'tiny-alias', messages });
      assert.equal(r.model, 'tiny');
      assert.equal(parseSimReply(r.choices[0].message.content ?? '')?.model, 'tiny');
      const raw = await postJson(`${sim.url}/v1/chat/completions`, { messages });
      assert.equal(JSON.parse(raw.text).model, 'tiny');
    });
  });

  test('max_tokens cuts the reply with finish_reason length; n=2 gives two choices', async () => {
    await withSim({}, async (_sim, client) => {
      const r = await client.chat.completions.create({ model: 'tiny-base', messages, max_tokens: 6, n: 2 });
      assert.equal(r.choices.length, 2);
      assert.equal(r.choices[0].message.content, 'adapter=tiny-base digest');
      assert.equal(r.choices[1].finish_reason, 'length');
      assert.equal(r.usage?.completion_tokens, 12);
    });
  });

  test('stream: role chunk first, one token per chunk, finish chunk with stop_reason, no usage without stream_options', async () => {
    await withSim({}, async (sim) => {
      const res = await postJson(`${sim.url}/v1/chat/completions`, { messages, stream: true, max_tokens: 3 });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const events = res.text.split('\n\n').filter(Boolean);
      assert.equal(events.at(-1), 'data: [DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
      assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
      assert.deepEqual(
        chunks.slice(1).map((c) => c.choices[0].delta.content),
        ['adapter', '=', 'tiny'],
      );
      assert.equal('stop_reason' in chunks[1].choices[0], false);
      assert.equal(chunks[3].choices[0].finish_reason, 'length');
      assert.equal(chunks[3].choices[0].stop_reason, null);
      assert.ok(chunks.every((c) => !('usage' in c)));
    });
  });

  test('stream with include_usage: true ends with a usage chunk with choices []; {} adds none (as vLLM 0.32)', async () => {
    await withSim({}, async (sim, client) => {
      const empty = await postJson(`${sim.url}/v1/chat/completions`, { messages, stream: true, stream_options: {} });
      assert.ok(!empty.text.includes('"usage"'));
      for (const stream_options of [{ include_usage: true }]) {
        const res = await postJson(`${sim.url}/v1/chat/completions`, { messages, stream: true, stream_options });
        const events = res.text.split('\n\n').filter(Boolean);
        const usage = JSON.parse(events.at(-2)!.replace(/^data: /, ''));
        assert.deepEqual(usage.choices, []);
        assert.equal(usage.usage.completion_tokens, 32);
        assert.equal('prompt_tokens_details' in usage.usage, false);
      }
      const off = await postJson(`${sim.url}/v1/chat/completions`, {
        messages,
        stream: true,
        stream_options: { include_usage: false },
      });
      assert.ok(!off.text.includes('"usage"'));
      // The SDK sees the same stream: text deltas concatenate to the non-stream answer.
      const stream = await client.chat.completions.create({
        model: 'tiny-base',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usageSeen = false;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usageSeen = true;
      }
      const whole = await client.chat.completions.create({ model: 'tiny-base', messages });
      assert.equal(text, whole.choices[0].message.content);
      assert.ok(usageSeen);
    });
  });

  test('stream_options without stream is a 400 naming stream_options (both shapes)', async () => {
    await withSim({}, async (_sim, client) => {
      await assert.rejects(
        client.chat.completions.create({ model: 'tiny-base', messages, stream_options: { include_usage: true } }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.BadRequestError);
          assert.equal(err.message, '400 Stream options can only be defined when `stream=True`.');
          assert.equal(err.param, 'stream_options');
          assert.equal(err.type, 'BadRequestError');
          return true;
        },
      );
    });
    await withSim({ vllmCompat: 'legacy' }, async (sim) => {
      const res = await postJson(`${sim.url}/v1/chat/completions`, {
        messages,
        stream_options: { include_usage: true },
      });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), {
        object: 'error',
        message: 'Stream options can only be defined when `stream=True`.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
    });
  });

  test('stop strings cut the reply and are reported as stop_reason', async () => {
    await withSim({}, async (sim) => {
      const res = await postJson(`${sim.url}/v1/chat/completions`, { messages, stop: [' digest'] });
      const choice = JSON.parse(res.text).choices[0];
      assert.equal(choice.message.content, 'adapter=tiny-base');
      assert.equal(choice.finish_reason, 'stop');
      assert.equal(choice.stop_reason, ' digest');
    });
  });

  test('context window: too many input tokens and too large max_tokens are 400s', async () => {
    await withSim({ maxModelLen: 64 }, async (_sim, client) => {
      await assert.rejects(
        client.chat.completions.create({ model: 'tiny-base', messages, max_tokens: 60 }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.BadRequestError);
          assert.match(
            err.message,
            /'max_tokens' or 'max_completion_tokens' is too large: 60\. This model's maximum context length is 64 tokens/,
          );
          return true;
        },
      );
      const long = [{ role: 'user' as const, content: 'word '.repeat(100) }];
      await assert.rejects(
        client.chat.completions.create({ model: 'tiny-base', messages: long }),
        /maximum context length is 64 tokens/,
      );
    });
  });
});

describe('sim completions', () => {
  test('non-stream: text_completion with stop_reason; digest over the prompt string', async () => {
    await withSim({ loraModules: [{ name: 'hr', path: 'sim://hr' }] }, async (_sim, client) => {
      const r = await client.completions.create({ model: 'hr', prompt: 'Say hi', max_tokens: 40 });
      assert.equal(r.object, 'text_completion');
      assert.equal(r.model, 'hr');
      assert.deepEqual(parseSimReply(r.choices[0].text), { model: 'hr', digest: simDigest('Say hi'), quote: null });
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.equal((r.choices[0] as unknown as { stop_reason: unknown }).stop_reason, null);
    });
  });

  test('stream: text chunks carry finish_reason and stop_reason; usage chunk on stream_options', async () => {
    await withSim({}, async (sim) => {
      const res = await postJson(`${sim.url}/v1/completions`, {
        prompt: 'x',
        stream: true,
        max_tokens: 2,
        stream_options: { include_usage: true },
      });
      const events = res.text.split('\n\n').filter(Boolean);
      assert.equal(events.at(-1), 'data: [DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
      assert.deepEqual(chunks[0].choices[0], {
        index: 0,
        text: 'adapter',
        logprobs: null,
        finish_reason: null,
        stop_reason: null,
      });
      assert.deepEqual(chunks[1].choices[0], {
        index: 0,
        text: '=',
        logprobs: null,
        finish_reason: 'length',
        stop_reason: null,
      });
      assert.equal(chunks[2].object, 'text_completion');
      assert.deepEqual(chunks[2].choices, []);
      assert.equal(chunks[2].usage.completion_tokens, 2);
    });
  });

  test('a list of prompts gives one choice per prompt, each with its own digest', async () => {
    await withSim({}, async (_sim, client) => {
      const r = await client.completions.create({ model: 'tiny-base', prompt: ['a', 'b'] });
      assert.deepEqual(
        r.choices.map((c) => parseSimReply(c.text)?.digest),
        [simDigest('a'), simDigest('b')],
      );
    });
  });
});
