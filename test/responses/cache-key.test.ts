/**
 * The cache key covers tools, tool_choice and the output format (src/cache/key.ts hashes the whole normalised
 * body), and a Responses request shares an entry with a chat request exactly when its translation is the
 * same chat body — i.e. when vLLM receives the same request, so the answer is provably the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheKey } from '../../src/cache/key.ts';
import type { ChatCompletionRequest } from '../../src/openai/requests.ts';
import { parseResponsesRequest } from '../../src/openai/responses-request.ts';
import { toChat } from '../../src/responses/to-chat.ts';
import { plan } from '../cache/fixtures.ts';

const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } };
const base = { model: 'legal', messages: [{ role: 'user', content: 'x' }], temperature: 0 };
const key = (body: Record<string, unknown>) =>
  cacheKey({ tenantId: 'acme', plan: plan(), endpoint: 'chat', body: body as ChatCompletionRequest, revisions: {} });

test('tools, tool_choice and response_format each change the key', () => {
  const keys = [
    key(base),
    key({ ...base, tools: [tool] }),
    key({ ...base, tools: [tool], tool_choice: 'required' }),
    key({ ...base, tools: [tool], tool_choice: { type: 'function', function: { name: 'f' } } }),
    key({ ...base, response_format: { type: 'json_object' } }),
    key({ ...base, response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } } }),
    key({ ...base, response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'string' } } } }),
    key({ ...base, tools: [tool], parallel_tool_calls: false }),
  ];
  assert.equal(new Set(keys).size, keys.length);
});

test('a Responses request and the chat request it translates to share a key; a different one does not', () => {
  const req = parseResponsesRequest({ model: 'legal', input: 'x', temperature: 0, store: true, metadata: { a: 'b' } });
  assert.equal(key(toChat(req, []).body), key(base));
  const streamed = parseResponsesRequest({ model: 'legal', input: 'x', temperature: 0, stream: true });
  assert.equal(key(toChat(streamed, []).body), key(base), 'stream and stream_options are not in the key');
  const instructed = parseResponsesRequest({ model: 'legal', input: 'x', temperature: 0, instructions: 'Be brief.' });
  assert.notEqual(key(toChat(instructed, []).body), key(base));
});
