import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResponsesRequest } from '../../openai/responses-request.ts';
import { responsesPresenter } from './responses-presenter.ts';

const ctx = () => ({
  id: 'resp_1',
  createdAt: 1,
  request: parseResponsesRequest({ model: 'legal', input: 'q' }),
  fileSearch: null,
  query: 'q',
});
const chunk = (delta: object, finish: string | null = null) =>
  JSON.stringify({
    id: 'c',
    object: 'chat.completion.chunk',
    model: 'legal@1',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

test('a finished stream hands its final Response to onDone; a broken one hands nothing', () => {
  for (const complete of [true, false]) {
    const done: unknown[] = [];
    const s = responsesPresenter(ctx(), (r) => done.push(r)).stream();
    let out = s.start() + s.event(chunk({ role: 'assistant', content: '' })) + s.event(chunk({ content: 'hi' }));
    if (complete) out += s.event(chunk({}, 'stop'));
    out += s.end({ complete, error: complete ? null : 'replica went away', upstreamDone: false });
    assert.equal(done.length, complete ? 1 : 0);
    assert.match(out, complete ? /event: response.completed/ : /event: response.failed/);
    if (!complete) assert.match(out, /replica went away/);
  }
});

test('JSON: the Response object, handed to onDone', () => {
  const done: Record<string, unknown>[] = [];
  const body = responsesPresenter(ctx(), (r) => done.push(r)).json({
    model: 'legal@1',
    choices: [{ finish_reason: 'stop', message: { content: 'hi' } }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
  assert.equal(JSON.parse(body).id, 'resp_1');
  assert.equal(done[0].id, 'resp_1');
});
