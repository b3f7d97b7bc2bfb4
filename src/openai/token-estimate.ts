/**
 * @module openai/token-estimate — a conservative token count without the model's tokenizer: one token per
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

/**
 * A generation request's bound before the answer exists: its prompt (the JSON text of the messages or prompt —
 * roles, tools and markup cost tokens too) plus the most it may generate. Reserved against tokens/min on
 * admission and settled with the real usage afterwards.
 */
export function estimateRequestTokens(body: {
  messages?: unknown;
  prompt?: unknown;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
}): number {
  const prompt = JSON.stringify(body.messages ?? body.prompt ?? '') ?? '';
  const maxOut = body.max_completion_tokens ?? body.max_tokens ?? 256;
  return estimateTokens(prompt) + maxOut * (body.n ?? 1);
}
