import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chunksToCompletion,
  completionOf,
  completionToChunks,
  entryFromChunks,
  entryFromCompletion,
  idOf,
  replayChunks,
} from './replay.ts';

const citation = {
  index: 1,
  document_id: 'd1',
  chunk_id: 'c1',
  title: 'Doc',
  url: 'lorag://kb/d1#c1',
  score: 0.9,
  text: 'Torts are…',
};
const annotation = {
  type: 'url_citation',
  url_citation: { start_index: 8, end_index: 11, title: 'Doc', url: 'lorag://kb/d1#c1' },
};
const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };
const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'legal@3' };

const chatChunks = [
  {
    ...head,
    citations: [citation],
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
  },
  { ...head, choices: [{ index: 0, delta: { content: 'A tort ' }, logprobs: null, finish_reason: null }] },
  { ...head, choices: [{ index: 0, delta: { content: 'is [1].' }, logprobs: null, finish_reason: null }] },
  { ...head, choices: [{ index: 0, delta: { annotations: [annotation] }, logprobs: null, finish_reason: 'stop' }] },
  { ...head, choices: [], usage },
].map((c) => JSON.stringify(c));

test('chat: a stream assembles into the JSON answer with citations, annotations and usage', () => {
  const c = chunksToCompletion(chatChunks);
  assert.deepEqual(c, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'legal@3',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'A tort is [1].', annotations: [annotation] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage,
    citations: [citation],
  });
});

test('chat: a JSON answer splits into a content chunk (citations), a finish chunk (annotations), a usage chunk', () => {
  const chunks = completionToChunks(chunksToCompletion(chatChunks)).map((c) => JSON.parse(c));
  assert.equal(chunks.length, 3);
  assert.deepEqual(chunks[0].citations, [citation]);
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'A tort is [1].' });
  assert.equal(chunks[0].object, 'chat.completion.chunk');
  assert.equal(chunks[1].citations, undefined);
  assert.deepEqual(chunks[1].choices[0], {
    index: 0,
    delta: { annotations: [annotation] },
    logprobs: null,
    finish_reason: 'stop',
  });
  assert.deepEqual(chunks[2], { ...head, choices: [], usage });
  // And back: the round trip gives the same answer.
  assert.deepEqual(
    chunksToCompletion(completionToChunks(chunksToCompletion(chatChunks))),
    chunksToCompletion(chatChunks),
  );
});

test('chat: tool calls stream in pieces and assemble by index', () => {
  const chunks = [
    {
      ...head,
      choices: [
        {
          index: 0,
          delta: {
            role: 'assistant',
            tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get', arguments: '' } }],
          },
          finish_reason: null,
        },
      ],
    },
    {
      ...head,
      choices: [
        { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }, finish_reason: null },
      ],
    },
    {
      ...head,
      choices: [
        { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, finish_reason: 'tool_calls' },
      ],
    },
  ].map((c) => JSON.stringify(c));
  const c = chunksToCompletion(chunks) as { choices: { message: { content: unknown; tool_calls: unknown } }[] };
  assert.equal(c.choices[0].message.content, null);
  assert.deepEqual(c.choices[0].message.tool_calls, [
    { id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } },
  ]);
  const back = JSON.parse(completionToChunks(c as Record<string, unknown>)[0]);
  assert.deepEqual(back.choices[0].delta.tool_calls, [
    { index: 0, id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } },
  ]);
});

test('completions: text chunks assemble, and a JSON answer splits into text + final chunk', () => {
  const h = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'base' };
  const chunks = [
    { ...h, choices: [{ index: 0, text: 'Hello', logprobs: null, finish_reason: null }] },
    { ...h, choices: [{ index: 0, text: ' world', logprobs: null, finish_reason: 'length' }] },
    { ...h, choices: [], usage },
  ].map((c) => JSON.stringify(c));
  const c = chunksToCompletion(chunks);
  assert.deepEqual(c, {
    ...h,
    choices: [{ index: 0, text: 'Hello world', logprobs: null, finish_reason: 'length' }],
    usage,
  });
  const split = completionToChunks(c).map((x) => JSON.parse(x));
  assert.deepEqual(split, [
    { ...h, choices: [{ index: 0, text: 'Hello world', logprobs: null, finish_reason: null }] },
    { ...h, choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'length' }] },
    { ...h, choices: [], usage },
  ]);
});

test('n > 1: each choice assembles separately', () => {
  const chunks = [
    { ...head, choices: [{ index: 1, delta: { role: 'assistant', content: 'b' }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'a' }, finish_reason: 'stop' }] },
    { ...head, choices: [{ index: 1, delta: {}, finish_reason: 'stop' }] },
  ].map((c) => JSON.stringify(c));
  const c = chunksToCompletion(chunks) as { choices: { index: number; message: { content: string } }[] };
  assert.deepEqual(
    c.choices.map((x) => [x.index, x.message.content]),
    [
      [0, 'a'],
      [1, 'b'],
    ],
  );
});

test('replayChunks: a recorded stream replays with the same boundaries; usage only when asked for', () => {
  const entry = entryFromChunks('chat', chatChunks);
  assert.deepEqual(entry.usage, usage);
  assert.deepEqual(entry.citations, [citation]);
  assert.deepEqual(replayChunks(entry, { includeUsage: true }), chatChunks);
  assert.deepEqual(replayChunks(entry, { includeUsage: false }), chatChunks.slice(0, 4));
  // Recorded without a usage chunk (the first client did not ask): usage is added from the stored usage.
  const bare = { ...entry, chunks: chatChunks.slice(0, 4) };
  const withUsage = replayChunks(bare, { includeUsage: true });
  assert.equal(withUsage.length, 5);
  assert.deepEqual(JSON.parse(withUsage[4]).usage, usage);
});

test('replayChunks: a stored non-stream answer replays as one content chunk plus the final chunk', () => {
  const entry = entryFromCompletion('chat', chunksToCompletion(chatChunks));
  assert.equal(entry.chunks, null);
  const chunks = replayChunks(entry, { includeUsage: false }).map((c) => JSON.parse(c));
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0].choices[0].delta.content, 'A tort is [1].');
  assert.equal(chunks[1].choices[0].finish_reason, 'stop');
});

test('a non-stream answer stored as its text: replayed byte for byte, parsed only on demand, id kept', () => {
  const completion = chunksToCompletion(chatChunks);
  const text = JSON.stringify(completion);
  const entry = entryFromCompletion('chat', completion, text);
  assert.equal(entry.completion, null);
  assert.equal(entry.body, text);
  const stored = JSON.parse(JSON.stringify(entry));
  assert.equal(stored.body, text);
  assert.deepEqual(completionOf(stored), completion);
  assert.equal(idOf(stored), completion.id);
  assert.deepEqual(
    replayChunks(stored, { includeUsage: false }),
    replayChunks(entryFromCompletion('chat', completion), { includeUsage: false }),
  );
  // An entry stored before `id` existed still answers with its id.
  assert.equal(idOf({ ...entryFromCompletion('chat', completion), id: undefined }), completion.id);
  assert.equal(
    idOf(entryFromChunks('chat', chatChunks, { usage: null, citations: [], id: 'chatcmpl-x' })),
    'chatcmpl-x',
  );
});
