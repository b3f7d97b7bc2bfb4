/**
 * @module data-check/schemas — the two dataset shapes lorag reads: evaluation cases (`lorag eval`) and
 * Alpaca-format training records (LLaMA-Factory's `formatting: alpaca`, what `adapters/<name>/data/` holds).
 */
import { z } from 'zod';

const nonEmpty = z.string().refine((s) => s.trim().length > 0, 'must not be empty');

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.string(),
});

export const evalKinds = ['domain', 'general', 'unanswerable'] as const;

export const evalCaseSchema = z
  .object({
    id: z.union([nonEmpty, z.number().int()]).transform(String),
    question: nonEmpty.optional(),
    messages: z.array(chatMessageSchema).min(1).optional(),
    // Several acceptable answers may be given (SQuAD style); metrics take the best match.
    reference: z.union([z.string(), z.array(nonEmpty).min(1)]),
    gold_documents: z.array(nonEmpty).optional(),
    kind: z.enum(evalKinds).default('domain'),
    tags: z.array(nonEmpty).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.question && !c.messages)
      ctx.addIssue({ code: 'custom', path: ['question'], message: 'either question or messages is required' });
    if (c.question && c.messages)
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'give question or messages, not both' });
    if (c.messages && !c.messages.some((m) => m.role === 'user'))
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'needs at least one user message' });
    const refs = Array.isArray(c.reference) ? c.reference : [c.reference];
    if (c.kind !== 'unanswerable' && refs.every((r) => r.trim() === ''))
      ctx.addIssue({ code: 'custom', path: ['reference'], message: `must not be empty for kind '${c.kind}'` });
  });

export type EvalCase = z.infer<typeof evalCaseSchema>;

export const alpacaRecordSchema = z
  .object({
    instruction: z.string(),
    input: z.string().default(''),
    output: z.string(),
    system: z.string().optional(),
    history: z.array(z.tuple([z.string(), z.string()])).optional(),
  })
  .strict();

export type AlpacaRecord = z.infer<typeof alpacaRecordSchema>;

export type DatasetKind = 'eval' | 'alpaca';

/** The text a model is asked: an eval case's question (or its last user message), a record's instruction + input. */
export function promptText(kind: DatasetKind, value: EvalCase | AlpacaRecord): string {
  if (kind === 'alpaca') {
    const r = value as AlpacaRecord;
    return r.input ? `${r.instruction}\n${r.input}` : r.instruction;
  }
  const c = value as EvalCase;
  return c.question ?? c.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '';
}

/** Guesses the kind from a record's keys. */
export function guessKind(value: unknown): DatasetKind | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  if ('instruction' in value || 'output' in value) return 'alpaca';
  if ('reference' in value || 'question' in value || 'messages' in value) return 'eval';
  return null;
}
