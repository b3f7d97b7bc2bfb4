/**
 * Tools and structured output in the simulator, through the official SDK's own helpers:
 * `chat.completions.parse` with zod (json_schema strict and strict function tools), the stream helper's
 * tool-call accumulation, `required`/`auto`, and vLLM's 400s (no parser, bad tool_choice).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { parseSimReply } from '../../src/sim/generate.ts';
import { postJson as post, withSim } from './helpers.ts';

async function postJson(sim: { url: string }, path: string, body: unknown) {
  const r = await post(`${sim.url}${path}`, body);
  return { status: r.status, body: JSON.parse(r.text) };
}

const Weather = z.object({ city: z.string(), unit: z.enum(['c', 'f']), days: z.number().int().min(1).max(7) });
const weatherTool = zodFunction({ name: 'get_weather', parameters: Weather });
const ask = [{ role: 'user' as const, content: 'What is the weather in Paris? Use get_weather.' }];

describe('sim: structured outputs and tool calls', () => {
  test('json_schema strict: chat.completions.parse gets a document valid against the zod schema', async () => {
    const Answer = z.object({ answer: z.string(), confidence: z.number().min(0).max(1), tags: z.array(z.string()) });
    await withSim({}, async (_sim, client) => {
      const r = await client.chat.completions.parse({
        model: 'tiny-base',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: zodResponseFormat(Answer, 'answer'),
      });
      const parsed = r.choices[0].message.parsed;
      assert.ok(parsed);
      assert.equal(parseSimReply(parsed.answer)?.model, 'tiny-base', 'string fields carry the reply head');
      assert.equal(r.choices[0].finish_reason, 'stop');
    });
  });

  test('json_object: the content is a JSON object', async () => {
    await withSim({}, async (_sim, client) => {
      const r = await client.chat.completions.create({
        model: 'tiny-base',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: { type: 'json_object' },
      });
      const doc = JSON.parse(r.choices[0].message.content ?? '');
      assert.equal(typeof doc, 'object');
      assert.equal(parseSimReply(doc.text)?.model, 'tiny-base');
    });
  });

  test('named tool_choice: arguments validate against the function schema; finish_reason stop (vLLM)', async () => {
    await withSim({}, async (_sim, client) => {
      const r = await client.chat.completions.parse({
        model: 'tiny-base',
        messages: ask,
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const msg = r.choices[0].message;
      assert.equal(msg.content, '');
      assert.equal(msg.tool_calls?.length, 1);
      const call = msg.tool_calls?.[0];
      assert.ok(call);
      assert.equal(call.type, 'function');
      assert.match(call.id, /^chatcmpl-tool-[0-9a-f]{16}$/);
      if (call.type !== 'function') return;
      assert.deepEqual(Weather.parse(call.function.parsed_arguments), call.function.parsed_arguments);
      assert.equal(r.choices[0].finish_reason, 'stop');
    });
  });

  test('stream: the SDK stream helper assembles the tool call from vLLM-framed deltas', async () => {
    await withSim({}, async (_sim, client) => {
      for (const tool_choice of ['required', { type: 'function', function: { name: 'get_weather' } }] as const) {
        const stream = client.chat.completions.stream({
          model: 'tiny-base',
          messages: ask,
          tools: [weatherTool],
          tool_choice,
        });
        const final = await stream.finalChatCompletion();
        const call = final.choices[0].message.tool_calls?.[0];
        assert.ok(call && call.type === 'function', JSON.stringify(final));
        assert.equal(call.function.name, 'get_weather');
        Weather.parse(JSON.parse(call.function.arguments));
        assert.equal(final.choices[0].finish_reason, tool_choice === 'required' ? 'tool_calls' : 'stop');
      }
    });
  });

  test('raw stream framing (as vLLM 0.32 + hermes): announce chunk, argument chunks, finish chunk {}', async () => {
    await withSim({}, async (sim) => {
      const res = await fetch(`${sim.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-base', messages: ask, tools: [weatherTool], stream: true }),
      });
      const chunks = (await res.text())
        .split('\n\n')
        .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
        .map((e) => JSON.parse(e.slice(6)));
      assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
      const announce = chunks[1].choices[0].delta;
      assert.equal(announce.content, null);
      assert.deepEqual(Object.keys(announce.tool_calls[0]).sort(), ['function', 'id', 'index', 'type']);
      assert.deepEqual(announce.tool_calls[0].function, { name: 'get_weather' });
      const args = chunks.slice(2, -1).map((c) => c.choices[0].delta.tool_calls[0]);
      for (const c of args) assert.deepEqual(Object.keys(c).sort(), ['function', 'index']);
      Weather.parse(JSON.parse(args.map((c) => c.function.arguments).join('')));
      assert.deepEqual(chunks.at(-1).choices[0].delta, {});
      assert.equal(chunks.filter((c) => c.choices[0].finish_reason).length, 1);
      assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls', 'auto + a named tool in the prompt');
    });
  });

  test('auto rule: a tool is called only when the last user message names it', async () => {
    await withSim({}, async (_sim, client) => {
      const tools = [weatherTool];
      const plain = await client.chat.completions.create({
        model: 'tiny-base',
        messages: [{ role: 'user', content: 'Hello there' }],
        tools,
      });
      assert.equal('tool_calls' in plain.choices[0].message, false, 'vLLM 0.32 + hermes omits the key then');
      assert.equal(plain.choices[0].finish_reason, 'stop');
      const called = await client.chat.completions.create({ model: 'tiny-base', messages: ask, tools });
      assert.equal(called.choices[0].finish_reason, 'tool_calls');
      const call = called.choices[0].message.tool_calls?.[0];
      assert.ok(call && call.type === 'function');
      assert.match(call.function.arguments, /^\{"city": /, 'hermes arguments are re-serialised by json.dumps');
      const after = await client.chat.completions.create({
        model: 'tiny-base',
        messages: [
          ...ask,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: '{"temp": 21}' },
        ],
        tools,
      });
      assert.equal(after.choices[0].finish_reason, 'stop', 'after the tool result the model answers');
    });
  });

  test('a JSON schema document validates with ajv for nested $defs / anyOf / arrays', async () => {
    const schema = {
      type: 'object',
      properties: {
        items: { type: 'array', items: { $ref: '#/$defs/item' }, minItems: 2 },
        note: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 5 }] },
        when: { type: 'string', format: 'date' },
      },
      required: ['items', 'note', 'when'],
      additionalProperties: false,
      $defs: { item: { type: 'object', properties: { n: { type: 'integer', exclusiveMinimum: 3 } }, required: ['n'] } },
    };
    await withSim({}, async (_sim, client) => {
      const r = await client.chat.completions.create({
        model: 'tiny-base',
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_schema', json_schema: { name: 's', schema, strict: true } },
      });
      const doc = JSON.parse(r.choices[0].message.content ?? '');
      const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
      assert.ok(validate(doc), JSON.stringify(validate.errors));
    });
  });

  test("vLLM's 400s: no tool parser, tool_choice without tools, unknown named tool, empty tools", async () => {
    await withSim({ toolCallParser: null }, async (sim) => {
      const tools = [weatherTool];
      const auto = await postJson(sim, '/v1/chat/completions', { model: 'tiny-base', messages: ask, tools });
      assert.equal(auto.status, 400);
      assert.match(auto.body.error.message, /"auto" tool choice requires --enable-auto-tool-choice/);
      const req = await postJson(sim, '/v1/chat/completions', {
        model: 'tiny-base',
        messages: ask,
        tools,
        tool_choice: 'required',
      });
      assert.equal(req.body.error.message, 'tool_choice="required" requires --tool-call-parser to be set');
      const none = await postJson(sim, '/v1/chat/completions', {
        model: 'tiny-base',
        messages: ask,
        tools,
        tool_choice: 'none',
      });
      assert.equal(none.status, 200, 'tool_choice none needs no parser');
    });
    await withSim({}, async (sim) => {
      const cases: [Record<string, unknown>, string][] = [
        [{ tool_choice: 'required' }, 'tool_choice'],
        [{ tools: [], tool_choice: 'auto' }, 'tools'],
        [{ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
      ];
      for (const [extra, param] of cases) {
        const r = await postJson(sim, '/v1/chat/completions', { model: 'tiny-base', messages: ask, ...extra });
        assert.equal(r.status, 400, JSON.stringify(extra));
        assert.equal(r.body.error.param, param);
      }
    });
  });
});
