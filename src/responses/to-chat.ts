/**
 * @module responses/to-chat — a Responses request (plus the conversation a `previous_response_id` names)
 * → the chat completions body lorag's request path runs (plan → cache → retrieval → vLLM), so adapters,
 * strategies, limits and the cache apply unchanged. Pure.
 *
 * - `instructions` → a leading system message (the current request's only: OpenAI does not carry them over);
 *   `developer` messages are sent as `system` (chat templates know that role).
 * - items: messages (`input_text`/`output_text` parts → text), `function_call` → an assistant message with
 *   `tool_calls` (consecutive calls merged), `function_call_output` → a `tool` message (its call must exist
 *   earlier in the conversation), `file_search_call` → nothing (our own retrieval record).
 * - function tools → chat tools; `file_search` → the `lorag` extension `{strategy: "rag" (or the "hybrid"
 *   asked for), collections: vector_store_ids, top_k: max_num_results}`; the plan makes rag with an adapter
 *   hybrid.
 * - `text.format` → `response_format`; `max_output_tokens` → `max_tokens`; a stream always asks vLLM for
 *   usage (the Responses stream reports it in `response.completed`).
 */
import { randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import { GatewayError } from '../errors/gateway-error.ts';
import type { ChatCompletionRequest } from '../openai/requests.ts';
import type { FileSearchTool, InputItem, ResponsesRequest } from '../openai/responses-request.ts';

type Json = Record<string, unknown>;
type Message = Json & { role: string };

export interface ChatTranslation {
  body: ChatCompletionRequest;
  fileSearch: FileSearchTool | null;
  /** This request's input items with ids, as `GET /v1/responses/{id}/input_items` lists them. */
  inputItems: Json[];
  /** The retrieval query (the last user text) — reported as the file_search_call's `queries`. */
  query: string;
}

export const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;

function checkSchema(schema: unknown, param: string): void {
  try {
    // A fresh instance each time: Ajv caches every schema it compiled, which would grow without bound.
    new Ajv({ strict: false }).compile(schema as Json);
  } catch (err) {
    throw new GatewayError('invalid_value', `Invalid JSON schema: ${(err as Error).message}`, { param });
  }
}

function partsText(content: string | Json[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, j) => {
      if (part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') return String(part.text);
      throw new GatewayError('invalid_value', `Unsupported content part type '${String(part.type)}'.`, {
        param: `${param}.${j}.type`,
      });
    })
    .join('');
}

/** The items as chat messages; `prefix` names where an item came from in error params. */
function itemsToMessages(items: InputItem[], known: Set<string>, from: 'input' | 'history'): Message[] {
  const out: Message[] = [];
  items.forEach((item, i) => {
    const param = `input.${i}`;
    if (item.type === 'file_search_call') return;
    if (item.type === 'function_call') {
      known.add(item.call_id);
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      const last = out.at(-1);
      if (last?.role === 'assistant' && Array.isArray(last.tool_calls)) (last.tool_calls as Json[]).push(call);
      else out.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    if (item.type === 'function_call_output') {
      if (!known.has(item.call_id)) {
        throw new GatewayError(
          'invalid_value',
          `No tool call found for function call output with call_id ${item.call_id}.`,
          { param: from === 'input' ? `${param}.call_id` : 'previous_response_id' },
        );
      }
      const content = partsText(item.output as string | Json[], `${param}.output`);
      out.push({ role: 'tool', tool_call_id: item.call_id, content });
      return;
    }
    const role = item.role === 'developer' ? 'system' : item.role;
    out.push({ role, content: partsText(item.content as string | Json[], `${param}.content`) });
  });
  return out;
}

/** Input items as stored and listed: ids added, a string input as one user message. */
export function normalizeInput(input: ResponsesRequest['input']): Json[] {
  const items: Json[] =
    typeof input === 'string'
      ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }]
      : input.map((item) => {
          if (item.type === undefined || item.type === 'message') {
            const m = item as Extract<InputItem, { role: string }>;
            const content = typeof m.content === 'string' ? [{ type: 'input_text', text: m.content }] : m.content;
            return { ...m, type: 'message', content };
          }
          return { ...item };
        });
  return items.map((item) => ({
    id: item.id ?? newId(item.type === 'message' ? 'msg' : item.type === 'function_call' ? 'fc' : 'fco'),
    ...item,
    status: item.status ?? 'completed',
  }));
}

