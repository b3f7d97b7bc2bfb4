/**
 * @module openai/response-schemas — the response bodies of the public routes as clients see them, for the
 * OpenAPI document (src/openai/openapi.ts). Loose like the request schemas: they pin what the gateway adds
 * or a client relies on (object kinds, ids, choices, citations) and let vLLM's other fields through.
 */
import { z } from 'zod';
import { citationSchema, urlCitationAnnotationSchema, usageSchema } from './responses.ts';

const usage = usageSchema;
const citations = z.array(citationSchema).optional();

export const chatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z
        .object({
          index: z.number().int().min(0),
          message: z
            .object({
              role: z.string(),
              content: z.string().nullable().optional(),
              annotations: z.array(urlCitationAnnotationSchema).nullish(),
            })
            .loose(),
          finish_reason: z.string().nullable(),
        })
        .loose(),
    ),
    usage: usage.nullable().optional(),
    citations,
  })
  .loose();

export const completionSchema = z
  .object({
    id: z.string(),
    object: z.literal('text_completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({ index: z.number().int().min(0), text: z.string(), finish_reason: z.string().nullable() }).loose(),
    ),
    usage: usage.nullable().optional(),
    citations,
  })
  .loose();

export const embeddingListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z
        .object({
          object: z.literal('embedding'),
          index: z.number().int().min(0),
          embedding: z.union([z.array(z.number()), z.string()]),
        })
        .loose(),
    ),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }).loose().optional(),
  })
  .loose();

export const modelCardSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
  root: z.string(),
  parent: z.string().nullable(),
});

export const modelListSchema = z.object({ object: z.literal('list'), data: z.array(modelCardSchema) });

export const knowledgeChunkSchema = z.object({
  object: z.literal('knowledge.chunk'),
  id: z.string(),
  collection: z.string(),
  document_id: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  section: z.string().nullable(),
  position: z.number().int(),
  text: z.string(),
});

export const healthSchema = z.object({ status: z.literal('ok') }).loose();

export const readinessSchema = z.object({ status: z.enum(['ready', 'not_ready']) }).loose();

/**
 * One server-sent event of a stream (OpenAPI 3.1 reads a `text/event-stream` schema as the schema of each
 * event): `data` is a chunk's JSON, and the last event's is `[DONE]`.
 */
export const eventStreamSchema = z
  .object({ data: z.string(), event: z.string().optional(), id: z.string().optional() })
  .loose()
  .describe('One SSE event: `data` holds a chunk as JSON; the last event is `data: [DONE]`.');

/** `POST /v1/feedback`: what was recorded, and for which adapter@version and strategy. */
export const feedbackRecordedSchema = z
  .object({
    object: z.literal('feedback'),
    request_id: z.string().optional(),
    response_id: z.string().optional(),
    adapter: z.string(),
    strategy: z.string(),
    score: z.number(),
  })
  .loose();
