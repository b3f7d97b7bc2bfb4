import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseResponsesRequest } from '../openai/responses-request.ts';
import { toChat } from './to-chat.ts';

const param = (fn: () => unknown): string | null => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.status, 400, err.message);
    return err.param;
  }
  assert.fail('expected a 400');
};

test('string input + instructions → system + user; max_output_tokens → max_tokens; stream asks for usage', () => {
  const req = parseResponsesRequest({
    model: 'legal',
    input: 'Hi',
    instructions: 'Be brief.',
    max_output_tokens: 20,
    stream: true,
    temperature: 0,
  });
  const { body, inputItems, query } = toChat(req, []);
  assert.deepEqual(body.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ]);
  assert.equal(body.max_tokens, 20);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(body.temperature, 0);
  assert.equal(query, 'Hi');
  assert.match(String(inputItems[0].id), /^msg_[0-9a-f]{32}$/);
  assert.deepEqual(inputItems[0].content, [{ type: 'input_text', text: 'Hi' }]);
});

test('items: developer → system, function_call merged into one assistant message, output → tool message', () => {
  const req = parseResponsesRequest({
    model: 'm',
    input: [
      { role: 'developer', content: [{ type: 'input_text', text: 'Rules.' }] },
      { type: 'message', role: 'user', content: 'Weather in Paris and Rome?' },
      { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'c2', name: 'w', arguments: '{"city":"Rome"}' },
      { type: 'function_call_output', call_id: 'c1', output: '21C' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: '25C' }] },
    ],
  });
  const { body } = toChat(req, []);
  assert.deepEqual(body.messages, [
    { role: 'system', content: 'Rules.' },
    { role: 'user', content: 'Weather in Paris and Rome?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'w', arguments: '{"city":"Paris"}' } },
        { id: 'c2', type: 'function', function: { name: 'w', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'c1', content: '21C' },
    { role: 'tool', tool_call_id: 'c2', content: '25C' },
  ]);
});

test('previous conversation comes first; only the new instructions are sent', () => {
  const history = [
    { type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text', text: 'A' }] },
    { type: 'message' as const, role: 'assistant' as const, content: [{ type: 'output_text', text: 'B' }] },
  ];
  const { body } = toChat(parseResponsesRequest({ model: 'm', input: 'C', instructions: 'New.' }), history);
  assert.deepEqual(
    body.messages.map((m) => [m.role, m.content]),
    [
      ['system', 'New.'],
      ['user', 'A'],
      ['assistant', 'B'],
      ['user', 'C'],
    ],
  );
});

test('tools: function tools → chat tools; named tool_choice; text.format json_schema → response_format', () => {
  const schema = {
    type: 'object',
    properties: { a: { type: 'string' } },
    required: ['a'],
    additionalProperties: false,
  };
  const req = parseResponsesRequest({
    model: 'm',
    input: 'x',
    tools: [{ type: 'function', name: 'f', description: 'd', parameters: schema, strict: true }],
    tool_choice: { type: 'function', name: 'f' },
    parallel_tool_calls: false,
    text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
  });
  const { body } = toChat(req, []);
  assert.deepEqual(body.tools, [
    { type: 'function', function: { name: 'f', parameters: schema, description: 'd', strict: true } },
  ]);
  assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'f' } });
  assert.equal(body.parallel_tool_calls, false);
  assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'out', schema, strict: true } });
});

test('file_search → lorag extension rag over vector_store_ids with top_k; hybrid kept; base refused', () => {
  const fs = { type: 'file_search', vector_store_ids: ['company'], max_num_results: 3 };
  const plain = toChat(parseResponsesRequest({ model: 'm', input: 'q', tools: [fs] }), []);
  assert.deepEqual(plain.body.lorag, { strategy: 'rag', collections: ['company'], top_k: 3 });
  assert.equal(plain.body.tools, undefined, 'file_search is not a chat tool');
  assert.deepEqual(plain.fileSearch?.vector_store_ids, ['company']);
  const hybrid = toChat(
    parseResponsesRequest({ model: 'm', input: 'q', tools: [fs], lorag: { strategy: 'hybrid' } }),
    [],
  );
  assert.equal(hybrid.body.lorag?.strategy, 'hybrid');
  assert.equal(
    param(() =>
      toChat(parseResponsesRequest({ model: 'm', input: 'q', tools: [fs], lorag: { strategy: 'base' } }), []),
    ),
    'lorag.strategy',
  );
});

test('bad input: 400 with param for each', () => {
  const cases: [unknown, string | null][] = [
    [{ model: 'm', input: [{ type: 'input_image', image_url: 'x' }] }, 'input.0.type'],
    [{ model: 'm', input: [{ type: 'reasoning', summary: [] }] }, 'input.0.type'],
    [{ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }, 'tools.0.type'],
    [{ model: 'm', input: 'x', reasoning: { effort: 'high' } }, 'reasoning.effort'],
    [{ model: 'm', input: 'x', background: true }, 'background'],
    [{ model: 'm', input: 'x', truncation: 'auto' }, 'truncation'],
    [{ model: 'm', input: 'x', include: ['message.output_text.logprobs'] }, 'include.0'],
    [{ model: 'm', input: 'x', conversation: 'c' }, 'conversation'],
    [
      { model: 'm', input: 'x', tools: [{ type: 'file_search', vector_store_ids: ['a'], filters: { k: 1 } }] },
      'tools.0.filters',
    ],
    [{ input: 'x' }, 'model'],
  ];
  for (const [body, expected] of cases)
    assert.equal(
      param(() => parseResponsesRequest(body)),
      expected,
      JSON.stringify(body),
    );
  const orphan = parseResponsesRequest({
    model: 'm',
    input: [{ type: 'function_call_output', call_id: 'zz', output: 'o' }],
  });
  assert.equal(
    param(() => toChat(orphan, [])),
    'input.0.call_id',
  );
  const badSchema = parseResponsesRequest({
    model: 'm',
    input: 'x',
    text: { format: { type: 'json_schema', name: 'n', schema: { type: 'nonsense' } } },
  });
  assert.equal(
    param(() => toChat(badSchema, [])),
    'text.format.schema',
  );
  const badPart = parseResponsesRequest({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image' }] }] });
  assert.equal(
    param(() => toChat(badPart, [])),
    'input.0.content.0.type',
  );
});

test('no-op fields are accepted (and the parsed request keeps them for the echo)', () => {
  const req = parseResponsesRequest({
    model: 'm',
    input: 'x',
    service_tier: 'auto',
    prompt_cache_key: 'k',
    safety_identifier: 's',
    truncation: 'disabled',
    include: [],
    reasoning: {},
    store: false,
    metadata: { a: 'b' },
  });
  assert.equal(req.service_tier, 'auto');
  assert.deepEqual(req.metadata, { a: 'b' });
});
