/**
 * @module openai/responses — the parts of vLLM's responses the gateway reads or adds to (usage,
 * citations, annotations). Responses are otherwise passed through as vLLM produced them.
 */
import { z } from 'zod';

export const usageSchema = z
  .object({
    prompt_tokens: z.number().int().min(0),
    completion_tokens: z.number().int().min(0).optional().default(0),
    total_tokens: z.number().int().min(0),
  })
  .loose();
export type Usage = z.infer<typeof usageSchema>;

export const citationSchema = z.object({
  index: z.number().int().min(1),
  document_id: z.string(),
  chunk_id: z.string(),
  title: z.string().nullable(),
  url: z.string(),
  score: z.number(),
  text: z.string(),
});
export type Citation = z.infer<typeof citationSchema>;

export const urlCitationAnnotationSchema = z.object({
  type: z.literal('url_citation'),
  url_citation: z.object({
    start_index: z.number().int(),
    end_index: z.number().int(),
    title: z.string(),
    url: z.string(),
  }),
});
export type UrlCitationAnnotation = z.infer<typeof urlCitationAnnotationSchema>;

/** vLLM's nested error envelope (v0.10.1+) and the older flat one; both are accepted. */
export const upstreamErrorSchema = z.union([
  z.object({
    error: z.object({ message: z.string(), type: z.string().optional(), param: z.unknown().optional() }).loose(),
  }),
  z.object({ object: z.literal('error'), message: z.string(), type: z.string().optional() }).loose(),
  z.object({ detail: z.unknown() }).loose(),
]);
