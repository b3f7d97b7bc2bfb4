import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tenantRagSchema } from '../config/rag-section.ts';
import type { ChatCompletionRequest, CompletionRequest } from '../openai/requests.ts';
import { estimateTokens } from '../openai/token-estimate.ts';
import { composeBody, fitSources, passageBudget, retrievalQuery } from './compose.ts';

const rag = tenantRagSchema.parse({});
const sources = [
  { index: 1, title: 'Leave', section: 'Carry-over', text: 'Up to five days\ncarry over.' },
  { index: 2, title: null, section: null, text: 'Receipts within 30 days.' },
];

test('query: last user message plus the configured number of earlier turns', () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'system', content: 'be nice' },
      { role: 'user', content: 'Tell me about leave.' },
      { role: 'assistant', content: 'Leave is 25 days.' },
      { role: 'user', content: [{ type: 'text', text: 'And carry-over?' }] },
    ],
  } as ChatCompletionRequest;
  assert.equal(retrievalQuery(body, 0), 'And carry-over?');
  assert.equal(retrievalQuery(body, 1), 'Leave is 25 days.\nAnd carry-over?');
  assert.equal(retrievalQuery(body, 5), 'Tell me about leave.\nLeave is 25 days.\nAnd carry-over?');
  assert.equal(retrievalQuery({ model: 'm', prompt: 'complete me' } as CompletionRequest, 3), 'complete me');
});

test('chat: sources are merged into the existing system message, one line per source, rest of the body kept', () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'system', content: 'You are the HR bot.' },
      { role: 'user', content: 'q' },
    ],
    tools: [{ type: 'function', function: { name: 'f' } }],
    response_format: { type: 'json_object' },
    temperature: 0,
  } as unknown as ChatCompletionRequest;
  const out = composeBody('chat', body, 'en', sources) as ChatCompletionRequest & Record<string, unknown>;
  assert.equal(out.messages.length, 2);
  const system = out.messages[0].content as string;
  assert.ok(system.startsWith('You are the HR bot.\n\n'));
  assert.match(system, /\n\[1\] Leave › Carry-over: Up to five days carry over\.\n\[2\] Receipts within 30 days\.$/);
  assert.match(system, /\[n\]|\[1\] or \[2\]\[3\]/);
  assert.deepEqual(out.tools, body.tools);
  assert.deepEqual(out.response_format, { type: 'json_object' });
  assert.equal(body.messages[0].content as string, 'You are the HR bot.', 'the input body is not mutated');
});

test('chat without a system message gets one; zh template; no sources leaves the body as is', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: '年假？' }] } as ChatCompletionRequest;
  const out = composeBody('chat', body, 'zh', sources) as ChatCompletionRequest;
  assert.equal(out.messages[0].role, 'system');
  assert.match(out.messages[0].content as string, /^请根据下面编号的资料回答问题[\s\S]*资料：\n\[1\] /);
  assert.equal(composeBody('chat', body, 'en', []), body);
});

test('completions: the block is prepended to the prompt', () => {
  const out = composeBody(
    'completions',
    { model: 'm', prompt: 'Q: carry-over?\nA:' } as CompletionRequest,
    'en',
    sources,
  ) as CompletionRequest;
  assert.match(
    out.prompt as string,
    /^Answer using the numbered sources[\s\S]*\[2\] Receipts within 30 days\.\n\nQ: carry-over\?\nA:$/,
  );
});

test('budget: max_context_tokens, and the context window minus max_tokens and the prompt', () => {
  const body = {
    model: 'm',
    messages: [{ role: 'user', content: 'x'.repeat(300) }],
    max_tokens: 500,
  } as ChatCompletionRequest;
  const unbounded = passageBudget({ body, rag });
  assert.ok(unbounded < rag.max_context_tokens && unbounded > rag.max_context_tokens - 200);
  const tight = passageBudget({ body, rag, maxModelLen: 1024 });
  assert.ok(tight < 1024 - 500 - 100, `tight=${tight}`);
  assert.equal(passageBudget({ body, rag, maxModelLen: 600 }), 0);
});

test('fitSources keeps rank order and skips what does not fit', () => {
  const long = { title: null, section: null, text: 'y'.repeat(600) };
  const short = { title: null, section: null, text: 'short one' };
  const fitted = fitSources([short, long, short], estimateTokens('[1] short one') * 2 + 4);
  assert.deepEqual(fitted, [short, short]);
});
