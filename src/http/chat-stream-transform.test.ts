import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Citation } from '../openai/responses.ts';
import { chatStreamTransform } from './chat-stream-transform.ts';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] });
const usage = JSON.stringify({
  id: 'c',
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
const citation: Citation = {
  index: 1,
  document_id: 'd1',
  chunk_id: 'k1',
  title: 'T',
  url: 'lorag://c/d1#k1',
  score: 1,
  text: 'fact',
};

test('unchanged chunks pass as the same text; the usage chunk is read and dropped unless asked for', () => {
  const t = chatStreamTransform({
    chat: true,
    clientWantsUsage: false,
    citations: [],
    record: true,
    collectText: false,
  });
  const first = chunk({ role: 'assistant', content: 'Hi' });
  assert.equal(t.push(first), first);
  const second = chunk({ content: ' there' }, 'stop');
  assert.equal(t.push(second), second);
  assert.equal(t.push(usage), null);
  assert.equal(t.push('[DONE]'), null);
  assert.deepEqual(t.state.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  assert.equal(t.state.done, true);
  assert.deepEqual(t.state.chunks, [first, second, usage], 'recorded, usage chunk included');
  const wants = chatStreamTransform({
    chat: true,
    clientWantsUsage: true,
    citations: [],
    record: false,
    collectText: false,
  });
  assert.equal(wants.push(usage), usage);
});

test('citations ride on the first chunk and annotations on the finish chunk, for the markers written', () => {
  const t = chatStreamTransform({
    chat: true,
    clientWantsUsage: false,
    citations: [citation],
    record: false,
    collectText: false,
  });
  const first = JSON.parse(t.push(chunk({ role: 'assistant', content: 'It is so [1]' }))!);
  assert.deepEqual(first.citations, [citation]);
  const last = JSON.parse(t.push(chunk({ content: ' and [7].' }, 'stop'))!);
  assert.equal(last.choices[0].delta.annotations.length, 1);
  assert.equal(last.choices[0].delta.annotations[0].type, 'url_citation');
  assert.deepEqual(last.lorag.unknown_citation_markers, [7]);
  assert.equal(t.state.texts[0], 'It is so [1] and [7].');
});

test('an error event is passed on and remembered; the stream is not complete', () => {
  const t = chatStreamTransform({
    chat: true,
    clientWantsUsage: false,
    citations: [],
    record: false,
    collectText: false,
  });
  const error = JSON.stringify({ error: { message: 'engine died', type: 'InternalServerError' } });
  assert.equal(t.push(error), error);
  assert.equal(t.state.error, 'engine died');
});
