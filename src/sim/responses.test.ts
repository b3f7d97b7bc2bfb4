import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentChunkTemplate, tokenChunk } from './responses.ts';

test('the fast content-chunk template is byte-identical to the serialised chunk object', () => {
  for (const kind of ['chat', 'completion'] as const) {
    const job = { kind, id: 'abc', model: 'legal@"1"', promptTokens: 3, choices: [], legacy: false };
    const head = { id: 'abc', created: 1700000000, model: job.model };
    const fast = contentChunkTemplate(job, head);
    for (const piece of [' word', '"quoted"\n', '你']) {
      const obj = tokenChunk(job, head, 2, kind === 'chat' ? { content: piece } : piece, null);
      assert.equal(fast(2, piece), `data: ${JSON.stringify(obj)}\n\n`);
    }
  }
});
