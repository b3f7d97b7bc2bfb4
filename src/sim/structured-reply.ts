/**
 * @module sim/structured-reply — replies under structured outputs and tool calls, framed as vLLM 0.32 frames
 * them with `--enable-auto-tool-choice --tool-call-parser hermes` (observed on the real vLLM 0.32 CPU build, see
 * e2e/contract/vllm-structured.contract.ts; code in chat_completion/serving.py and parser/abstract_parser.py):
 * - json_object / json_schema: the document is ordinary `content`, streamed token by token.
 * - a tool call (named, `required`, or `auto` when the prompt asks for it): the stream announces it in a chunk of
 *   its own, `{content: null, tool_calls: [{id, type: "function", index: 0, function: {name}}]}`, then sends
 *   argument pieces `{content: null, tool_calls: [{index: 0, function: {arguments}}]}`, then a finish chunk with
 *   `delta: {}`. finish_reason `stop` for a named choice (vLLM: "stop" for named calls), `tool_calls` otherwise.
 *   Non-stream: `content: ""` (named, required) or `null` (auto), one tool call; named arguments are the raw
 *   output, the others re-serialised with Python's `json.dumps` (", " and ": " separators), as vLLM does.
 * Tool-call ids are `chatcmpl-tool-<16 hex>` (as observed).
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

const toolCallId = () => `chatcmpl-tool-${randomUUID().replaceAll('-', '').slice(0, 16)}`;

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
  // One step announces the call (the tokens that carry its name), one per argument piece, one finishes.
  const { pieces, truncated } = cap(['', ...tokenize(JSON.stringify(args)), ''], maxTokens);
  const deltas = pieces.map((piece, i) => {
    if (i === 0)
      return { content: null, tool_calls: [{ id, type: 'function', index: 0, function: { name: tool.name } }] };
    if (i === pieces.length - 1 && !truncated) return null;
    return { content: null, tool_calls: [{ index: 0, function: { arguments: piece } }] };
  });
  const raw = pieces.slice(1).join('');
  const named = choice === 'named';
  const call = { id, type: 'function', function: { name: tool.name, arguments: named ? raw : pythonJsonDumps(args) } };
  return {
    pieces,
    deltas,
    finishReason: truncated ? 'length' : named ? 'stop' : 'tool_calls',
    stopReason: null,
    message: { content: choice === 'auto' ? null : '', tool_calls: truncated && !named ? [] : [call] },
  };
}
