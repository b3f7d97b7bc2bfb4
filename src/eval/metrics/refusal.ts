/**
 * @module eval/metrics/refusal — does an answer decline to answer? Phrase lists for English and Chinese;
 * refusal accuracy is the share of `unanswerable` cases declined, false refusals the share of answerable
 * cases declined.
 */
const PATTERNS = [
  /\b(i|we) (do not|don't|cannot|can't) (know|say|answer|find|tell)\b/i,
  /\b(cannot|can't|unable to|not able to) (answer|determine|find|say)\b/i,
  /\bno (relevant )?(information|answer|record|mention)\b/i,
  /\bnot (mentioned|covered|stated|specified|provided|found|in the (provided )?(context|sources|documents))\b/i,
  /\b(i'm|i am) not sure\b/i,
  /\bdon't have (enough |any )?information\b/i,
  /\binsufficient information\b/i,
  /无法(回答|确定|判断|找到)|不知道|没有(相关)?(信息|资料|记录)|未(提及|提到|说明)|资料中没有/,
];

export function isRefusal(answer: string): boolean {
  return PATTERNS.some((p) => p.test(answer));
}
