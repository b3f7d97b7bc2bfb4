/** The Python `openai` SDK (create, stream → get_final_response, parse with pydantic, file_search) against a real gateway + sim. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answeredBy } from '../helpers/stack.ts';
import { runPythonClient } from './python-client.ts';
import { question, type ResponsesStack, startResponsesStack } from './responses-stack.ts';

let stack: ResponsesStack;
before(async () => {
  stack = await startResponsesStack();
});
after(() => stack?.close());

test('Python openai SDK: create, stream, parse (pydantic) and file_search', async () => {
  const r = await runPythonClient(stack.baseURL, stack.keys.legal, 'legal', ['--file-search', 'company', question]);
  assert.equal(r.create.status, 'completed');
  assert.equal(answeredBy(r.create.text), 'legal@1');
  assert.equal(r.stream.text, r.create.text);
  assert.equal(r.stream.events[0], 'response.created');
  assert.equal(r.stream.events.at(-1), 'response.completed', 'get_final_response needs response.completed');
  assert.deepEqual(r.parse.parsed, { department: 'legal', priority: 0 });
  assert.equal(r.retrieve, true);
  assert.equal(r.file_search?.results[0].file_id, 'zephyr.md');
  assert.ok(r.file_search?.annotations.some((a) => a.type === 'url_citation'));
  assert.ok(r.file_search?.annotations.some((a) => a.type === 'file_citation' && a.file_id === 'zephyr.md'));
  assert.deepEqual(r.file_search?.stream_annotation_events, [0, 1], 'annotation.added events, in order');
  assert.deepEqual(r.file_search?.stream_annotations, r.file_search?.annotations, 'stream and create agree');
});
