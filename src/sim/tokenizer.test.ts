import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTokens, renderChat, tokenize } from './tokenizer.ts';

test('pieces concatenate back to the exact text, whitespace included', () => {
  for (const text of ['Hello,  world!\n', '  leading', 'a\tb\r\nc  ', 'é café — naïve', 'x=1@y', '']) {
    assert.equal(tokenize(text).join(''), text);
  }
});

test('words, single punctuation/symbols and single CJK characters are one token each', () => {
  assert.deepEqual(tokenize('adapter=legal@1 ok.'), ['adapter', '=', 'legal', '@', '1', ' ok', '.']);
  assert.deepEqual(tokenize('日本語 text'), ['日', '本', '語', ' text']);
  assert.equal(countTokens('한국어'), 3);
});

test('renderChat includes every role and content part, with a generation prompt by default', () => {
  const text = renderChat([
    { role: 'system', content: 'S' },
    { role: 'user', content: [{ type: 'text', text: 'A' }, { type: 'image_url' }, { type: 'text', text: 'B' }] },
  ]);
  assert.match(text, /system\nS/);
  assert.match(text, /user\nAB/);
  assert.ok(text.endsWith('assistant\n'));
  assert.ok(!renderChat([], false).includes('assistant'));
});
