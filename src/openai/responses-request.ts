/**
 * @module openai/responses-request — the `POST /v1/responses` body lorag accepts (OpenAI's Responses API,
 * shared/reference/responses-api.md). Three kinds of field:
 * - honoured: translated onto chat completions (src/responses/to-chat.ts);
 * - accepted no-ops, echoed on the response: `service_tier`, `prompt_cache_key`, `prompt_cache_retention`,
 *   `safety_identifier`, `truncation: "disabled"`, `reasoning` without effort/summary, `stream_options`,
 *   `background: false`, `text.verbosity: "medium"`;
 * - refused with 400 and `param` (`refusal()`): anything lorag cannot do, and every field it does not know
 *   (OpenAI's "Unrecognized request argument supplied"), so nothing is silently dropped.
 */
import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.ts';
import { loragExtensionSchema } from './requests.ts';

const contentPart = z.object({ type: z.string() }).loose();

export const messageItemSchema = z.object({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  status: z.string().optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([z.string(), z.array(contentPart)]),
});

export const functionCallItemSchema = z.object({
  type: z.literal('function_call'),
  id: z.string().optional(),
  status: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

export const functionCallOutputItemSchema = z.object({
  type: z.literal('function_call_output'),
  id: z.string().optional(),
  status: z.string().optional(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPart)]),
});

/** Our own earlier output, sent back by clients that replay the whole conversation (the Agents SDK). */
export const fileSearchCallItemSchema = z
  .object({ type: z.literal('file_search_call'), id: z.string().optional() })
  .loose();

export const inputItemSchema = z.union([
  functionCallItemSchema,
  functionCallOutputItemSchema,
  fileSearchCallItemSchema,
  messageItemSchema,
]);
export type InputItem = z.infer<typeof inputItemSchema>;

export const functionToolSchema = z.object({
  type: z.literal('function'),
  name: z.string().min(1).max(64),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type FunctionTool = z.infer<typeof functionToolSchema>;

export const fileSearchToolSchema = z.object({
  type: z.literal('file_search'),
  vector_store_ids: z.array(z.string().min(1)).min(1).max(16),
  max_num_results: z.number().int().min(1).max(50).optional(),
  filters: z.null().optional(),
  ranking_options: z.object({}).loose().optional(),
});
export type FileSearchTool = z.infer<typeof fileSearchToolSchema>;

export const toolSchema = z.discriminatedUnion('type', [functionToolSchema, fileSearchToolSchema]);

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: z.string().min(1) }),
  z.object({ type: z.literal('file_search') }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const textFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);
export type TextFormat = z.infer<typeof textFormatSchema>;

export const INCLUDABLE = ['file_search_call.results'] as const;

export const responsesRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(inputItemSchema)]),
    instructions: z.string().nullish(),
    previous_response_id: z.string().min(1).nullish(),
    store: z.boolean().nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullish(),
    tools: z.array(toolSchema).nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    text: z.object({ format: textFormatSchema.nullish(), verbosity: z.literal('medium').nullish() }).nullish(),
    max_output_tokens: z.number().int().min(1).max(1_000_000).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
    user: z.string().nullish(),
    include: z.array(z.enum(INCLUDABLE)).nullish(),
    lorag: loragExtensionSchema.optional(),
    // Accepted and echoed: they change nothing here.
    service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
    prompt_cache_key: z.string().nullish(),
    prompt_cache_retention: z.string().nullish(),
    safety_identifier: z.string().nullish(),
    truncation: z.literal('disabled').nullish(),
    reasoning: z
      .object({ effort: z.null().optional(), summary: z.null().optional(), generate_summary: z.null().optional() })
      .nullish(),
    background: z.literal(false).nullish(),
  })
  .strict()
  .refine((b) => (b.metadata ? Object.keys(b.metadata).length <= 16 : true), {
    message: 'metadata may have at most 16 keys',
    path: ['metadata'],
  });
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** Why a field is refused, for the 400's message (the field is known, lorag cannot do it). */
const REFUSALS: Record<string, string> = {
  background: 'Background responses are not supported by lorag.',
  reasoning: 'Reasoning options (effort, summary) are not supported by lorag.',
  truncation: "Only truncation 'disabled' is supported by lorag.",
  include: "Only include 'file_search_call.results' is supported by lorag.",
  tools: 'Only function and file_search tools are supported by lorag.',
  tool_choice: "tool_choice must be 'none', 'auto', 'required', a function or file_search.",
  filters: 'file_search filters are not supported by lorag.',
  verbosity: "Only text.verbosity 'medium' is supported by lorag.",
};

/** Parses the body or throws the OpenAI-style 400 with `param` for the first problem. */
export function parseResponsesRequest(raw: unknown): ResponsesRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  }
  checkItemTypes((raw as Record<string, unknown>).input);
  const result = responsesRequestSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const param = [...path, issue.keys[0]].join('.');
    throw new GatewayError('invalid_request', `Unrecognized request argument supplied: ${param}`, { param });
  }
  const param = path.length ? path.join('.') : null;
  const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], raw);
  if (issue.code === 'invalid_type' && value === undefined) {
    throw new GatewayError('missing_required_parameter', `Missing required parameter: '${param}'.`, { param });
  }
  const known = [...path].reverse().find((k) => REFUSALS[k]);
  const why = known ? REFUSALS[known] : issue.message;
  throw new GatewayError('invalid_value', `Invalid value for '${param ?? 'body'}': ${why}`, { param });
}

const ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'file_search_call']);

/** A clear 400 for an input item lorag has no translation for (images, reasoning, item references…). */
function checkItemTypes(input: unknown): void {
  if (!Array.isArray(input)) return;
  input.forEach((item, i) => {
    const type = (item as { type?: unknown } | null)?.type;
    if (type !== undefined && (typeof type !== 'string' || !ITEM_TYPES.has(type))) {
      throw new GatewayError('invalid_value', `Unsupported input item type '${String(type)}'.`, {
        param: `input.${i}.type`,
      });
    }
  });
}
