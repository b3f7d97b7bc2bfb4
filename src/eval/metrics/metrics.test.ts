/**
 * Metrics pinned against published reference values: the sacreBLEU README's corpus example, the rouge-score
 * README's example, SQuAD's official normalisation, NumPy's percentile docs; and hand-derived values where
 * the tool's algorithm is spelled out (NLTK method3 on characters, CMRC-style per-character F1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerTokens, normalizeAnswer } from '../../embeddings/answer-normalize.ts';
import { bleuFromStats, bleuStats, charBleu, corpusBleu, sentenceBleu, sumStats, tokenize13a } from './bleu.ts';
import { isRefusal } from './refusal.ts';
import { answerInContext, citationPrecisionRecall, recallAtK, reciprocalRank } from './retrieval.ts';
import { rougeL } from './rouge-l.ts';
import { exactMatch, tokenF1 } from './squad.ts';
import { mean, pairedBootstrap, percentile } from './stats.ts';

const close = (actual: number, expected: number, digits = 2) =>
  assert.equal(actual.toFixed(digits), expected.toFixed(digits), `${actual} ≈ ${expected}`);

test('SQuAD normalisation: lower case, punctuation deleted (not split), articles dropped', () => {
  assert.equal(normalizeAnswer('The  Denver Broncos!'), 'denver broncos');
  assert.equal(normalizeAnswer("Don't stop, a-team"), 'dont stop ateam');
  assert.equal(exactMatch('the Denver Broncos', ['Denver Broncos', 'Broncos']), 1);
  assert.equal(exactMatch('Denver', 'Denver Broncos'), 0);
  // precision 1/2, recall 1/2
  close(tokenF1('Broncos won', 'Denver Broncos'), 0.5, 4);
  // best over references: 'Broncos' → P 1/2 R 1
  close(tokenF1('Broncos won', ['Denver Broncos', 'Broncos']), 2 / 3, 4);
  assert.equal(tokenF1('', ''), 1);
  assert.equal(tokenF1('something', ''), 0);
});

test('Chinese and Japanese are scored per character, not as one space-less word', () => {
  assert.deepEqual(answerTokens('年假是15天。'), ['年', '假', '是', '15', '天']);
  assert.deepEqual(answerTokens('有給休暇は10日'), ['有', '給', '休', '暇', 'は', '10', '日']);
  // 年 假 十 天 shared of 5 each: P = R = 4/5
  close(tokenF1('年假有十天', '年假是十天'), 0.8, 4);
  assert.equal(exactMatch('年假是十天。', '年假是十天'), 1);
});

test('ROUGE-L F: the rouge-score README example (0.5882)', () => {
  close(rougeL('The quick brown dog jumps on the log.', 'The quick brown fox jumps over the lazy dog'), 0.5882, 4);
  assert.equal(rougeL('', 'x'), 0);
  close(rougeL('年假有十天', '年假是十天'), 0.8, 4);
});

test('BLEU: the sacreBLEU README corpus example (48.53, 82.4/50.0/45.5/37.5, BP 0.943)', () => {
  const refs = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];
  const sys = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  close(corpusBleu(sys, refs), 48.53);
  const stats = sumStats(
    sys.map((h, i) => bleuStats(tokenize13a(h), [tokenize13a(refs[0][i]), tokenize13a(refs[1][i])])),
  );
  assert.equal(stats.sysLen, 17);
  assert.equal(stats.refLen, 18);
  const { precisions, bp } = bleuFromStats(stats);
  assert.deepEqual(
    precisions.map((p) => p.toFixed(1)),
    ['82.4', '50.0', '45.5', '37.5'],
  );
  close(bp, 0.943, 3);
  // the Hugging Face sacrebleu metric card: identical text scores 100
  close(
    corpusBleu(
      ['hello there general kenobi', 'foo bar foobar'],
      [
        ['hello there general kenobi', 'foo bar foobar'],
        ['hello there !', 'foo bar foobar'],
      ],
    ),
    100,
  );
});

test('13a tokenizer: punctuation split, decimal numbers and apostrophes kept', () => {
  assert.deepEqual(tokenize13a("It wasn't 3.5 km, (approx)."), [
    'It',
    "wasn't",
    '3.5',
    'km',
    ',',
    '(',
    'approx',
    ')',
    '.',
  ]);
  assert.deepEqual(tokenize13a('1990-2000 &amp; more'), ['1990', '-', '2000', '&', 'more']);
});

test('sentence BLEU uses the effective order; no match is only smoothed', () => {
  close(sentenceBleu('The dog bit the man.', ['The dog bit the man.']), 100);
  // one unmatched token: exp smoothing gives 100/2 at effective order 1, times BP = exp(1 − 6/1)
  close(sentenceBleu('xyz', ['The dog bit the man.']), 50 * Math.exp(-5), 6);
});

test('Chinese BLEU-4 per character as LLaMA-Factory (NLTK method3): 年假有十天 vs 年假是十天 = 30.21', () => {
  // p1 = 4/5, p2 = 2/4, p3 = 0/3 → 1/(2·3), p4 = 0/2 → 1/(4·2); BP = 1; (0.8·0.5·1/6·1/8)^¼
  close(charBleu('年假有十天', ['年假是十天']), 30.2138, 4);
  close(charBleu('年假是十天', ['年假是十天']), 100, 4);
  assert.equal(charBleu('完全不同', ['年假是十天']), 0);
  // shorter hypothesis: BP = exp(1 − 5/4)
  close(charBleu('年假是十', ['年假是十天']), 100 * Math.exp(1 - 5 / 4), 4);
});

test('citations, recall@k, MRR and answer-in-context', () => {
  assert.deepEqual(citationPrecisionRecall(['a', 'b'], ['a', 'c']), { precision: 0.5, recall: 0.5 });
  assert.deepEqual(citationPrecisionRecall([], ['a']), { precision: null, recall: 0 });
  assert.deepEqual(citationPrecisionRecall(['a'], []), { precision: null, recall: null });
  assert.equal(recallAtK(['x', 'a', 'x', 'b'], ['a', 'b'], 2), 0.5);
  assert.equal(recallAtK(['x', 'a', 'x', 'b'], ['a', 'b'], 3), 1);
  assert.equal(reciprocalRank(['x', 'x', 'y', 'a'], ['a']), 1 / 3);
  assert.equal(reciprocalRank(['x'], ['a']), 0);
  assert.equal(answerInContext(['The notice period is 30 days.'], '30 days'), 1);
  assert.equal(answerInContext(['Nothing here.'], ['30 days', 'a month']), 0);
  assert.equal(answerInContext(['x'], ''), null);
});

test('refusals in English and Chinese', () => {
  assert.equal(isRefusal("I don't know the answer to that."), true);
  assert.equal(isRefusal('This is not mentioned in the provided sources.'), true);
  assert.equal(isRefusal('资料中没有相关信息，无法回答。'), true);
  assert.equal(isRefusal('The notice period is 30 days [1].'), false);
});

test('percentiles follow numpy.percentile (linear): [1..10] p50 = 5.5, p95 = 9.55', () => {
  const xs = [3, 1, 2, 10, 4, 5, 6, 7, 8, 9];
  close(percentile(xs, 50), 5.5, 4);
  close(percentile(xs, 95), 9.55, 4);
  close(percentile([7], 95), 7, 4);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('paired bootstrap: no difference on identical systems, a measurable one on a clear gap, reproducible', () => {
  const a = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const same = pairedBootstrap(a, a, mean);
  assert.deepEqual([same.delta, same.low, same.high, same.measurable], [0, 0, 0, false]);
  const better = a.map((x, i) => (i % 2 === 0 ? 1 : x));
  const cmp = pairedBootstrap(better, a, mean);
  assert.equal(cmp.measurable, true);
  assert.ok(cmp.low > 0 && cmp.low <= cmp.delta && cmp.delta <= cmp.high);
  assert.deepEqual(pairedBootstrap(better, a, mean), cmp);
  // a one-case win among 40 noisy cases stays inside the interval
  const noisy = Array.from({ length: 40 }, (_, i) => (i * 7919) % 2);
  const oneMore = noisy.map((x, i) => (i === 0 ? 1 : x));
  assert.equal(noisy[0], 0);
  assert.equal(pairedBootstrap(oneMore, noisy, mean).measurable, false);
  assert.throws(() => pairedBootstrap([1], [1, 2], mean), /same cases/);
});
