/**
 * @module rag/compose — the pure parts of retrieval: the query text (last user message plus the tenant's
 * window of recent turns), the passage budget, and the request body with the sources merged into its
 * system message (chat) or prepended to its prompt (completions). Everything else in the body — tools,
 * response_format, sampling parameters — is kept as it was.
 */

import type { TenantRag } from '../config/rag-section.ts';
import type { ChatCompletionRequest, CompletionRequest, Endpoint, GenerationRequest } from '../openai/requests.ts';
import { contentText, lastUserText } from '../openai/requests.ts';
import { estimateTokens } from '../openai/token-estimate.ts';
import { contextBlock, type SourceLine, sourceLine, templateOverhead } from './templates.ts';

/** The last user message, preceded by up to `historyTurns` earlier user/assistant messages (oldest first). */
export function retrievalQuery(body: GenerationRequest, historyTurns: number): string {
  if (!('messages' in body) || !Array.isArray(body.messages)) return lastUserText(body);
  const messages = body.messages;
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      last = i;
      break;
    }
  }
  if (last < 0) return '';
  const earlier: string[] = [];
  for (let i = last - 1; i >= 0 && earlier.length < historyTurns; i--) {
    const m = messages[i];
    if (m.role !== 'user' && m.role !== 'assistant') continue;
    const text = contentText(m.content).trim();
    if (text) earlier.unshift(text);
  }
  return [...earlier, contentText(messages[last].content)].join('\n').trim();
}

export interface BudgetInput {
  body: GenerationRequest;
  rag: TenantRag;
  maxModelLen?: number;
}

/** Margin for chat-template tokens (role markers, BOS) the estimate cannot see. */
const templateMargin = 64;

/**
 * Tokens available for passages: at most `rag.max_context_tokens`, and, when the context window is known,
 * what is left of it after the request's own prompt, its `max_tokens` (or, when absent, a reserve of a quarter
 * of the window up to 1024 for the answer) and the template. Estimates are conservative (token-estimate.ts).
 */
export function passageBudget({ body, rag, maxModelLen }: BudgetInput): number {
  let budget = rag.max_context_tokens - estimateTokens(templateOverhead(rag.template));
  if (maxModelLen) {
    const chat = body as ChatCompletionRequest;
    const maxTokens = chat.max_completion_tokens ?? body.max_tokens ?? Math.min(1024, Math.floor(maxModelLen / 4));
    const room =
      maxModelLen - maxTokens - promptTokens(body) - estimateTokens(templateOverhead(rag.template)) - templateMargin;
    budget = Math.min(budget, room);
  }
  return Math.max(0, budget);
}

function promptTokens(body: GenerationRequest): number {
  if ('messages' in body && Array.isArray(body.messages)) {
    return body.messages.reduce((n, m) => n + 4 + estimateTokens(contentText(m.content)), 0);
  }
  const p = (body as CompletionRequest).prompt;
  if (typeof p === 'string') return estimateTokens(p);
  if (Array.isArray(p) && typeof p[0] === 'string') return Math.max(...(p as string[]).map(estimateTokens));
  if (Array.isArray(p) && typeof p[0] === 'number') return p.length;
  if (Array.isArray(p)) return Math.max(...(p as number[][]).map((x) => x.length));
  return 0;
}

/** Takes passages in rank order while they fit; one that does not fit is skipped, a shorter later one may. */
export function fitSources<T extends Omit<SourceLine, 'index'>>(passages: T[], budget: number): T[] {
  const out: T[] = [];
  let used = 0;
  for (const p of passages) {
    const cost = estimateTokens(sourceLine({ ...p, index: out.length + 1 })) + 1;
    if (used + cost > budget) continue;
    out.push(p);
    used += cost;
  }
  return out;
}

/** Whether this body can carry sources: token-id prompts cannot have text prepended. */
export function canCompose(endpoint: Endpoint, body: GenerationRequest): boolean {
  if (endpoint === 'chat') return 'messages' in body && Array.isArray(body.messages);
  const p = (body as CompletionRequest).prompt;
  return typeof p === 'string' || (Array.isArray(p) && p.every((x) => typeof x === 'string'));
}

export function composeBody(
  endpoint: Endpoint,
  body: GenerationRequest,
  template: TenantRag['template'],
  sources: SourceLine[],
): GenerationRequest {
  if (sources.length === 0) return body;
  const block = contextBlock(template, sources);
  if (endpoint === 'completions') {
    const c = body as CompletionRequest;
    const prompt =
      typeof c.prompt === 'string' ? `${block}\n\n${c.prompt}` : (c.prompt as string[]).map((p) => `${block}\n\n${p}`);
    return { ...c, prompt };
  }
  const chat = body as ChatCompletionRequest;
  const messages = [...chat.messages];
  const first = messages[0];
  if (first && first.role === 'system') {
    const content = first.content;
    if (Array.isArray(content))
      messages[0] = { ...first, content: [...content, { type: 'text', text: `\n\n${block}` }] };
    else messages[0] = { ...first, content: content ? `${content}\n\n${block}` : block };
  } else {
    messages.unshift({ role: 'system', content: block });
  }
  return { ...chat, messages };
}
