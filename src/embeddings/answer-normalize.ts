/**
 * @module embeddings/answer-normalize — SQuAD's answer normalisation (lower-case, punctuation deleted, English
 * articles dropped, whitespace collapsed; as in the official evaluate-v1.1 script), extended for Chinese and
 * Japanese the way CMRC 2018's evaluator does it: every CJK character is a token of its own, so a sentence
 * without spaces is not one giant "word". Latin words stay whole. A leaf: eval's metrics and data-check's
 * leakage check both use it.
 */

// Python's string.punctuation (SQuAD deletes exactly these) plus every Unicode punctuation mark (，。「」 …).
const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]|\p{P}/gu;
const ARTICLES = /\b(a|an|the)\b/g;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** SQuAD normalize_answer, with full-width forms folded first (NFKC) so ＡＢＣ matches ABC. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(PUNCT, '')
    .replace(ARTICLES, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** Tokens of the normalised answer: whitespace words, each CJK character split off as its own token. */
export function answerTokens(text: string): string[] {
  return segmentCjk(normalizeAnswer(text).split(' ').filter(Boolean));
}

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** Splits CJK characters out of each word: `年假是15天` → 年 假 是 15 天. */
export function segmentCjk(words: string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    let buf = '';
    for (const ch of word) {
      if (isCjk(ch)) {
        if (buf) out.push(buf);
        buf = '';
        out.push(ch);
      } else buf += ch;
    }
    if (buf) out.push(buf);
  }
  return out;
}

/** True when at least a third of the letters are CJK: such text is scored per character. */
export function mostlyCjk(text: string): boolean {
  let cjk = 0;
  let letters = 0;
  for (const ch of text) {
    if (isCjk(ch)) cjk++;
    if (/\p{L}/u.test(ch)) letters++;
  }
  return letters > 0 && cjk * 3 >= letters;
}
