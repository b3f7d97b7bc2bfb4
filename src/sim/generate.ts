/**
 * @module sim/generate — the simulator's deterministic, self-describing reply:
 *
 *   adapter=<model> digest=<8 hex> [According to [1]: "<first 8 words of source 1>".] lorem ipsum … .
 *
 * `<model>` is the response's `model` (the LoRA name, else the first served name); the digest is the first
 * 8 hex digits of sha256 over the canonical JSON (sorted keys, no spaces) of the `messages` array (chat) or
 * of the one prompt (completions) exactly as received. Tests parse it with `parseSimReply`.
 */
import { createHash } from 'node:crypto';
import { contentText, tokenize } from './tokenizer.ts';

const FILLER = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function simDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 8);
}

/** The text after the first line starting with `[1]`, as the gateway's RAG composer numbers sources. */
export function firstSource(text: string): string | null {
  const m = /^\s*\[1\][ \t:.-]*(.*)$/m.exec(text);
  return m ? m[1].trim() : null;
}

/** System (and developer) message text of a chat request: where numbered sources are looked for. */
export function systemText(messages: unknown[]): string {
  return messages
    .filter((m) => {
      const role = (m as { role?: unknown } | null)?.role;
      return role === 'system' || role === 'developer';
    })
    .map((m) => contentText((m as { content?: unknown }).content))
    .join('\n');
}

export interface ReplyRequest {
  model: string;
  digest: string;
  /** Where `[1]` sources are searched (system messages, or the prompt for completions). */
  context: string;
  /** Natural length in tokens (the model "stops" there) unless min_tokens/ignore_eos ask for more. */
  naturalTokens: number;
  /** max_tokens (already capped to the context window). */
  maxTokens: number;
  minTokens: number;
  ignoreEos: boolean;
  stop: string[];
}

export interface Reply {
  pieces: string[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  stopReason: string | null;
  /**
   * Structured replies (sim/structured-reply.ts): the stream delta for each piece instead of `{content}`;
   * `null` is a step vLLM's parser swallows (no chunk unless it is the finishing one, which then has `{}`).
   */
  deltas?: (Record<string, unknown> | null)[];
  /** Structured replies: the non-stream message's `content` and `tool_calls`. */
  message?: { content: string | null; tool_calls: unknown[] };
  /** vLLM 0.32 (hermes, auto, no call made): the non-stream message has no `tool_calls` key at all. */
  noToolCallsKey?: boolean;
}

/** The self-describing head of every reply: model, digest and the quoted first source. */
export function replyHead(r: Pick<ReplyRequest, 'model' | 'digest' | 'context'>): string {
  let text = `adapter=${r.model} digest=${r.digest}`;
  const source = firstSource(r.context);
  if (source !== null) text += ` According to [1]: "${source.split(/\s+/).slice(0, 8).join(' ')}".`;
  return text;
}

export function buildReply(r: ReplyRequest): Reply {
  let pieces = tokenize(replyHead(r));
  const target = r.ignoreEos ? r.maxTokens : Math.max(r.naturalTokens, r.minTokens);
  // One piece per filler word; the natural ending is a full stop.
  let i = 0;
  while (pieces.length < target - (r.ignoreEos ? 0 : 1)) pieces.push(` ${FILLER[i++ % FILLER.length]}`);
  if (!r.ignoreEos) pieces.push('.');
  let finishReason: Reply['finishReason'] = 'stop';
  if (pieces.length > r.maxTokens) {
    pieces = pieces.slice(0, r.maxTokens);
    finishReason = 'length';
  } else if (r.ignoreEos) finishReason = 'length';
  const stopped = applyStop(pieces, r.stop);
  if (stopped) return { pieces: stopped.pieces, finishReason: 'stop', stopReason: stopped.stop };
  return { pieces, finishReason, stopReason: null };
}

// vLLM cuts the output before the first stop string (exclusive) and reports it as stop_reason.
function applyStop(pieces: string[], stops: string[]): { pieces: string[]; stop: string } | null {
  if (stops.length === 0) return null;
  const text = pieces.join('');
  let best: { at: number; stop: string } | null = null;
  for (const s of stops) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0 && (best === null || at < best.at)) best = { at, stop: s };
  }
  if (best === null) return null;
  const out: string[] = [];
  let len = 0;
  for (const p of pieces) {
    if (len + p.length > best.at) {
      if (best.at > len) out.push(p.slice(0, best.at - len));
      break;
    }
    out.push(p);
    len += p.length;
  }
  return { pieces: out, stop: best.stop };
}

/** Parses a simulator reply: which model answered, the digest it saw, and the quoted source if any. */
export function parseSimReply(text: string): { model: string; digest: string; quote: string | null } | null {
  const m = /^adapter=(\S+) digest=([0-9a-f]{8})(?: According to \[1\]: "([^"]*)"\.)?/.exec(text);
  return m ? { model: m[1], digest: m[2], quote: m[3] ?? null } : null;
}
