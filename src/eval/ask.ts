/**
 * @module eval/ask — one case for one system through the gateway with the official OpenAI SDK: temperature 0
 * and a seed, the strategy in the `lorag` body extension, and what the answer carries (citations, usage,
 * lorag headers) turned into an AnswerRecord. Errors the SDK's own retries (429, 5xx, connection) could not
 * cure are thrown as `Unanswered`; a 4xx refusal is recorded as the case's result.
 */
import OpenAI from 'openai';
import type { EvalCase } from '../data-check/schemas.ts';
import type { AnswerRecord, EvalSystem } from './answer-record.ts';

export interface AskOptions {
  seed: number;
  maxTokens: number;
  collections?: string[];
  topK?: number;
  /** Let the gateway's response cache answer (off by default: latency should be the model's). */
  useCache?: boolean;
}

/** The case could not be answered now (gateway unreachable, still 429/5xx after retries): resume later. */
export class Unanswered extends Error {
  readonly gatewayGone: boolean;
  constructor(message: string, gatewayGone: boolean) {
    super(message);
    this.gatewayGone = gatewayGone;
  }
}

interface Citation {
  index: number;
  document_id: string;
  text?: string;
}

export function caseMessages(c: EvalCase): { role: 'system' | 'developer' | 'user' | 'assistant'; content: string }[] {
  return c.messages ?? [{ role: 'user', content: c.question ?? '' }];
}

export function requestBody(system: EvalSystem, c: EvalCase, o: AskOptions): Record<string, unknown> {
  const lorag: Record<string, unknown> = { strategy: system.strategy };
  if (system.strategy === 'rag' || system.strategy === 'hybrid') {
    if (o.collections) lorag.collections = o.collections;
    if (o.topK) lorag.top_k = o.topK;
  }
  return {
    model: system.model,
    messages: caseMessages(c),
    temperature: 0,
    seed: o.seed,
    max_tokens: o.maxTokens,
    lorag,
  };
}

export async function ask(client: OpenAI, system: EvalSystem, c: EvalCase, o: AskOptions): Promise<AnswerRecord> {
  const started = performance.now();
  const base = { system: system.label, case_id: c.id, model: system.model };
  try {
    const { data, response } = await client.chat.completions
      .create(requestBody(system, c, o) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, {
        headers: o.useCache ? {} : { 'cache-control': 'no-cache' },
      })
      .withResponse();
    const latency = performance.now() - started;
    const answer = data.choices[0]?.message?.content ?? '';
    const citations = ((data as unknown as { citations?: Citation[] }).citations ?? []).filter(
      (x) => x && typeof x.document_id === 'string',
    );
    const byIndex = new Map(citations.map((x) => [x.index, x.document_id]));
    const cited: string[] = [];
    for (const m of answer.matchAll(/\[(\d+)\]/g)) {
      const doc = byIndex.get(Number(m[1]));
      if (doc && !cited.includes(doc)) cited.push(doc);
    }
    return {
      ...base,
      adapter: response.headers.get('x-lorag-adapter'),
      strategy: response.headers.get('x-lorag-strategy'),
      request_id: response.headers.get('x-request-id'),
      response_id: data.id ?? null,
      answer,
      cited_documents: cited,
      retrieved: citations.map((x) => ({ document_id: x.document_id, text: x.text ?? '' })),
      prompt_tokens: data.usage?.prompt_tokens ?? null,
      completion_tokens: data.usage?.completion_tokens ?? null,
      latency_ms: latency,
      cache: response.headers.get('x-lorag-cache'),
      error: null,
    };
  } catch (err) {
    if (err instanceof OpenAI.APIConnectionError)
      throw new Unanswered(`the gateway is unreachable (${err.message})`, true);
    if (err instanceof OpenAI.APIError && err.status !== undefined && err.status < 500 && err.status !== 429) {
      return {
        ...base,
        adapter: null,
        strategy: null,
        request_id: err.headers?.get('x-request-id') ?? null,
        response_id: null,
        answer: '',
        cited_documents: [],
        retrieved: [],
        prompt_tokens: null,
        completion_tokens: null,
        latency_ms: performance.now() - started,
        cache: null,
        error: { status: err.status, code: (err.code as string | null) ?? null, message: err.message },
      };
    }
    if (err instanceof OpenAI.APIError) throw new Unanswered(`${err.status ?? ''} ${err.message}`.trim(), false);
    throw err;
  }
}
