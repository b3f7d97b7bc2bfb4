/**
 * @module responses/event-stream — chat completion chunks in (the payloads lorag's request path streams:
 * `citations` on the first chunk, `delta.annotations` on the finish chunk, a usage chunk at the end) →
 * Responses API SSE events out, in the order the official SDKs' stream helpers accept
 * (shared/reference/responses-api.md):
 *
 *   response.created → response.in_progress
 *   [file_search_call: output_item.added → file_search_call.in_progress/.searching/.completed → output_item.done]
 *   message: output_item.added → content_part.added → output_text.delta × n
 *   function_call × k: output_item.added → function_call_arguments.delta × n
 *   at the end, per open item in output order: output_text.annotation.added × a → output_text.done →
 *   content_part.done → output_item.done | function_call_arguments.done → output_item.done
 *   → response.completed | response.incomplete (finish_reason length) | response.failed (stream broke off)
 *
 * Every event has `sequence_number`, 0, 1, 2 … . Retrieval runs before vLLM, so the file search is complete
 * when the first chunk arrives; its events go out then. The final object is `responseFromChat` over what was
 * streamed (same item ids), so a stream and a non-stream answer describe the same Response. Pure.
 */
import type { Citation } from '../openai/responses.ts';
import {
  fileSearchItem,
  freshIds,
  functionCallItem,
  messageItem,
  outputAnnotations,
  type ResponseContext,
  responseFromChat,
  responseShell,
} from './from-chat.ts';
import { newId } from './to-chat.ts';

type Json = Record<string, any>;

interface OpenCall {
  outputIndex: number;
  id: string;
  call: Json;
}

export interface ResponseEventStream {
  /** `response.created` and `response.in_progress`. */
  start(): string;
  /** One chat chunk (JSON text) → zero or more SSE events. */
  chunk(payload: string): string;
  /** Closes open items and ends with completed / incomplete, or failed when `error` is given. */
  end(error: string | null): string;
  /** The final Response object, once `end` has run. */
  final(): Json | null;
}

