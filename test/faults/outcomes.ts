/**
 * What one client (the official `openai` SDK, no retries) saw, in four kinds:
 * - succeeded: a complete answer (a stream counts only when a choice finished: `finish_reason` seen);
 * - clean error: the gateway said why — an OpenAI error envelope with its status (not a 500 `internal_error`),
 *   an SSE `error` event on a stream, or a connection refused before anything was sent (safe to retry);
 * - unclean: anything else — a reset connection, a stream cut without an error event, a 500, a non-OpenAI body;
 * - hung: no outcome within the hang limit (then aborted).
 * Tallies are recorded per fault for the faults × outcomes table (test/faults/run.ts prints it).
 */
import { appendFileSync } from 'node:fs';
import OpenAI from 'openai';

export type Outcome = 'succeeded' | 'clean_error' | 'unclean' | 'hung';

export interface Tally {
  succeeded: number;
  clean_error: number;
  unclean: number;
  hung: number;
  /** Why each unclean or hung one was (the first few), and a histogram of clean errors by code. */
  problems: string[];
  cleanCodes: Record<string, number>;
}

export function newTally(): Tally {
  return { succeeded: 0, clean_error: 0, unclean: 0, hung: 0, problems: [], cleanCodes: {} };
}

export function total(t: Tally): number {
  return t.succeeded + t.clean_error + t.unclean + t.hung;
}

/** A limit far above any answer in these suites: only a request that never ends reaches it. */
export const HANG_MS = 30_000;

export interface Seen {
  outcome: Outcome;
  detail: string;
}

function classifyError(err: unknown): Seen {
  if (err instanceof OpenAI.APIConnectionError && !(err instanceof OpenAI.APIConnectionTimeoutError)) {
    const code = (err.cause as { code?: string; cause?: { code?: string } } | undefined)?.cause?.code;
    const code2 = (err.cause as { code?: string } | undefined)?.code;
    if (code === 'ECONNREFUSED' || code2 === 'ECONNREFUSED') return { outcome: 'clean_error', detail: 'ECONNREFUSED' };
    const inner = (err.cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    const why = inner ? `${inner.code ?? ''} ${inner.message ?? ''}`.trim() : (err.cause as Error)?.message;
    return { outcome: 'unclean', detail: `connection: ${why ?? err.message}` };
  }
  if (err instanceof OpenAI.APIError) {
    const body = err.error as { message?: unknown; type?: unknown; code?: unknown } | undefined;
    const envelope = body && typeof body.message === 'string' && typeof body.type === 'string';
    if (!envelope) return { outcome: 'unclean', detail: `status ${err.status}: not an OpenAI error body` };
    if (err.status === 500 || body.code === 'internal_error') {
      return { outcome: 'unclean', detail: `500 internal_error: ${String(body.message)}` };
    }
    // A stream's SSE error event has no HTTP status of its own.
    return { outcome: 'clean_error', detail: `${err.status ?? 'sse'} ${String(body.code ?? body.type)}` };
  }
  return { outcome: 'unclean', detail: `${(err as Error)?.name}: ${(err as Error)?.message}` };
}

/** Runs one SDK call (stream or not) to its outcome; `call` gets a signal that is aborted at the hang limit. */
export async function observe(
  call: (signal: AbortSignal) => Promise<AsyncIterable<OpenAI.Chat.ChatCompletionChunk> | OpenAI.Chat.ChatCompletion>,
  hangMs = HANG_MS,
): Promise<Seen> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Seen>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ outcome: 'hung', detail: `no outcome in ${hangMs} ms` });
    }, hangMs);
  });
  const run = (async (): Promise<Seen> => {
    try {
      const result = await call(abort.signal);
      if (Symbol.asyncIterator in result) {
        let finished = false;
        for await (const chunk of result) if (chunk.choices?.some((c) => c.finish_reason)) finished = true;
        return finished
          ? { outcome: 'succeeded', detail: 'stream' }
          : { outcome: 'unclean', detail: 'stream ended without finish_reason or error event' };
      }
      return result.choices?.length
        ? { outcome: 'succeeded', detail: 'json' }
        : { outcome: 'unclean', detail: 'answer without choices' };
    } catch (err) {
      if (abort.signal.aborted) return { outcome: 'hung', detail: `no outcome in ${hangMs} ms` };
      return classifyError(err);
    }
  })();
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

export function count(tally: Tally, seen: Seen): void {
  tally[seen.outcome]++;
  if (seen.outcome === 'clean_error') tally.cleanCodes[seen.detail] = (tally.cleanCodes[seen.detail] ?? 0) + 1;
  else if (seen.outcome !== 'succeeded' && tally.problems.length < 10) tally.problems.push(seen.detail);
}

/** One row of the faults × outcomes table: printed, and appended to $FAULTS_RESULTS for test/faults/run.ts. */
export function record(fault: string, tally: Tally, note = ''): void {
  const row = { fault, ...tally, note };
  const file = process.env.FAULTS_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
  process.stderr.write(
    `faults: ${fault}: ${tally.succeeded} ok, ${tally.clean_error} clean ${JSON.stringify(tally.cleanCodes)}, ` +
      `${tally.unclean} unclean, ${tally.hung} hung${tally.problems.length ? ` ${JSON.stringify(tally.problems)}` : ''}` +
      `${note ? ` (${note})` : ''}\n`,
  );
}

/**
 * Closed-loop load: `workers` clients, each sending one request after another (`next(i)` builds it) until
 * `stop()` says so. Resolves when every client's last request has an outcome.
 */
export async function closedLoop(
  workers: number,
  tally: Tally,
  next: (n: number) => Promise<Seen>,
  stop: () => boolean,
): Promise<void> {
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stop()) count(tally, await next(n++));
    }),
  );
}

/** Resolves once `check()` holds (polled); progress-based waiting, never a fixed sleep in place of an event. */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The fault suites run under `npm run test:faults` (which sets FAULTS_RESULTS); inside `npm test` they are
 * skipped, so CI runs each of them once.
 */
export const faultSuite = process.env.FAULTS_RESULTS ? {} : { skip: 'run by npm run test:faults' };
