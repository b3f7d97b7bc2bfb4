/**
 * @module openai/responses-objects — the Responses API bodies lorag answers with, for the OpenAPI document.
 * Loose: they pin what clients rely on (object kinds, ids, status, output items, usage) and let the rest through.
 */
import { z } from 'zod';

const outputItem = z.object({ type: z.string(), id: z.string().optional() }).loose();

export const responseObjectSchema = z
  .object({
    id: z.string().regex(/^resp_/),
    object: z.literal('response'),
    created_at: z.number().int(),
    status: z.enum(['completed', 'incomplete', 'failed', 'in_progress']),
    model: z.string(),
    output: z.array(outputItem),
    usage: z
      .object({ input_tokens: z.number().int(), output_tokens: z.number().int(), total_tokens: z.number().int() })
      .loose()
      .nullable(),
  })
  .loose();

export const inputItemListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(outputItem),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
  .loose();

export const responseDeletedSchema = z
  .object({ id: z.string(), object: z.literal('response'), deleted: z.literal(true) })
  .loose();