export function responseEventStream(ctx: ResponseContext): ResponseEventStream {
  const ids = freshIds();
  let seq = 0;
  let nextIndex = 0;
  let model = ctx.request.model;
  let citations: Citation[] = [];
  let searched = false;
  let text = '';
  let messageIndex = -1;
  let annotations: Json[] | undefined;
  let finishReason: string | null = null;
  let usage: Json | null = null;
  let final: Json | null = null;
  const calls = new Map<number, OpenCall>();

  const sse = (type: string, fields: Json): string => {
    const event = { type, sequence_number: seq++, ...fields };
    return `event: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
  };
  const shell = (status: string) => ({ ...responseShell(ctx, status, model), citations: undefined });

  function fileSearchEvents(): string {
    if (searched || !ctx.fileSearch) return '';
    searched = true;
    const output_index = nextIndex++;
    const item_id = ids.fileSearch;
    return (
      sse('response.output_item.added', { output_index, item: fileSearchItem(ctx, item_id, [], 'in_progress') }) +
      sse('response.file_search_call.in_progress', { output_index, item_id }) +
      sse('response.file_search_call.searching', { output_index, item_id }) +
      sse('response.file_search_call.completed', { output_index, item_id }) +
      sse('response.output_item.done', { output_index, item: fileSearchItem(ctx, item_id, citations, 'completed') })
    );
  }

  function openMessage(): string {
    if (messageIndex >= 0) return '';
    messageIndex = nextIndex++;
    const item_id = ids.message;
    return (
      sse('response.output_item.added', {
        output_index: messageIndex,
        item: { id: item_id, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
      }) +
      sse('response.content_part.added', {
        item_id,
        output_index: messageIndex,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      })
    );
  }

  function toolDelta(tc: Json): string {
    const index = typeof tc.index === 'number' ? tc.index : calls.size;
    let open = calls.get(index);
    let out = '';
    if (!open) {
      const id = newId('fc');
      ids.calls[calls.size] = id;
      open = {
        outputIndex: nextIndex++,
        id,
        call: { id: tc.id, function: { name: tc.function?.name ?? '', arguments: '' } },
      };
      calls.set(index, open);
      out += sse('response.output_item.added', {
        output_index: open.outputIndex,
        item: functionCallItem(id, open.call, 'in_progress'),
      });
    }
    if (tc.id && !open.call.id) open.call.id = tc.id;
    if (tc.function?.name && !open.call.function.name) open.call.function.name = tc.function.name;
    const delta = tc.function?.arguments;
    if (typeof delta === 'string' && delta !== '') {
      open.call.function.arguments += delta;
      out += sse('response.function_call_arguments.delta', { item_id: open.id, output_index: open.outputIndex, delta });
    }
    return out;
  }

  function closeItems(): string {
    let out = '';
    if (messageIndex < 0 && calls.size === 0) out += openMessage();
    if (messageIndex >= 0) {
      const item_id = ids.message;
      const output_index = messageIndex;
      const anns = outputAnnotations(text, annotations, citations);
      anns.forEach((annotation, annotation_index) => {
        out += sse('response.output_text.annotation.added', {
          item_id,
          output_index,
          content_index: 0,
          annotation_index,
          annotation,
        });
      });
      const part = { type: 'output_text', text, annotations: anns, logprobs: [] };
      out += sse('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      out += sse('response.content_part.done', { item_id, output_index, content_index: 0, part });
      const status = finishReason === 'length' ? 'incomplete' : 'completed';
      out += sse('response.output_item.done', { output_index, item: messageItem(item_id, text, anns, status) });
    }
    for (const open of [...calls.values()].sort((a, b) => a.outputIndex - b.outputIndex)) {
      const { name, arguments: args } = open.call.function;
      out += sse('response.function_call_arguments.done', {
        item_id: open.id,
        output_index: open.outputIndex,
        name,
        arguments: args,
      });
      out += sse('response.output_item.done', {
        output_index: open.outputIndex,
        item: functionCallItem(open.id, open.call, 'completed'),
      });
    }
    return out;
  }

  return {
    start: () =>
      sse('response.created', { response: shell('in_progress') }) +
      sse('response.in_progress', { response: shell('in_progress') }),

    chunk(payload) {
      let obj: Json;
      try {
        obj = JSON.parse(payload);
      } catch {
        return '';
      }
      if (obj.error) return '';
      if (typeof obj.model === 'string') model = obj.model;
      if (Array.isArray(obj.citations)) citations = obj.citations;
      if (obj.usage) usage = obj.usage;
      let out = fileSearchEvents();
      const choice = obj.choices?.[0];
      if (!choice) return out;
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string' && delta.content !== '') {
        out += openMessage();
        text += delta.content;
        out += sse('response.output_text.delta', {
          item_id: ids.message,
          output_index: messageIndex,
          content_index: 0,
          delta: delta.content,
          logprobs: [],
        });
      }
      for (const tc of (delta.tool_calls ?? []) as Json[]) out += toolDelta(tc);
      if (Array.isArray(delta.annotations)) annotations = delta.annotations;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      return out;
    },

    end(error) {
      let out = fileSearchEvents();
      if (error !== null) {
        final = { ...shell('failed'), error: { code: 'server_error', message: error } };
        return out + sse('response.failed', { response: final });
      }
      out += closeItems();
      const ordered = [...calls.values()].sort((a, b) => a.outputIndex - b.outputIndex);
      const completion = {
        model,
        citations,
        usage,
        choices: [
          {
            finish_reason: finishReason ?? 'stop',
            message: {
              content: messageIndex >= 0 ? text : null,
              annotations,
              tool_calls: ordered.map((o) => o.call),
            },
          },
        ],
      };
      ids.calls = ordered.map((o) => o.id);
      final = responseFromChat(ctx, completion, ids);
      const type = final.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
      return out + sse(type, { response: final });
    },

    final: () => final,
  };
}
