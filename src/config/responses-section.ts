/** @module config/responses-section — the `responses` section of lorag.yaml (stored Responses API objects). */
import { z } from 'zod';

export const responsesConfigSchema = z
  .object({
    /**
     * `memory`: bounded, this process (one machine); `redis`: shared by every gateway replica (needs
     * `redis.url`). `store: false` requests are never kept either way.
     */
    store: z.enum(['memory', 'redis']).default('memory'),
    /** How long a stored response (and so its `previous_response_id` conversation) lives; OpenAI keeps 30 days. */
    ttl_s: z.number().int().min(1).default(2_592_000),
    /** `memory` only: the most responses kept; the oldest go first. */
    max_entries: z.number().int().min(1).default(10_000),
  })
  .strict()
  .default({ store: 'memory', ttl_s: 2_592_000, max_entries: 10_000 });
export type ResponsesConfig = z.infer<typeof responsesConfigSchema>;
