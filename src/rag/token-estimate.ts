/**
 * @module rag/token-estimate — a conservative token count without the model's tokenizer: one token per
 * 3 ASCII characters (real BPE vocabularies average about 4 for English) and two per other code point
 * (CJK characters are 1–2 tokens in common vocabularies, up to 3 in byte-level ones without merges). Used
 * for chunk sizes and for fitting passages into the context window, where overestimating is the safe side.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other * 2;
}
