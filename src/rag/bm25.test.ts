import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur3, tokenId } from '../embeddings/murmur3.ts';
import { tokenize } from '../embeddings/tokenize.ts';
import { defaultBm25, encodeDocument, encodeQuery } from './bm25.ts';

test('murmur3 x86_32 matches the reference vectors (seed 0)', () => {
  assert.equal(murmur3(''), 0);
  assert.equal(murmur3('hello'), 0x248bfa47);
  assert.equal(murmur3('The quick brown fox jumps over the lazy dog'), 0x2e4ff723);
  // mmh3.hash("foo") == -156908512 (signed), so the token id is its absolute value.
  assert.equal(tokenId('foo'), 156908512);
});

test('English: lower-cased, stop words dropped, punctuation ignored', () => {
  assert.deepEqual(tokenize('The Annual Leave policy, in 2024!'), ['annual', 'leave', 'policy', '2024']);
});

test('Chinese: dictionary word segmentation, stop words dropped', () => {
  const tokens = tokenize('员工的年假有多少天？');
  assert.ok(tokens.includes('年假'), `tokens: ${tokens.join('|')}`);
  assert.ok(!tokens.includes('的'));
  assert.ok(!tokens.includes('？'));
});

test('document vector: BM25 term frequency with Qdrant defaults, sorted unique indices', () => {
  const v = encodeDocument('leave leave policy');
  assert.equal(v.indices.length, 2);
  assert.deepEqual(
    [...v.indices].sort((a, b) => a - b),
    v.indices,
  );
  const { k1, b, avgLen } = defaultBm25;
  const norm = k1 * (1 - b + (b * 3) / avgLen);
  const at = (token: string) => v.values[v.indices.indexOf(tokenId(token))];
  assert.ok(Math.abs(at('leave') - (2 * (k1 + 1)) / (2 + norm)) < 1e-12);
  assert.ok(Math.abs(at('policy') - (1 * (k1 + 1)) / (1 + norm)) < 1e-12);
});

test('query vector: 1 per unique token; a Chinese query shares indices with a Chinese document', () => {
  const q = encodeQuery('年假 年假 天数');
  assert.ok(q.values.every((x) => x === 1));
  assert.equal(new Set(q.indices).size, q.indices.length);
  const d = encodeDocument('公司规定：员工每年享有十五天年假。');
  assert.ok(q.indices.some((i) => d.indices.includes(i)));
  assert.deepEqual(encodeQuery(''), { indices: [], values: [] });
});
