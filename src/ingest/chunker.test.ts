import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateTokens } from '../openai/token-estimate.ts';
import { chunkText, splitLong } from './chunker.ts';

const opts = { maxTokens: 60, overlapTokens: 15 };

test('headings start chunks and give each chunk its section path', () => {
  const text =
    '# Handbook\n\nIntro paragraph.\n\n## Leave\n\nAnnual leave is 25 days.\n\n### Carry-over\n\nFive days carry over.\n\n## Expenses\n\nReceipts within 30 days.';
  const chunks = chunkText(text, opts);
  assert.deepEqual(
    chunks.map((c) => c.section),
    ['Handbook', 'Handbook › Leave', 'Handbook › Leave › Carry-over', 'Handbook › Expenses'],
  );
  assert.ok(chunks[1].text.startsWith('## Leave'));
  assert.match(chunks[3].text, /Receipts within 30 days/);
});

test('paragraphs are packed under the budget, with overlap carried into the next chunk', () => {
  const paragraphs = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} talks about topic ${i}.`);
  const chunks = chunkText(paragraphs.join('\n\n'), opts);
  assert.ok(chunks.length > 1);
  for (const c of chunks) assert.ok(estimateTokens(c.text) <= opts.maxTokens, `over budget: ${estimateTokens(c.text)}`);
  // Every paragraph is somewhere, and consecutive chunks share the overlap.
  for (const p of paragraphs)
    assert.ok(
      chunks.some((c) => c.text.includes(p)),
      p,
    );
  const lastOfFirst = chunks[0].text.split('\n\n').at(-1)!;
  assert.ok(chunks[1].text.startsWith(lastOfFirst), 'the second chunk starts with the overlap');
});

test('a paragraph over budget is split at sentence ends, Chinese included', () => {
  const zh = '员工每年享有十五天带薪年假。年假需提前两周申请。未休年假可结转五天。病假需提供医院证明。'.repeat(3);
  const parts = splitLong(zh, 40);
  assert.ok(parts.length > 1);
  for (const p of parts) assert.ok(estimateTokens(p) <= 40);
  assert.ok(
    parts.every((p) => p.endsWith('。')),
    parts.join(' | '),
  );
  const chunks = chunkText(zh, { maxTokens: 40, overlapTokens: 0 });
  assert.equal(chunks.map((c) => c.text).join(''), parts.join(''));
});

test('a single unbreakable run is hard-split; empty input gives no chunks', () => {
  const chunks = chunkText('x'.repeat(1000), { maxTokens: 50, overlapTokens: 10 });
  assert.ok(chunks.length >= 7);
  for (const c of chunks) assert.ok(estimateTokens(c.text) <= 50);
  assert.deepEqual(chunkText('  \n\n ', opts), []);
  assert.deepEqual(chunkText('# Only a heading', opts), []);
});

test('chunking is deterministic (stable ids depend on it)', () => {
  const text = '## A\n\nalpha beta.\n\n## B\n\ngamma delta.';
  assert.deepEqual(chunkText(text, opts), chunkText(text, opts));
});
