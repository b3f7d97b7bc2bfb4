/**
 * @module sim/tokenizer — a deterministic stand-in tokenizer: a token is a run of letters/digits, one
 * punctuation or symbol character, or one CJK character, each carrying the whitespace before it (as BPE
 * tokens carry their leading space), so the pieces concatenate back to the exact text.
 */
const CJK = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}';
const TOKEN = new RegExp(`\\s*(?:[${CJK}]|[\\p{P}\\p{S}]|[^\\s${CJK}\\p{P}\\p{S}]+)|\\s+$`, 'gu');

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

const VOCAB = 32000;

/** A stable id per token piece (FNV-1a over its code units), for `/tokenize`. */
export function tokenId(piece: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < piece.length; i++) {
    h ^= piece.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % VOCAB;
}

/** The text of an OpenAI message `content`: a string or an array of parts whose text parts count. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** A ChatML-like rendering of the messages: what the prompt-token count is taken from. */
export function renderChat(messages: unknown[], addGenerationPrompt = true): string {
  let out = '';
  for (const m of messages) {
    const msg = (m ?? {}) as Record<string, unknown>;
    out += `<|im_start|>${String(msg.role ?? 'user')}\n${contentText(msg.content)}<|im_end|>\n`;
  }
  return addGenerationPrompt ? `${out}<|im_start|>assistant\n` : out;
}
