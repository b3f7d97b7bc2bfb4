/**
 * @module openai/requests — the request bodies lorag accepts. Only the fields the gateway reads or must
 * range-check are declared; everything else passes through to vLLM untouched (`.loose()`), as vLLM itself
 * accepts unknown fields.
 */
import { z } from 'zod';

/** The body extension clients send via `extra_body` (design.md "Strategy"); stripped before vLLM. */
export const loragExtensionSchema = z
  .object({
    strategy: z.enum(['base', 'lora', 'rag', 'hybrid']).optional(),
    top_k: z.number().int().min(1).max(50).optional(),
    collections: z.array(z.string().min(1)).max(16).optional(),
  })
  .strict();
export type LoragExtension = z.infer<typeof loragExtensionSchema>;

const contentPartSchema = z.object({ type: z.string() }).loose();
export const chatMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
    name: z.string().optional(),
  })
  .loose();
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const streamOptionsSchema = z
  .object({ include_usage: z.boolean().optional(), continuous_usage_stats: z.boolean().optional() })
  .loose();

const samplingFields = {
  model: z.string().min(1, 'model must be a non-empty string'),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema.nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().nullish(),
  lorag: loragExtensionSchema.optional(),
};

export const chatCompletionRequestSchema = z
  .object({
    ...samplingFields,
    messages: z.array(chatMessageSchema).min(1, 'messages must contain at least one message'),
    max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export const completionRequestSchema = z
  .object({
    ...samplingFields,
    prompt: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
  })
  .loose();
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export const embeddingRequestSchema = z
  .object({
    model: z.string().min(1).optional(),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().min(1).optional(),
    user: z.string().optional(),
  })
  .loose();
export type EmbeddingRequest = z.infer<typeof embeddingRequestSchema>;

export type Endpoint = 'chat' | 'completions';
export type GenerationRequest = ChatCompletionRequest | CompletionRequest;

/** The text the `auto` router and the retrieval query look at: the last user message. */
export function lastUserText(body: GenerationRequest): string {
  if ('messages' in body && Array.isArray(body.messages)) {
    for (let i = body.messages.length - 1; i >= 0; i--) {
      const m = body.messages[i];
      if (m.role === 'user') return contentText(m.content);
    }
    return '';
  }
  const p = (body as CompletionRequest).prompt;
  return typeof p === 'string' ? p : Array.isArray(p) && typeof p[0] === 'string' ? (p as string[]).join('\n') : '';
}

export function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}
