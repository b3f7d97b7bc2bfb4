/**
 * The response cache with tools and the Responses API: a tool call is cached and replayed like text (JSON and
 * stream, in either order), a Responses request hits the entry its identical chat request stored, and the
 * rate limits apply to /v1/responses as to chat.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ config: { cache: { kind: 'memory' } } });
});
after(() => stack?.close());

const tool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

test('a tool call is cached and replayed, to JSON and to a stream', async () => {
  const client = stack.client('legal');
  const body = {
    model: 'legal',
    temperature: 0,
    messages: [{ role: 'user' as const, content: 'Weather in Oslo?' }],
    tools: [tool],
    tool_choice: 'required' as const,
  };
  const first = await client.chat.completions.create(body).withResponse();
  assert.equal(first.response.headers.get('x-lorag-cache'), 'miss');
  const again = await client.chat.completions.create(body).withResponse();
  assert.equal(again.response.headers.get('x-lorag-cache'), 'hit');
  assert.deepEqual(again.data.choices[0].message.tool_calls, first.data.choices[0].message.tool_calls);
  assert.equal(again.data.choices[0].finish_reason, 'tool_calls');
  const streamed = await client.chat.completions.stream(body).finalChatCompletion();
  const call = streamed.choices[0].message.tool_calls?.[0];
  assert.ok(call && call.type === 'function', JSON.stringify(streamed.choices[0]));
  const original = first.data.choices[0].message.tool_calls?.[0];
  assert.ok(original && original.type === 'function');
  assert.equal(call.function.name, original.function.name);
  assert.deepEqual(JSON.parse(call.function.arguments), JSON.parse(original.function.arguments));
});

test('a streamed tool call is cached and replayed to the Responses API', async () => {
  const client = stack.client('legal');
  const input = 'Weather in Bergen?';
  const tools = [
    { type: 'function' as const, name: 'get_weather', strict: false, parameters: tool.function.parameters },
  ];
  const params = { model: 'legal', temperature: 0, input, tools, tool_choice: 'required' as const };
  const live = await client.responses.stream(params).finalResponse();
  const { data: hit, response } = await client.responses.create(params).withResponse();
  assert.equal(response.headers.get('x-lorag-cache'), 'hit');
  const a = live.output.find((o) => o.type === 'function_call');
  const b = hit.output.find((o) => o.type === 'function_call');
  assert.ok(a && b && a.type === 'function_call' && b.type === 'function_call');
  assert.equal(b.name, a.name);
  assert.deepEqual(JSON.parse(b.arguments), JSON.parse(a.arguments));
  const replayed = await client.responses.stream(params).finalResponse();
  const c = replayed.output.find((o) => o.type === 'function_call');
  assert.ok(c && c.type === 'function_call');
  assert.deepEqual(JSON.parse(c.arguments), JSON.parse(a.arguments));
});

test('Responses and chat share the entry of the same upstream request', async () => {
  const client = stack.client('legal');
  const chat = await client.chat.completions
    .create({ model: 'legal', temperature: 0, messages: [{ role: 'user', content: 'Shared?' }] })
    .withResponse();
  assert.equal(chat.response.headers.get('x-lorag-cache'), 'miss');
  const { data, response } = await client.responses
    .create({ model: 'legal', temperature: 0, input: 'Shared?' })
    .withResponse();
  assert.equal(response.headers.get('x-lorag-cache'), 'hit');
  assert.equal(data.output_text, chat.data.choices[0].message.content);
});

test('limits apply to the Responses API like chat: the tenant over its requests/minute gets a 429 envelope', async () => {
  const limited = await startStack({ tenants: { hr: { limits: { requests_per_minute: 1 } } } });
  try {
    const client = limited.client('hr');
    await client.responses.create({ model: 'hr', input: 'one' });
    const res = await fetch(`${limited.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test-hr', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hr', input: 'two' }),
    });
    assert.equal(res.status, 429);
    assert.ok(res.headers.get('retry-after'));
    const body = (await res.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'rate_limit_exceeded');
  } finally {
    await limited.close();
  }
});
