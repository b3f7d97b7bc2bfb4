/**
 * @module responses/from-chat — a chat completion (as lorag's request path produces it: `citations` on top,
 * `message.annotations` with a `url_citation` per marker) → an OpenAI Response object. Output items, in order:
 * `file_search_call` (when the request had a file_search tool; `results` only with
 * `include: ["file_search_call.results"]`), the `message` (its `output_text` carries `url_citation`
 * annotations with `start_index`/`end_index` and one `file_citation` per cited document), then one
 * `function_call` per tool call. Pure; the streaming path (responses/event-stream.ts) ends with the same object.
 */
import type { Citation } from '../openai/responses.ts';
import type { FileSearchTool, ResponsesRequest } from '../openai/responses-request.ts';
import { newId } from './to-chat.ts';

type Json = Record<string, any>;

export interface ResponseContext {
  id: string;
  createdAt: number;
  request: ResponsesRequest;
  fileSearch: FileSearchTool | null;
  query: string;
}

/** Item ids fixed in advance, so a stream's events and its final object agree. */
export interface ItemIds {
  fileSearch: string;
  message: string;
  calls: string[];
}

export const freshIds = (): ItemIds => ({ fileSearch: newId('fs'), message: newId('msg'), calls: [] });

export function responseUsage(usage: Json | null | undefined): Json | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens ?? 0,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens ?? 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0),
  };
}

/** The Response object's fields that echo the request (status and output filled in by the caller). */
export function responseShell(ctx: ResponseContext, status: string, model: string): Json {
  const r = ctx.request;
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    max_tool_calls: null,
    model,
    output: [],
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    prompt_cache_key: r.prompt_cache_key ?? null,
    reasoning: { effort: null, summary: null },
    safety_identifier: r.safety_identifier ?? null,
    service_tier: r.service_tier ?? 'default',
    store: r.store ?? true,
    temperature: r.temperature ?? 1,
    text: { format: r.text?.format ?? { type: 'text' }, verbosity: 'medium' },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_logprobs: 0,
    top_p: r.top_p ?? 1,
    truncation: 'disabled',
    usage: null,
    user: r.user ?? null,
    metadata: r.metadata ?? {},
  };
}

export function fileSearchItem(ctx: ResponseContext, id: string, citations: Citation[], status: string): Json {
  const withResults = ctx.request.include?.includes('file_search_call.results') ?? false;
  return {
    id,
    type: 'file_search_call',
    status,
    queries: [ctx.query],
    results:
      withResults && status === 'completed'
        ? citations.map((c) => ({
            file_id: c.document_id,
            filename: c.title ?? c.document_id,
            score: Math.min(1, Math.max(0, c.score)),
            text: c.text,
            attributes: { chunk_id: c.chunk_id, url: c.url, source_index: c.index },
          }))
        : null,
  };
}

/** Chat `url_citation` annotations → Responses annotations: url_citation per marker, file_citation per document. */
export function outputAnnotations(
  text: string,
  chatAnnotations: Json[] | null | undefined,
  citations: Citation[],
): Json[] {
  const points = Array.from(text);
  const byIndex = new Map(citations.map((c) => [c.index, c]));
  const urls: Json[] = [];
  const files: Json[] = [];
  const seen = new Set<string>();
  for (const a of chatAnnotations ?? []) {
    const u = a?.url_citation;
    if (a?.type !== 'url_citation' || !u) continue;
    urls.push({ type: 'url_citation', start_index: u.start_index, end_index: u.end_index, url: u.url, title: u.title });
    const n = Number(/\[(\d+)\]/.exec(points.slice(u.start_index, u.end_index).join(''))?.[1]);
    const source = byIndex.get(n);
    if (source && !seen.has(source.document_id)) {
      seen.add(source.document_id);
      files.push({
        type: 'file_citation',
        file_id: source.document_id,
        filename: source.title ?? source.document_id,
        index: u.end_index,
      });
    }
  }
  return [...urls, ...files];
}

export function messageItem(id: string, text: string, annotations: Json[], status: string): Json {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations, logprobs: [] }],
  };
}

export function functionCallItem(id: string, call: Json, status: string): Json {
  return {
    id,
    type: 'function_call',
    status,
    call_id: call.id ?? id,
    name: call.function?.name ?? '',
    arguments: call.function?.arguments ?? '',
  };
}

const INCOMPLETE: Record<string, string> = { length: 'max_output_tokens', content_filter: 'content_filter' };

/** The whole Response for a finished chat completion. */
export function responseFromChat(ctx: ResponseContext, completion: Json, ids: ItemIds = freshIds()): Json {
  const choice = completion.choices?.[0] ?? {};
  const message = choice.message ?? {};
  const citations = (completion.citations ?? []) as Citation[];
  const reason = INCOMPLETE[choice.finish_reason as string];
  const out = responseShell(ctx, reason ? 'incomplete' : 'completed', completion.model ?? ctx.request.model);
  if (reason) out.incomplete_details = { reason };
  if (ctx.fileSearch) out.output.push(fileSearchItem(ctx, ids.fileSearch, citations, 'completed'));
  const text = typeof message.content === 'string' ? message.content : '';
  const calls = (message.tool_calls ?? []) as Json[];
  if (text !== '' || calls.length === 0) {
    const annotations = outputAnnotations(text, message.annotations, citations);
    out.output.push(messageItem(ids.message, text, annotations, reason ? 'incomplete' : 'completed'));
  }
  calls.forEach((call, i) => {
    ids.calls[i] ??= newId('fc');
    out.output.push(functionCallItem(ids.calls[i], call, 'completed'));
  });
  out.usage = responseUsage(completion.usage);
  if (citations.length) out.citations = citations;
  return out;
}
