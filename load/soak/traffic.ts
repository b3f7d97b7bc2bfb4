/**
 * @module load/soak/traffic — the soak's request mix, one official-SDK request at a time: JSON and streamed
 * chat on three tenants (legal and hr on their adapters, finance on the base model), repeated deterministic prompts (cache hits after the first), and retrieval
 * (`lorag.strategy: rag`) over legal's ingested documents, also streamed. The mix cycles in a fixed order so
 * that every window of the run sees the same proportions (p99 drift compares like with like).
 */
import type OpenAI from 'openai';

export type Tenant = 'legal' | 'hr' | 'finance';
export type Kind = 'chat' | 'stream' | 'cached' | 'cached-stream' | 'rag' | 'rag-stream';

interface Step {
  tenant: Tenant;
  kind: Kind;
}

export const MIX: Step[] = [
  { tenant: 'legal', kind: 'chat' },
  { tenant: 'hr', kind: 'stream' },
  { tenant: 'finance', kind: 'cached' },
  { tenant: 'legal', kind: 'rag' },
  { tenant: 'hr', kind: 'chat' },
  { tenant: 'finance', kind: 'stream' },
  { tenant: 'legal', kind: 'cached' },
  { tenant: 'hr', kind: 'cached-stream' },
  { tenant: 'legal', kind: 'rag-stream' },
  { tenant: 'finance', kind: 'chat' },
];

const RAG_QUESTIONS = [
  'How much notice does a supplier contract need?',
  'What does the NDA say about confidential information?',
  'Which data protection rules apply to transfers?',
  'How many days of leave are in the notice period?',
];

export interface Result {
  at: number;
  kind: Kind;
  tenant: Tenant;
  ok: boolean;
  ms: number;
  cache: string | null;
  error: string | null;
}

export async function sendOne(clients: Record<Tenant, OpenAI>, n: number): Promise<Result> {
  const { tenant, kind } = MIX[n % MIX.length];
  const client = clients[tenant];
  const cached = kind === 'cached' || kind === 'cached-stream';
  const rag = kind === 'rag' || kind === 'rag-stream';
  const stream = kind === 'stream' || kind === 'cached-stream' || kind === 'rag-stream';
  const content = cached
    ? `policy question ${n % 7}`
    : rag
      ? `${RAG_QUESTIONS[n % RAG_QUESTIONS.length]} (${n})`
      : `question ${n}`;
  const body = {
    // finance has no adapter of its own: its department uses the base model.
    model: tenant === 'finance' ? 'tiny-base' : tenant,
    messages: [{ role: 'user' as const, content }],
    max_tokens: 24,
    ...(cached ? { temperature: 0 } : {}),
    ...(rag ? { lorag: { strategy: 'rag' } } : {}),
  };
  const started = performance.now();
  const at = Date.now();
  try {
    let cache: string | null;
    if (stream) {
      const { data, response } = await client.chat.completions.create({ ...body, stream: true }).withResponse();
      cache = response.headers.get('x-lorag-cache');
      let finished = false;
      for await (const chunk of data) if (chunk.choices?.some((c) => c.finish_reason)) finished = true;
      if (!finished) throw new Error('stream ended without finish_reason');
    } else {
      const { data, response } = await client.chat.completions.create(body).withResponse();
      cache = response.headers.get('x-lorag-cache');
      if (!data.choices?.length) throw new Error('answer without choices');
    }
    return { at, kind, tenant, ok: true, ms: performance.now() - started, cache, error: null };
  } catch (err) {
    const e = err as { status?: number; message?: string };
    const error = `${e.status ?? ''} ${e.message ?? String(err)}`.trim().slice(0, 200);
    return { at, kind, tenant, ok: false, ms: performance.now() - started, cache: null, error };
  }
}
