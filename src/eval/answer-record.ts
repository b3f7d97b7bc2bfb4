/**
 * @module eval/answer-record — one line of `answers.jsonl`: what the gateway answered one case for one
 * system (model × strategy), with what scoring needs (text, cited and retrieved documents, usage, latency)
 * and the ids feedback can refer to. Appended as each case finishes, so a run can be resumed.
 */
import { z } from 'zod';

export const strategies = ['base', 'lora', 'rag', 'hybrid'] as const;
export type EvalStrategy = (typeof strategies)[number];

export const answerRecordSchema = z.object({
  system: z.string(),
  case_id: z.string(),
  /** The model sent, and what the gateway says served (`legal@1` or `base`). */
  model: z.string(),
  adapter: z.string().nullable(),
  strategy: z.string().nullable(),
  request_id: z.string().nullable(),
  response_id: z.string().nullable(),
  answer: z.string(),
  /** Documents of the sources the answer cited with [n] markers, in marker order. */
  cited_documents: z.array(z.string()),
  /** What retrieval supplied, in source (rank) order. */
  retrieved: z.array(z.object({ document_id: z.string(), text: z.string() })),
  prompt_tokens: z.number().nullable(),
  completion_tokens: z.number().nullable(),
  latency_ms: z.number(),
  cache: z.string().nullable(),
  /** A refusal by the gateway that retrying does not change (4xx other than 429). */
  error: z.object({ status: z.number().nullable(), code: z.string().nullable(), message: z.string() }).nullable(),
});

export type AnswerRecord = z.infer<typeof answerRecordSchema>;

/** One thing evaluated: a model under a strategy (`base` and `rag` run on the base model). */
export interface EvalSystem {
  label: string;
  model: string;
  strategy: EvalStrategy;
  /** The adapter name@version asked for, or null for the base model. */
  adapter: string | null;
}
