/**
 * @module http/sse-relay — relays vLLM's SSE stream to the client event by event. Events that need no change
 * pass through as the same text (no JSON round trip); only the events the gateway must read or change are
 * parsed: the usage chunk (always read; dropped unless the client asked for usage), the first chunk (gets
 * `citations`), the finish chunk (gets `annotations`), and every chunk when the answer is recorded for the
 * cache or annotated. A stream that breaks off ends with an SSE error event and `[DONE]`, as vLLM does.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Citation, Usage } from '../openai/responses.ts';
import { annotate } from '../rag/annotate.ts';
import type { StreamSink } from './stream-sink.ts';

export interface RelayOptions {
  chat: boolean;
  clientWantsUsage: boolean;
  citations: Citation[];
  /** Keep every payload (for the cache). */
  record: boolean;
  /**
   * Assemble the answer's text (`texts`) from every chunk, e.g. for content logging. Recording alone does not
   * need it: unchanged payloads are kept as the same strings, unparsed. Default: `record` (the old behaviour).
   */
  collectText?: boolean;
  /** Called once, when the first event reaches the client. */
  onFirstByte?(): void;
}

export interface RelayResult {
  /** The SSE payloads as sent (usage chunk included even when not sent), when recording. */
  chunks: string[];
  usage: Usage | null;
  /** Assembled text per choice index. */
  texts: string[];
  /** The upstream ended properly with `[DONE]` and no error event. */
  complete: boolean;
  error: string | null;
}

type Json = Record<string, any>;

export async function relaySse(
  body: AsyncIterable<Buffer>,
  sink: StreamSink,
  options: RelayOptions,
): Promise<RelayResult> {
  const result: RelayResult = { chunks: [], usage: null, texts: [], complete: false, error: null };
  const parseAll = options.citations.length > 0 || (options.collectText ?? options.record);
  const decoder = new StringDecoder('utf8');
  let first = true;
  let done = false;
  let buffer = '';

  const handle = (event: string): string => {
    if (!event.startsWith('data:')) return event.startsWith(':') ? '' : ''; // comments (keep-alive) and blanks
    const payload = event.charCodeAt(5) === 32 ? event.slice(6) : event.slice(5);
    if (payload === '[DONE]') {
      done = true;
      return 'data: [DONE]\n\n';
    }
    const isFirst = first;
    first = false;
    const hasUsage = payload.includes('"usage":{');
    const mustParse = parseAll || hasUsage || isFirst || payload.startsWith('{"error"');
    if (!mustParse) {
      if (options.record) result.chunks.push(payload);
      return `data: ${payload}\n\n`;
    }
    let obj: Json;
    try {
      obj = JSON.parse(payload);
    } catch {
      return `data: ${payload}\n\n`;
    }
    if (obj.error) {
      result.error = typeof obj.error.message === 'string' ? obj.error.message : 'upstream error';
      return `data: ${payload}\n\n`;
    }
    let changed = false;
    if (hasUsage && obj.usage) result.usage = obj.usage as Usage;
    const choices: Json[] = Array.isArray(obj.choices) ? obj.choices : [];
    for (const choice of choices) {
      const i = choice.index ?? 0;
      const piece = options.chat ? choice.delta?.content : choice.text;
      if (typeof piece === 'string' && piece) result.texts[i] = (result.texts[i] ?? '') + piece;
      if (choice.finish_reason && options.citations.length) {
        const { annotations, unknownMarkers } = annotate(result.texts[i] ?? '', options.citations);
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
    if (options.record) result.chunks.push(out);
    // The usage-only chunk goes to the client only if it asked for usage (the gateway always asks vLLM).
    if (hasUsage && choices.length === 0 && !options.clientWantsUsage) return '';
    return `data: ${out}\n\n`;
  };

  try {
    for await (const piece of body) {
      buffer += decoder.write(piece);
      let out = '';
      let idx = buffer.indexOf('\n\n');
      while (idx >= 0) {
        out += handle(buffer.slice(0, idx).replace(/\r$/, ''));
        buffer = buffer.slice(idx + 2);
        idx = buffer.indexOf('\n\n');
      }
      if (out) {
        if (options.onFirstByte) {
          options.onFirstByte();
          options.onFirstByte = undefined;
        }
        const wait = sink.write(out);
        if (wait) await wait;
      }
      if (sink.closed) break;
    }
  } catch (err) {
    result.error = (err as Error).message || 'upstream stream failed';
  }
  if (!done && !sink.closed) {
    result.error ??= 'the model server closed the stream before it finished';
    sink.write(`data: ${JSON.stringify(streamError(result.error))}\n\ndata: [DONE]\n\n`);
  }
  result.complete = done && result.error === null;
  return result;
}

export function streamError(message: string): Json {
  return {
    error: {
      message: `The stream was interrupted: ${message}`,
      type: 'server_error',
      param: null,
      code: 'upstream_error',
    },
  };
}
