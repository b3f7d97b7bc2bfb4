/**
 * @module openai/feedback-request — the body of `POST /v1/feedback` (lorag's extension): a score for a response
 * the same tenant received, named by its `x-request-id` or its Responses `id`.
 */
import { z } from 'zod';

export const feedbackBodySchema = z
  .object({
    request_id: z.string().min(1).max(128).optional(),
    response_id: z.string().min(1).max(128).optional(),
    /** 0 = bad … 1 = good (thumbs down/up, or a rating scaled to 0..1). */
    score: z.number().min(0).max(1),
    comment: z.string().max(2000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(20).optional(),
  })
  .strict()
  .refine((b) => (b.request_id === undefined) !== (b.response_id === undefined), {
    message: 'give exactly one of request_id or response_id',
    path: ['request_id'],
  })
  // The refinement, as JSON Schema for /openapi.json (zod copies metadata into its output).
  .meta({ oneOf: [{ required: ['request_id'] }, { required: ['response_id'] }] });
