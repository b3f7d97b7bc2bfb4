/**
 * POST /v1/responses through the official `openai` Node SDK against a real gateway + `lorag sim`:
 * responses.create / responses.stream (finalResponse) / responses.parse (zod), function tools round trip with
 * previous_response_id, file_search as retrieval with annotations and the file_search_call item, the stored
 * responses (GET, input_items, DELETE, tenant scope, store: false) and the bad inputs of the issue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { parseSimReply } from '../../src/sim/generate.ts';
import { answeredBy } from '../helpers/stack.ts';
import { question, type ResponsesStack, startResponsesStack } from './responses-stack.ts';

let stack: ResponsesStack;
let legal: OpenAI;
let hr: OpenAI;
before(async () => {
  stack = await startResponsesStack();
  legal = new OpenAI({ apiKey: stack.keys.legal, baseURL: stack.baseURL, maxRetries: 0 });
  hr = new OpenAI({ apiKey: stack.keys.hr, baseURL: stack.baseURL, maxRetries: 0 });
});
after(() => stack?.close());

const fileSearch = { type: 'file_search' as const, vector_store_ids: ['company'] };
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  strict: true,
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
};

async function status(p: Promise<unknown>): Promise<{ status: number; param: string | null | undefined }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status ?? 0, param: err.param };
    throw err;
  }
  assert.fail('expected an API error');
}

describe('Responses API via the openai Node SDK', () => {
  test('create: the adapter answers; usage, headers, and the same text as chat would get', async () => {
    const { data: r, response } = await legal.responses
      .create({ model: 'legal', input: 'Who answers?', instructions: 'Be brief.', temperature: 0 })
      .withResponse();
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.model, 'legal@1');
    assert.equal(answeredBy(r.output_text), 'legal@1');
    assert.equal(response.headers.get('x-lorag-adapter'), 'legal@1');
    assert.equal(response.headers.get('x-lorag-strategy'), 'lora');
    assert.ok((r.usage?.input_tokens ?? 0) > 0 && (r.usage?.output_tokens ?? 0) > 0);
    assert.equal(r.usage?.total_tokens, (r.usage?.input_tokens ?? 0) + (r.usage?.output_tokens ?? 0));
    assert.equal(r.instructions, 'Be brief.');
    const chat = await legal.chat.completions.create({
      model: 'legal',
      temperature: 0,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Who answers?' },
      ],
    });
    assert.equal(r.output_text, chat.choices[0].message.content, 'translated onto the same chat request');
  });

  test('stream: events in order with increasing sequence_number; finalResponse has the text', async () => {
    const stream = legal.responses.stream({ model: 'legal', input: 'Who answers?', temperature: 0 });
    const types: string[] = [];
    let last = -1;
    stream.on('event', (e) => {
      types.push(e.type);
      assert.ok(e.sequence_number > last, 'sequence_number increases');
      last = e.sequence_number;
    });
    let deltas = '';
    stream.on('response.output_text.delta', (e) => {
      deltas += e.delta;
    });
    const r = await stream.finalResponse();
    assert.equal(answeredBy(r.output_text), 'legal@1');
    assert.equal(deltas, r.output_text);
    assert.deepEqual(types.slice(0, 4), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    assert.deepEqual(types.slice(-4), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.equal((await legal.responses.retrieve(r.id)).output_text, r.output_text, 'a streamed response is stored');
  });

  test('parse with zod: text.format json_schema strict → output_parsed', async () => {
    const Answer = z.object({ department: z.enum(['legal', 'hr']), summary: z.string(), days: z.number().int() });
    const r = await legal.responses.parse({
      model: 'legal',
      input: 'Summarise.',
      text: { format: zodTextFormat(Answer, 'answer') },
    });
    assert.ok(r.output_parsed);
    assert.equal(r.output_parsed.department, 'legal');
    assert.equal(parseSimReply(r.output_parsed.summary)?.model, 'legal@1');
  });

  test('function tool: required → function_call; its output continues via previous_response_id', async () => {
    const first = await legal.responses.create({
      model: 'legal',
      input: 'What is the weather in Paris?',
      tools: [weather],
      tool_choice: 'required',
    });
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call', JSON.stringify(first.output));
    assert.equal(call.name, 'get_weather');
    const args = JSON.parse(call.arguments);
    assert.equal(typeof args.city, 'string');
    assert.ok(['c', 'f'].includes(args.unit));
    const second = await legal.responses.create({
      model: 'legal',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }],
      tools: [weather],
    });
    assert.equal(second.previous_response_id, first.id);
    assert.equal(answeredBy(second.output_text), 'legal@1', 'after the tool output the model answers in text');
    const items = await legal.responses.inputItems.list(second.id);
    assert.deepEqual(
      items.data.map((i) => i.type),
      ['function_call_output'],
    );
  });

  test('stream with a named function: function_call_arguments deltas assemble valid arguments', async () => {
    const stream = legal.responses.stream({
      model: 'legal',
      input: 'Weather?',
      tools: [weather],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    let deltas = 0;
    stream.on('response.function_call_arguments.delta', () => {
      deltas++;
    });
    const r = await stream.finalResponse();
    const call = r.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.ok(deltas > 1);
    assert.deepEqual(Object.keys(JSON.parse(call.arguments)).sort(), ['city', 'unit']);
  });

  test('file_search: rag over the collection; url/file citations on output_text; file_search_call results', async () => {
    for (const stream of [false, true]) {
      const params = {
        model: 'legal',
        input: question,
        tools: [fileSearch],
        include: ['file_search_call.results' as const],
      };
      const r = stream ? await legal.responses.stream(params).finalResponse() : await legal.responses.create(params);
      const [fs, msg] = r.output;
      assert.equal(fs.type, 'file_search_call');
      if (fs.type !== 'file_search_call' || msg.type !== 'message') return;
      assert.deepEqual(fs.queries, [question]);
      assert.equal(fs.status, 'completed');
      assert.equal(fs.results?.[0].file_id, 'zephyr.md');
      assert.equal(fs.results?.[0].filename, 'Zephyr supplier contract');
      assert.match(fs.results?.[0].text ?? '', /45 days/);
      const part = msg.content[0];
      assert.ok(part.type === 'output_text');
      if (part.type !== 'output_text') return;
      assert.match(part.text, /According to \[1\]/);
      const url = part.annotations.find((a) => a.type === 'url_citation');
      assert.ok(url && url.type === 'url_citation');
      assert.equal([...part.text].slice(url.start_index, url.end_index).join(''), '[1]');
      assert.match(url.url, /^lorag:\/\/company\/zephyr\.md#/);
      assert.deepEqual(
        part.annotations.filter((a) => a.type === 'file_citation'),
        [{ type: 'file_citation', file_id: 'zephyr.md', filename: 'Zephyr supplier contract', index: url.end_index }],
      );
      assert.equal((r as unknown as { citations: unknown[] }).citations.length > 0, true, 'the citations extension');
    }
    const noResults = await legal.responses.create({ model: 'legal', input: question, tools: [fileSearch] });
    const fs = noResults.output[0];
    assert.ok(fs.type === 'file_search_call' && fs.results === null, 'results only with include');
  });

  test('stored responses: retrieve, input_items pages, delete; another tenant sees a 404; store false keeps nothing', async () => {
    const r = await legal.responses.create({
      model: 'legal',
      input: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
      ],
      metadata: { ticket: 'T-1' },
    });
    const got = await legal.responses.retrieve(r.id);
    assert.deepEqual(got, r);
    const page1 = await legal.responses.inputItems.list(r.id, { limit: 2, order: 'asc' });
    assert.equal(page1.data.length, 2);
    assert.equal(page1.has_more, true);
    const all: string[] = [];
    for await (const item of legal.responses.inputItems.list(r.id, { limit: 1, order: 'asc' })) {
      if (item.type === 'message') all.push(JSON.stringify(item.content));
    }
    assert.equal(all.length, 3, 'the SDK paginates with after');
    assert.match(all[2], /three/);
    assert.deepEqual(await status(hr.responses.retrieve(r.id)), await status(hr.responses.retrieve('resp_nope')));
    assert.equal((await status(hr.responses.retrieve(r.id))).status, 404);
    assert.equal((await status(hr.responses.delete(r.id))).status, 404);
    assert.equal(
      (await status(hr.responses.create({ model: 'hr', input: 'x', previous_response_id: r.id }))).param,
      'previous_response_id',
    );
    await legal.responses.delete(r.id);
    assert.equal((await status(legal.responses.retrieve(r.id))).status, 404);
    const unstored = await legal.responses.create({ model: 'legal', input: 'x', store: false });
    assert.equal((unstored as unknown as { store: boolean }).store, false);
    assert.equal((await status(legal.responses.retrieve(unstored.id))).status, 404);
  });

  test('previous_response_id rebuilds the conversation without the earlier instructions', async () => {
    const first = await legal.responses.create({ model: 'legal', input: 'A', instructions: 'Only first.' });
    const second = await legal.responses.create({ model: 'legal', input: 'B', previous_response_id: first.id });
    const digest = parseSimReply(second.output_text)?.digest;
    const chat = await legal.chat.completions.create({
      model: 'legal',
      messages: [
        { role: 'user', content: 'A' },
        { role: 'assistant', content: first.output_text },
        { role: 'user', content: 'B' },
      ],
    });
    assert.equal(
      digest,
      parseSimReply(chat.choices[0].message.content ?? '')?.digest,
      'same messages reached the model',
    );
  });

  test('bad input: an OpenAI error envelope with status and param; nothing stored', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ input: [{ type: 'input_image', image_url: 'x' }] }, 400, 'input.0.type'],
      [{ input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] }, 400, 'input.0.call_id'],
      [{ input: 'x', previous_response_id: 'resp_expired' }, 404, 'previous_response_id'],
      [
        { input: 'x', text: { format: { type: 'json_schema', name: 'n', schema: { type: 12 } } } },
        400,
        'text.format.schema',
      ],
      [{ input: 'x', tools: [{ type: 'file_search', vector_store_ids: ['secret'] }] }, 404, 'tools.0.vector_store_ids'],
      [{ input: 'x', tools: [{ type: 'web_search' }] }, 400, 'tools.0.type'],
      [{ input: 'x', reasoning: { effort: 'high' } }, 400, 'reasoning.effort'],
      [{ input: 'x', frobnicate: true }, 400, 'frobnicate'],
    ];
    for (const [body, code, param] of cases) {
      const res = await fetch(`${stack.baseURL}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.keys.legal}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'legal', ...body }),
      });
      const err = (await res.json()) as { error: { message: string; type: string; param: string | null } };
      assert.equal(res.status, code, JSON.stringify([body, err]));
      assert.equal(err.error.param, param, JSON.stringify(err));
      assert.equal(typeof err.error.message, 'string');
    }
    const hrSearch = await status(hr.responses.create({ model: 'hr', input: 'x', tools: [fileSearch] }));
    assert.deepEqual(hrSearch, { status: 404, param: 'tools.0.vector_store_ids' });
  });
});
