/**
 * @module sim/output-mode — what a chat request asks the simulated model to produce: plain text, a JSON
 * document (`response_format` json_object / json_schema) or a tool call (`tools` + `tool_choice`). Checks
 * run with vLLM 0.32's messages (chat_completion/protocol.py `check_tool_usage`, `validate_response_format`;
 * renderers/online_renderer.py for the tool-parser requirement).
 *
 * The simulator behaves as vLLM started with `--enable-auto-tool-choice --tool-call-parser hermes` unless its
 * options say otherwise (`toolCallParser: null` is plain vLLM: any tool_choice but `none` is a 400).
 *
 * `auto` rule (deterministic, documented in README "Simulator"): a tool is called when the LAST message is a
 * user message whose text contains a tool's function name (case-insensitive); the first such tool in `tools`
 * order is called. Anything else (no name mentioned, or the last message is a tool result) is answered
 * normally, so an agent loop ends after one round trip.
 */
import type { SimContext } from './context.ts';
import { badRequest } from './errors.ts';
import { contentText } from './tokenizer.ts';

export interface FunctionTool {
  name: string;
  parameters: Record<string, unknown> | boolean;
}

export type ToolMode = { kind: 'tool'; choice: 'named' | 'required' | 'auto'; tool: FunctionTool };
export type OutputMode =
  | { kind: 'text' }
  | { kind: 'json'; schema: Record<string, unknown> | boolean | null }
  | ToolMode;

type Body = Record<string, unknown>;

function functionTools(body: Body): FunctionTool[] {
  const tools = body.tools;
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw badRequest('`tools` must be a list.', 'tools');
  if (tools.length === 0) {
    throw badRequest(
      '`tools` must not be an empty array. Either provide at least one tool or omit the field entirely.',
      'tools',
    );
  }
  return tools.map((t, i) => {
    const fn = (t as { function?: { name?: unknown; parameters?: unknown } } | null)?.function;
    if (!fn || typeof fn.name !== 'string' || fn.name === '') {
      throw badRequest(`tools[${i}].function.name: Field required`, `tools.${i}.function.name`);
    }
    const parameters = (fn.parameters ?? { type: 'object', properties: {} }) as FunctionTool['parameters'];
    return { name: fn.name, parameters };
  });
}

function toolChoice(body: Body, tools: FunctionTool[]): ToolMode | null {
  // vLLM: tools without tool_choice default to "auto".
  const choice = body.tool_choice ?? (tools.length > 0 ? 'auto' : undefined);
  if (choice === undefined || choice === 'none') return null;
  if (tools.length === 0) throw badRequest('When using `tool_choice`, `tools` must be set.', 'tool_choice');
  if (choice !== 'auto' && choice !== 'required' && (typeof choice !== 'object' || choice === null)) {
    throw badRequest(
      `Invalid value for \`tool_choice\`: ${String(choice)}! Only named tools, "none", "auto" or "required" are supported.`,
      'tool_choice',
    );
  }
  if (typeof choice === 'object') {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    const usage = 'Correct usage: `{"type": "function", "function": {"name": "my_function"}}`';
    if (typeof name !== 'string' || name === '') {
      throw badRequest(
        `Expected field \`name\` in \`function\` in \`tool_choice\`! ${usage}`,
        'tool_choice.function.name',
      );
    }
    const tool = tools.find((t) => t.name === name);
    if (!tool) {
      throw badRequest(
        'The tool specified in `tool_choice` does not match any of the specified `tools`',
        'tool_choice',
      );
    }
    return { kind: 'tool', choice: 'named', tool };
  }
  if (choice === 'required') return { kind: 'tool', choice: 'required', tool: tools[0] };
  return { kind: 'tool', choice: 'auto', tool: tools[0] };
}

function responseFormat(body: Body): OutputMode {
  // vLLM's own field: `structured_outputs: {json: schema}` or `{json_object: true}`.
  const so = body.structured_outputs as { json?: unknown; json_object?: unknown } | null | undefined;
  if (so && typeof so === 'object') {
    if (so.json !== undefined && so.json !== null) {
      if (typeof so.json !== 'string') return { kind: 'json', schema: so.json as Record<string, unknown> };
      try {
        return { kind: 'json', schema: JSON.parse(so.json) as Record<string, unknown> };
      } catch {
        throw badRequest('structured_outputs.json is not valid JSON.', 'structured_outputs');
      }
    }
    if (so.json_object === true) return { kind: 'json', schema: null };
  }
  const rf = body.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | null | undefined;
  if (rf === undefined || rf === null || rf.type === 'text') return { kind: 'text' };
  if (rf.type === 'json_object') return { kind: 'json', schema: null };
  if (rf.type === 'json_schema') {
    if (!rf.json_schema || typeof rf.json_schema !== 'object') {
      throw badRequest(
        "When response_format type is 'json_schema', the 'json_schema' field must be provided.",
        'response_format',
      );
    }
    return { kind: 'json', schema: (rf.json_schema.schema ?? {}) as Record<string, unknown> };
  }
  throw badRequest(`Unsupported response_format type: ${String(rf.type)}`, 'response_format');
}

/** Picks the output mode; throws the 400s vLLM answers before generation. */
export function outputMode(ctx: SimContext, body: Body, messages: unknown[]): OutputMode {
  const tools = functionTools(body);
  const forced = toolChoice(body, tools);
  const format = responseFormat(body);
  if (forced === null) return format;
  if (ctx.opts.toolCallParser === null) {
    if (forced.choice === 'auto') {
      throw badRequest('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
    }
    const desc = forced.choice === 'named' ? `function "${forced.tool.name}"` : '"required"';
    throw badRequest(`tool_choice=${desc} requires --tool-call-parser to be set`);
  }
  if (forced.choice !== 'auto') return forced;
  if (!ctx.opts.enableAutoToolChoice) {
    throw badRequest('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
  }
  const asked = autoToolFor(tools, messages);
  return asked ? { kind: 'tool', choice: 'auto', tool: asked } : format;
}

/** The `auto` rule: the last message is the user's and names a tool. */
export function autoToolFor(tools: FunctionTool[], messages: unknown[]): FunctionTool | null {
  const last = messages.at(-1) as { role?: unknown; content?: unknown } | undefined;
  if (last?.role !== 'user') return null;
  const text = contentText(last.content).toLowerCase();
  return tools.find((t) => text.includes(t.name.toLowerCase())) ?? null;
}
