/**
 * @module http/chat-stream-transform — vLLM's SSE events in, the client's events out, for chat and text
 * completions; pure (no I/O, no HTTP), so every rule is pinned by unit tests. Events that need no change pass
 * through as the same text (no JSON round trip); only the events the gateway must read or change are parsed:
 * the usage chunk (always read; dropped unless the client asked for usage), the first chunk (gets
 * `citations`), the finish chunk (gets `annotations`), and every chunk when the answer's text is collected.
 */
import type { Citation, Usage } from '../openai/responses.ts';
import { annotate } from '../rag/annotate.ts';

export interface ChatStreamOptions {
  chat: boolean;
  clientWantsUsage: boolean;
  citations: Citation[];
  /** Keep every payload (for the cache). */
  record: boolean;
  /** Assemble the answer's text per choice (e.g. for content logging); costs a parse per chunk. */
  collectText: boolean;
}

/** What the transform learned by the end of the stream. */
export interface ChatStreamState {
  /** The payloads as the client would see them (usage chunk included even when not sent), when recording. */
  chunks: string[];
  usage: Usage | null;
  /** Assembled text per choice index. */
  texts: string[];
  /** `[DONE]` arrived. */
  done: boolean;
  /** An error event arrived (its message). */
  error: string | null;
  /** The completion's `id` (from the first chunk). */
  id: string | null;
}

export interface ChatStreamTransform {
  /** One upstream `data:` payload → the payload for the client, or null when it is not sent on. */
  push(payload: string): string | null;
  readonly state: ChatStreamState;
}

type Json = Record<string, any>;

export function chatStreamTransform(options: ChatStreamOptions): ChatStreamTransform {
  const state: ChatStreamState = { chunks: [], usage: null, texts: [], done: false, error: null, id: null };
  const parseAll = options.citations.length > 0 || options.collectText;
  let first = true;

  const push = (payload: string): string | null => {
    if (payload === '[DONE]') {
      state.done = true;
      return null;
    }
    const isFirst = first;
    first = false;
    const hasUsage = payload.includes('"usage":{');
    const mustParse = parseAll || hasUsage || isFirst || payload.startsWith('{"error"');
    if (!mustParse) {
      if (options.record) state.chunks.push(payload);
      return payload;
    }
    let obj: Json;
    try {
      obj = JSON.parse(payload);
    } catch {
      return payload;
    }
    if (obj.error) {
      state.error = typeof obj.error.message === 'string' ? obj.error.message : 'upstream error';
      return payload;
    }
    let changed = false;
    if (isFirst && typeof obj.id === 'string') state.id = obj.id;
    if (hasUsage && obj.usage) state.usage = obj.usage as Usage;
    const choices: Json[] = Array.isArray(obj.choices) ? obj.choices : [];
    for (const choice of choices) {
      const i = choice.index ?? 0;
      const piece = options.chat ? choice.delta?.content : choice.text;
      if (typeof piece === 'string' && piece) state.texts[i] = (state.texts[i] ?? '') + piece;
      if (choice.finish_reason && options.citations.length) {
        const { annotations, unknownMarkers } = annotate(state.texts[i] ?? '', options.citations);
        if (options.chat) choice.delta = { ...(choice.delta ?? {}), annotations };
        else choice.annotations = annotations;
        if (unknownMarkers.length) obj.lorag = { ...(obj.lorag ?? {}), unknown_citation_markers: unknownMarkers };
        changed = true;
      }
    }
    if (isFirst && options.citations.length) {
      obj.citations = options.citations;
      changed = true;
    }
    const out = changed ? JSON.stringify(obj) : payload;
    if (options.record) state.chunks.push(out);
    // The usage-only chunk goes to the client only if it asked for usage (the gateway always asks vLLM).
    if (hasUsage && choices.length === 0 && !options.clientWantsUsage) return null;
    return out;
  };
  return { push, state };
}
