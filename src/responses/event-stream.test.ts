/**
 * The Responses event stream and object, checked by the official Node SDK itself: a client whose `fetch` answers
 * with our SSE text runs `responses.stream()` (its accumulator throws on any event out of order) to
 * `finalResponse()`, and `responses.create` / `responses.parse` read our JSON.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { Citation } from '../openai/responses.ts';
import { parseResponsesRequest } from '../openai/responses-request.ts';
import { responseEventStream } from './event-stream.ts';
import { type ResponseContext, responseFromChat } from './from-chat.ts';

const citations: Citation[] = [
  {
    index: 1,
    document_id: 'doc-a',
    chunk_id: 'a#0',
    title: 'Handbook',
    url: 'https://x/a',
    score: 0.9,
    text: 'A text',
  },
  { index: 2, document_id: 'doc-b', chunk_id: 'b#0', title: null, url: 'lorag://c/doc-b#b#0', score: 1.7, text: 'B' },
];
const text = 'Thirty days [1], see also [2] and [1].';
const chatAnnotations = [...text.matchAll(/\[\d\]/g)]
  .map((m) => [m.index, m.index + 3])
  .map(([s, e], i) => ({
    type: 'url_citation',
    url_citation: {
      start_index: s,
      end_index: e,
      title: i === 1 ? 'doc-b' : 'Handbook',
      url: citations[i === 1 ? 1 : 0].url,
    },
  }));

function ctxFor(body: Record<string, unknown>): ResponseContext {
  const request = parseResponsesRequest({ model: 'legal', input: 'q?', ...body });
  const fileSearch = request.tools?.find((t) => t.type === 'file_search') ?? null;
  return { id: 'resp_1', createdAt: 1, request, fileSearch: fileSearch as ResponseContext['fileSearch'], query: 'q?' };
}

function chunks(pieces: string[], extra: { tools?: unknown[]; finish?: string } = {}): string[] {
  const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'legal@1' };
  const out = [{ ...head, citations, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }];
  for (const p of pieces) out.push({ ...head, choices: [{ index: 0, delta: { content: p } }] } as never);
  for (const t of extra.tools ?? [])
    out.push({ ...head, choices: [{ index: 0, delta: { tool_calls: [t] } }] } as never);
  out.push({
    ...head,
    choices: [{ index: 0, delta: { annotations: chatAnnotations }, finish_reason: extra.finish ?? 'stop' }],
  } as never);
  out.push({ ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } } as never);
  return out.map((c) => JSON.stringify(c));
}

function sdkOver(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'k',
    baseURL: 'http://lorag.test/v1',
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': contentType } }),
  });
}

function runStream(ctx: ResponseContext, payloads: string[], error: string | null = null) {
  const s = responseEventStream(ctx);
  let sse = s.start();
  for (const p of payloads) sse += s.chunk(p);
  sse += s.end(error);
  return { sse, final: s.final() };
}

test('stream: the SDK helper reaches finalResponse with the text, annotations and file_search_call', async () => {
  const ctx = ctxFor({
    tools: [{ type: 'file_search', vector_store_ids: ['company'] }],
    include: ['file_search_call.results'],
  });
  const { sse, final } = runStream(ctx, chunks(['Thirty days [1], ', 'see also [2] and [1].']));
  const stream = sdkOver(sse, 'text/event-stream').responses.stream({ model: 'legal', input: 'q?' });
  const types: string[] = [];
  const seqs: number[] = [];
  stream.on('event', (e) => {
    types.push(e.type);
    seqs.push(e.sequence_number);
  });
  const r = await stream.finalResponse();
  assert.equal(r.output_text, text);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i),
    'sequence_number 0, 1, 2 …',
  );
  assert.deepEqual(types.slice(0, 2), ['response.created', 'response.in_progress']);
  assert.equal(types.at(-1), 'response.completed');
  assert.equal(types.filter((t) => t === 'response.output_text.annotation.added').length, 5);
  const fs = r.output[0];
  assert.equal(fs.type, 'file_search_call');
  if (fs.type !== 'file_search_call') return;
  assert.deepEqual(fs.queries, ['q?']);
  assert.equal(fs.results?.[0].file_id, 'doc-a');
  assert.equal(fs.results?.[1].score, 1, 'scores are clamped to 0..1');
  const msg = r.output[1];
  assert.ok(msg.type === 'message' && msg.content[0].type === 'output_text');
  if (msg.type !== 'message' || msg.content[0].type !== 'output_text') return;
  const anns = msg.content[0].annotations;
  assert.deepEqual(anns[0], {
    type: 'url_citation',
    start_index: 12,
    end_index: 15,
    url: 'https://x/a',
    title: 'Handbook',
  });
  assert.deepEqual(
    anns.filter((a) => a.type === 'file_citation'),
    [
      { type: 'file_citation', file_id: 'doc-a', filename: 'Handbook', index: 15 },
      { type: 'file_citation', file_id: 'doc-b', filename: 'doc-b', index: 29 },
    ],
  );
  assert.deepEqual(r.usage, {
    input_tokens: 5,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 7,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 12,
  });
  // The SDK adds `parsed: null` to each output_text (its parse helper); otherwise the objects agree.
  const unparsed = JSON.parse(JSON.stringify(r.output, (k, v) => (k === 'parsed' ? undefined : v)));
  assert.deepEqual(unparsed, final?.output, 'the helper and our final object agree');
});

test('stream and non-stream describe the same Response (ids aside)', () => {
  const ctx = ctxFor({ tools: [{ type: 'file_search', vector_store_ids: ['company'] }] });
  const { final } = runStream(ctx, chunks([text]));
  const json = responseFromChat(ctx, {
    model: 'legal@1',
    citations,
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: text, annotations: chatAnnotations } }],
  });
  const strip = (o: unknown) => JSON.parse(JSON.stringify(o).replace(/"(fs|msg|fc)_[0-9a-f]{32}"/g, '"ID"'));
  assert.deepEqual(strip(final), strip(json));
  assert.equal(json.output[0].results, null, 'no results without include');
});

test('function calls: argument deltas, done events, the SDK assembles arguments; length → incomplete', async () => {
  const ctx = ctxFor({ tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] });
  const tools = [
    { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } },
    { index: 0, function: { arguments: 'ty":"Paris"}' } },
  ];
  const { sse } = runStream(ctx, chunks([], { tools, finish: 'tool_calls' }));
  const r = await sdkOver(sse, 'text/event-stream').responses.stream({ model: 'legal', input: 'q?' }).finalResponse();
  const call = r.output.find((o) => o.type === 'function_call');
  assert.ok(call && call.type === 'function_call');
  assert.equal(call.arguments, '{"city":"Paris"}');
  assert.equal(call.call_id, 'call_1');
  assert.equal(r.output.length, 1, 'no empty message next to a tool call');
  assert.match(sse, /event: response.function_call_arguments.done/);

  const cut = runStream(ctxFor({}), chunks(['abc'], { finish: 'length' }));
  assert.equal(cut.final?.status, 'incomplete');
  assert.deepEqual(cut.final?.incomplete_details, { reason: 'max_output_tokens' });
  assert.match(cut.sse, /event: response.incomplete\n/);
});

test('a stream that breaks off ends with response.failed', () => {
  const { sse, final } = runStream(ctxFor({}), chunks(['abc']).slice(0, 2), 'upstream closed');
  assert.equal(final?.status, 'failed');
  assert.match(sse, /event: response.failed\n/);
  assert.doesNotMatch(sse, /response.completed/);
});

test('responses.parse with zod reads the JSON object the non-stream path builds', async () => {
  const Out = z.object({ answer: z.string() });
  const ctx = ctxFor({ text: { format: zodTextFormat(Out, 'out') } });
  const json = responseFromChat(ctx, {
    model: 'legal@1',
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    choices: [{ finish_reason: 'stop', message: { content: '{"answer":"yes"}', annotations: null } }],
  });
  const client = sdkOver(JSON.stringify(json), 'application/json');
  const parsed = await client.responses.parse({
    model: 'legal',
    input: 'q?',
    text: { format: zodTextFormat(Out, 'out') },
  });
  assert.deepEqual(parsed.output_parsed, { answer: 'yes' });
  assert.equal(parsed.status, 'completed');
});
