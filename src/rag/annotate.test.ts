import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Citation } from '../openai/responses.ts';
import { annotate } from './annotate.ts';

const cite = (index: number): Citation => ({
  index,
  document_id: `doc${index}`,
  chunk_id: `c${index}`,
  title: `Doc ${index}`,
  url: `lorag://company/doc${index}#c${index}`,
  score: 0.5,
  text: 'passage',
});

test('annotations point at markers by code point, not UTF-16 unit', () => {
  const text = '😀 per policy [1], and 合同 [2].';
  const { annotations, unknownMarkers } = annotate(text, [cite(1), cite(2)]);
  assert.deepEqual(unknownMarkers, []);
  const points = [...text];
  for (const a of annotations) {
    assert.equal(
      points.slice(a.url_citation.start_index, a.url_citation.end_index).join(''),
      a.url_citation.url.includes('doc1') ? '[1]' : '[2]',
    );
  }
  assert.equal(annotations[0].url_citation.start_index, 13);
});

test('markers without a source are reported, not invented', () => {
  const { annotations, unknownMarkers } = annotate('see [3] and [1]', [cite(1)]);
  assert.equal(annotations.length, 1);
  assert.equal(annotations[0].url_citation.title, 'Doc 1');
  assert.deepEqual(unknownMarkers, [3]);
});
