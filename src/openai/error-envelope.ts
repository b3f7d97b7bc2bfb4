/**
 * @module openai/error-envelope — OpenAI's error envelope `{"error":{"message","type","param","code"}}`, the
 * body of every error the gateway sends (design.md "Errors"); published in /openapi.json as the error schema.
 */
import { z } from 'zod';

export const errorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.enum([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'rate_limit_error',
      'server_error',
    ]),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
