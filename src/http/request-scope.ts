/**
 * @module http/request-scope — the end of one request, in one place. Each stage that takes something that must
 * be given back (a rate-limit admission, a cache session, an upstream lease, spans) registers its ending here as
 * it takes it; the handler ends the scope exactly once, from one `finally`, with the request's outcome, and the
 * endings run in reverse order of registration (the last taken is the first given back). An exit path added
 * later cannot forget one: there is nothing to call but `end()`.
 */
import type { CachedCompletion } from '../cache/types.ts';
import type { Usage } from '../openai/responses.ts';
import type { LeaseOutcome } from '../upstream/replica-pool.ts';

/** How a request ended, as every ending needs to know it. */
export interface Outcome {
  status: number;
  /** Real usage as reported (the cached answer's for a hit); null when unknown. */
  usage: Usage | null;
  /** What the tenant is charged against its token limits: no GPU work for a hit; null refunds the estimate. */
  charged: Usage | null;
  /** A complete answer worth storing in the cache (null: store nothing, wake followers). */
  entry: CachedCompletion | null;
  /** How the upstream lease ends: `ok`, the replica `failed`, or `aborted` (client gone, request refused). */
  upstream: LeaseOutcome;
  error?: string;
  /** The answer's text for the content log (only called for tenants that opted in). */
  content?: () => string;
  /** The answer's `id` as the model server gave it (chat completion id). */
  responseId?: string;
  /** ms from the request's start to its first byte, when it had one. */
  firstByteMs?: number | null;
}

export type Ending = (outcome: Outcome) => void;

const noUsage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** An outcome for a request that failed before an answer existed. */
export function failedOutcome(status: number, error?: string): Outcome {
  return { status, usage: null, charged: null, entry: null, upstream: status === 499 ? 'aborted' : 'ok', error };
}

export { noUsage };

export class RequestScope {
  readonly #endings: Ending[] = [];
  #ended = false;

  /** Registers what must happen when the request ends, however it ends. */
  onEnd(ending: Ending): void {
    if (this.#ended) throw new Error('request scope already ended');
    this.#endings.push(ending);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Runs every ending once, newest first; one that throws does not stop the others. */
  end(outcome: Outcome): void {
    if (this.#ended) return;
    this.#ended = true;
    for (let i = this.#endings.length - 1; i >= 0; i--) {
      try {
        this.#endings[i](outcome);
      } catch {
        // An ending must not take the others down with it (each is fire-and-forget bookkeeping).
      }
    }
  }
}
