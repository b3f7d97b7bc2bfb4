/**
 * @module eval/metrics/bleu — BLEU-4 two ways:
 * - sacreBLEU-compatible (English): the `13a` tokenizer, n-gram counts clipped by the most generous
 *   reference, closest reference length (shorter on ties), `exp` smoothing; corpus BLEU from summed
 *   statistics (so the bootstrap can resample cases), sentence BLEU with effective order as sacreBLEU does.
 * - character level (Chinese), as LLaMA-Factory scores it: NLTK's sentence_bleu over the characters of the
 *   raw strings with SmoothingFunction().method3.
 * Scores are 0..100 like both tools print them.
 */

/** sacreBLEU's 13a tokenizer (mteval-v13a.pl). */
export function tokenize13a(text: string): string[] {
  let line = text.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (line.includes('&'))
    line = line.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  line = ` ${line} `
    .replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ')
    .replace(/([^0-9])([.,])/g, '$1 $2 ')
    .replace(/([.,])([^0-9])/g, ' $1 $2')
    .replace(/([0-9])(-)/g, '$1 $2 ');
  return line.split(/\s+/).filter(Boolean);
}

/** Sufficient statistics of one segment: matches and totals per order 1..4, hypothesis and reference length. */
export interface BleuStats {
  correct: number[];
  total: number[];
  sysLen: number;
  refLen: number;
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const g = tokens.slice(i, i + n).join(' ');
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

export function bleuStats(hypothesis: string[], references: string[][]): BleuStats {
  const correct: number[] = [];
  const total: number[] = [];
  for (let n = 1; n <= 4; n++) {
    const hyp = ngramCounts(hypothesis, n);
    const maxRef = new Map<string, number>();
    for (const ref of references)
      for (const [g, c] of ngramCounts(ref, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, c));
    let match = 0;
    for (const [g, c] of hyp) match += Math.min(c, maxRef.get(g) ?? 0);
    correct.push(match);
    total.push(Math.max(0, hypothesis.length - n + 1));
  }
  let refLen = references[0]?.length ?? 0;
  for (const ref of references) {
    const d = Math.abs(ref.length - hypothesis.length);
    const best = Math.abs(refLen - hypothesis.length);
    if (d < best || (d === best && ref.length < refLen)) refLen = ref.length;
  }
  return { correct, total, sysLen: hypothesis.length, refLen };
}

export function sumStats(stats: BleuStats[]): BleuStats {
  const out: BleuStats = { correct: [0, 0, 0, 0], total: [0, 0, 0, 0], sysLen: 0, refLen: 0 };
  for (const s of stats) {
    for (let i = 0; i < 4; i++) {
      out.correct[i] += s.correct[i];
      out.total[i] += s.total[i];
    }
    out.sysLen += s.sysLen;
    out.refLen += s.refLen;
  }
  return out;
}

/** sacreBLEU compute_bleu with smooth_method='exp'. */
export function bleuFromStats(
  s: BleuStats,
  effectiveOrder = false,
): { score: number; precisions: number[]; bp: number } {
  const precisions = [0, 0, 0, 0];
  let smooth = 1;
  let order = 4;
  for (let n = 1; n <= 4; n++) {
    if (s.total[n - 1] === 0) break;
    if (effectiveOrder) order = n;
    if (s.correct[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * s.total[n - 1]);
    } else precisions[n - 1] = (100 * s.correct[n - 1]) / s.total[n - 1];
  }
  const bp = s.sysLen < s.refLen ? (s.sysLen > 0 ? Math.exp(1 - s.refLen / s.sysLen) : 0) : 1;
  const logs = precisions.slice(0, order).map((p) => (p === 0 ? -9999999999 : Math.log(p)));
  const score = bp * Math.exp(logs.reduce((a, b) => a + b, 0) / order);
  return { score, precisions, bp };
}

/** sacreBLEU corpus_score(hypotheses, [refs_stream_1, refs_stream_2, …]). */
export function corpusBleu(hypotheses: string[], referenceStreams: string[][]): number {
  const stats = hypotheses.map((h, i) =>
    bleuStats(
      tokenize13a(h),
      referenceStreams.map((stream) => tokenize13a(stream[i])),
    ),
  );
  return bleuFromStats(sumStats(stats)).score;
}

/** sacreBLEU sentence_score (effective order). */
export function sentenceBleu(hypothesis: string, references: string[]): number {
  return bleuFromStats(
    bleuStats(
      tokenize13a(hypothesis),
      references.map((r) => tokenize13a(r)),
    ),
    true,
  ).score;
}

/** LLaMA-Factory's Chinese BLEU-4: NLTK sentence_bleu([list(label)], list(pred), method3) × 100. */
export function charBleu(prediction: string, references: string[]): number {
  const hyp = [...prediction];
  const refs = references.map((r) => [...r]);
  const s = bleuStats(hyp, refs);
  // NLTK: the denominator is at least 1; no unigram match → 0.
  if (s.correct[0] === 0) return 0;
  let inc = 1;
  let logSum = 0;
  for (let n = 0; n < 4; n++) {
    const denominator = Math.max(1, s.total[n]);
    const p = s.correct[n] === 0 ? 1 / (2 ** inc++ * denominator) : s.correct[n] / denominator;
    logSum += 0.25 * Math.log(p);
  }
  // NLTK's closest reference length breaks ties towards the shorter one too.
  const c = hyp.length;
  const r = s.refLen;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  return 100 * bp * Math.exp(logSum);
}
