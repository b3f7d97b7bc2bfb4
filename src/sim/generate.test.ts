import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildReply, canonicalJson, firstSource, parseSimReply, simDigest, systemText } from './generate.ts';

const base = {
  model: 'm',
  digest: 'abcd1234',
  context: '',
  naturalTokens: 12,
  maxTokens: 100,
  minTokens: 0,
  ignoreEos: false,
  stop: [],
};

test('canonical JSON sorts keys at every depth and the digest is its sha256 prefix', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 'x' }] }), '{"a":[{"c":"x","d":2}],"b":1}');
  const expected = createHash('sha256').update('[{"content":"hi","role":"user"}]').digest('hex').slice(0, 8);
  assert.equal(simDigest([{ role: 'user', content: 'hi' }]), expected);
});

test('natural reply: header, filler to naturalTokens, a full stop, finish stop', () => {
  const r = buildReply(base);
  assert.equal(r.pieces.length, 12);
  assert.equal(r.pieces.join(''), 'adapter=m digest=abcd1234 lorem ipsum dolor sit amet.');
  assert.equal(r.finishReason, 'stop');
});

test('max_tokens truncates (length); ignore_eos and min_tokens extend with filler', () => {
  assert.deepEqual(buildReply({ ...base, maxTokens: 3 }), {
    pieces: ['adapter', '=', 'm'],
    finishReason: 'length',
    stopReason: null,
  });
  const eos = buildReply({ ...base, ignoreEos: true, maxTokens: 50 });
  assert.equal(eos.pieces.length, 50);
  assert.equal(eos.finishReason, 'length');
  assert.equal(buildReply({ ...base, minTokens: 20 }).pieces.length, 20);
});

test('source [1] from the system text is cited with its first 8 words', () => {
  const context = systemText([
    { role: 'system', content: 'Use these.\n[1] One two three four five six seven eight nine ten\n[2] other' },
    { role: 'user', content: '[1] not a source' },
  ]);
  assert.equal(firstSource(context), 'One two three four five six seven eight nine ten');
  const text = buildReply({ ...base, context, naturalTokens: 40 }).pieces.join('');
  assert.ok(text.startsWith('adapter=m digest=abcd1234 According to [1]: "One two three four five six seven eight".'));
  assert.deepEqual(parseSimReply(text), {
    model: 'm',
    digest: 'abcd1234',
    quote: 'One two three four five six seven eight',
  });
  assert.equal(firstSource('no sources here'), null);
});

test('stop strings cut before the earliest match', () => {
  const r = buildReply({ ...base, stop: ['ipsum', 'digest'] });
  assert.equal(r.pieces.join(''), 'adapter=m ');
  assert.equal(r.stopReason, 'digest');
  assert.equal(r.finishReason, 'stop');
});