export function toChat(req: ResponsesRequest, history: InputItem[]): ChatTranslation {
  const tools = req.tools ?? [];
  const fileSearches = tools.filter((t) => t.type === 'file_search');
  if (fileSearches.length > 1) {
    throw new GatewayError('invalid_value', 'At most one file_search tool is supported.', { param: 'tools' });
  }
  const fileSearch = (fileSearches[0] as FileSearchTool | undefined) ?? null;
  const functions = tools.flatMap((t, i) => {
    if (t.type !== 'function') return [];
    if (t.parameters) checkSchema(t.parameters, `tools.${i}.parameters`);
    const fn: Json = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } };
    if (t.description) fn.description = t.description;
    if (t.strict != null) fn.strict = t.strict;
    return [{ type: 'function', function: fn }];
  });

  const known = new Set<string>();
  const inputItems = normalizeInput(req.input);
  const messages: Message[] = [];
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  messages.push(...itemsToMessages(history, known, 'history'));
  messages.push(...itemsToMessages(inputItems as InputItem[], known, 'input'));
  if (messages.length === 0) {
    throw new GatewayError('invalid_value', 'input must contain at least one item.', { param: 'input' });
  }

  const body: Json = { model: req.model, messages };
  if (req.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (req.max_output_tokens != null) body.max_tokens = req.max_output_tokens;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (req.user != null) body.user = req.user;
  if (functions.length > 0) {
    body.tools = functions;
    const choice = req.tool_choice;
    if (choice === 'none' || choice === 'auto' || choice === 'required') body.tool_choice = choice;
    else if (choice && choice.type === 'function') {
      if (!functions.some((f) => (f.function as Json).name === choice.name)) {
        throw new GatewayError('invalid_value', `tool_choice names no function tool: '${choice.name}'.`, {
          param: 'tool_choice.name',
        });
      }
      body.tool_choice = { type: 'function', function: { name: choice.name } };
    }
    if (req.parallel_tool_calls != null) body.parallel_tool_calls = req.parallel_tool_calls;
  } else if (req.tool_choice && typeof req.tool_choice === 'object' && req.tool_choice.type === 'function') {
    throw new GatewayError('invalid_value', `tool_choice names no function tool: '${req.tool_choice.name}'.`, {
      param: 'tool_choice.name',
    });
  }
  const format = req.text?.format;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    checkSchema(format.schema, 'text.format.schema');
    const js: Json = { name: format.name, schema: format.schema };
    if (format.strict != null) js.strict = format.strict;
    if (format.description) js.description = format.description;
    body.response_format = { type: 'json_schema', json_schema: js };
  }
  const lorag = loragExtension(req, fileSearch);
  if (lorag) body.lorag = lorag;

  return { body: body as ChatCompletionRequest, fileSearch, inputItems, query: lastUserText(messages) };
}

function loragExtension(req: ResponsesRequest, fileSearch: FileSearchTool | null): Json | undefined {
  const ext = req.lorag;
  if (!fileSearch) return ext;
  if (ext?.strategy && ext.strategy !== 'rag' && ext.strategy !== 'hybrid') {
    throw new GatewayError('invalid_value', `file_search needs strategy rag or hybrid, not '${ext.strategy}'.`, {
      param: 'lorag.strategy',
    });
  }
  const out: Json = { ...ext, strategy: ext?.strategy ?? 'rag', collections: fileSearch.vector_store_ids };
  if (fileSearch.max_num_results != null) out.top_k = fileSearch.max_num_results;
  return out;
}

function lastUserText(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return String(messages[i].content ?? '');
  }
  return '';
}
