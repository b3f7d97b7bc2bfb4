/**
 * @module sim/structured-reply — replies under structured outputs and tool calls, framed as vLLM 0.32 frames
 * them (chat_completion/serving.py, parser/abstract_parser.py, tool_parsers/streaming.py):
 * - json_object / json_schema: the document is ordinary `content`, streamed token by token.
 * - named tool_choice: the model's output IS the arguments JSON. Stream: the first delta is
 *   `{tool_calls:[{id,type:"function",index:0,function:{name,arguments:<piece>}}]}`, the rest
 *   `{tool_calls:[{index:0,function:{arguments:<piece>}}]}`; finish_reason `stop` (vLLM: "stop" for named
 *   calls). Non-stream: `content: ""`, one tool call whose arguments are the raw output.
 * - `required`: the output is `[{"name":…,"parameters":…}]`; the stream announces the call once the
 *   parameters value starts (with the arguments so far), then sends only argument text, `name: null`; the
 *   closing `}]` produces no delta; finish_reason `tool_calls`. Non-stream: arguments re-serialised with
 *   Python's `json.dumps` (", " and ": " separators).
 * - `auto` (hermes): framed like a named call, finish_reason `tool_calls`, non-stream `content: null` and
 *   Python-serialised arguments.
 * Tool-call ids are `chatcmpl-tool-<32 hex>` (make_tool_call_id).
 */
import { randomUUID } from 'node:crypto';
import type { Reply } from './generate.ts';
import type { OutputMode } from './output-mode.ts';
import { schemaInstance } from './schema-instance.ts';
import { tokenize } from './tokenizer.ts';

/** Python's json.dumps(value, ensure_ascii=False): what vLLM writes when it re-serialises arguments. */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value && typeof value === 'object') {
    const parts = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonJsonDumps(v)}`);
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function cap(pieces: string[], max: number): { pieces: string[]; truncated: boolean } {
  return pieces.length > max ? { pieces: pieces.slice(0, max), truncated: true } : { pieces, truncated: false };
}

const toolCallId = () => `chatcmpl-tool-${randomUUID().replaceAll('-', '')}`;

/** `head` is the text reply's head (model, digest, source): string fields carry it. */
export function structuredReply(mode: Exclude<OutputMode, { kind: 'text' }>, head: string, maxTokens: number): Reply {
  if (mode.kind === 'json') {
    const doc = mode.schema === null ? { text: head } : schemaInstance(mode.schema, head);
    const { pieces, truncated } = cap(tokenize(JSON.stringify(doc)), maxTokens);
    return { pieces, finishReason: truncated ? 'length' : 'stop', stopReason: null };
  }
  const { tool, choice } = mode;
  const args = schemaInstance(tool.parameters, head);
  const id = toolCallId();
  if (choice === 'required') return requiredReply(tool.name, args, id, maxTokens);
  const { pieces, truncated } = cap(tokenize(JSON.stringify(args)), maxTokens);
  const deltas = pieces.map((piece, i) => ({
    tool_calls: [
      i === 0
        ? { id, type: 'function', index: 0, function: { name: tool.name, arguments: piece } }
        : { index: 0, function: { arguments: piece } },
    ],
  }));
  const raw = pieces.join('');
  const named = choice === 'named';
  const call = { id, type: 'function', function: { name: tool.name, arguments: named ? raw : pythonJsonDumps(args) } };
  return {
    pieces,
    deltas,
    finishReason: truncated ? 'length' : named ? 'stop' : 'tool_calls',
    stopReason: null,
    message: { content: named ? '' : null, tool_calls: [call] },
  };
}

function requiredReply(name: string, args: unknown, id: string, maxTokens: number): Reply {
  const argsText = JSON.stringify(args);
  const before = `[{"name":${JSON.stringify(name)},"parameters":`;
  const text = `${before}${argsText}}]`;
  const { pieces, truncated } = cap(tokenize(text), maxTokens);
  const argsStart = before.length;
  const argsEnd = argsStart + argsText.length;
  let sent = 0;
  let announced = false;
  const deltas = pieces.map((piece) => {
    const prev = sent;
    sent += piece.length;
    if (sent < argsStart) return null;
    const end = Math.min(sent, argsEnd);
    if (!announced) {
      announced = true;
      const call = { id, type: 'function', index: 0, function: { name, arguments: text.slice(argsStart, end) } };
      return { tool_calls: [call] };
    }
    const fresh = text.slice(Math.max(prev, argsStart), end);
    return fresh ? { tool_calls: [{ index: 0, function: { name: null, arguments: fresh } }] } : null;
  });
  const calls = truncated ? [] : [{ id, type: 'function', function: { name, arguments: pythonJsonDumps(args) } }];
  return {
    pieces,
    deltas,
    finishReason: truncated ? 'length' : 'tool_calls',
    stopReason: null,
    message: { content: '', tool_calls: calls },
  };
}
