/**
 * @module config/server-section — the `server` section: listen address, body and JSON bounds, the socket
 * timeouts that keep slow clients from holding connections (Node's defaults would hold a 1 byte/s body for
 * minutes), shutdown grace and optional CORS.
 */
import { z } from 'zod';

export const corsConfigSchema = z
  .object({
    /** Origins allowed to call the API from a browser (`https://app.example.com`), or `*`. */
    allowed_origins: z.array(z.string().min(1)).default([]),
    /** How long a browser may cache a preflight answer. */
    max_age_s: z.number().int().min(0).default(600),
  })
  .strict();

export const serverConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    body_limit_bytes: z.number().int().min(1024).default(1_048_576),
    /** Objects/arrays nested deeper than this are refused at parse time (400 naming the field). */
    max_json_depth: z.number().int().min(2).max(1000).default(64),
    /** Until the request headers are complete (Node's `headersTimeout`): 408 past it. */
    headers_timeout_ms: z.number().int().min(1).max(300_000).default(15_000),
    /** Until the whole request, body included, is received (Node's `requestTimeout`): 408 past it. */
    request_timeout_ms: z.number().int().min(1).max(600_000).default(30_000),
    /** An idle keep-alive connection is closed after this long (Node's `keepAliveTimeout`). */
    idle_timeout_ms: z.number().int().min(1).default(65_000),
    shutdown_grace_ms: z.number().int().min(0).default(10_000),
    cors: corsConfigSchema.optional(),
  })
  .strict()
  .refine((s) => s.headers_timeout_ms <= s.request_timeout_ms, {
    message: 'headers_timeout_ms must not exceed request_timeout_ms',
    path: ['headers_timeout_ms'],
  });
export type ServerConfig = z.infer<typeof serverConfigSchema>;
