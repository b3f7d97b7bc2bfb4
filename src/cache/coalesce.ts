/**
 * @module cache/coalesce — in-process half of request coalescing: one pending flight per cache key. The first
 * request for a key registers a flight (synchronously, before any await, so that concurrent identical requests
 * see it); the others wait on it. A flight settles with the stored answer, or null when its leader abandoned.
 */
import type { CachedCompletion } from './types.ts';

export interface Flight {
  readonly promise: Promise<CachedCompletion | null>;
  settle(entry: CachedCompletion | null): void;
}

export class Flights {
  #pending = new Map<string, Flight>();

  get(key: string): Flight | undefined {
    return this.#pending.get(key);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Registers the caller as the key's local leader. */
  open(key: string): Flight {
    let resolve!: (entry: CachedCompletion | null) => void;
    const promise = new Promise<CachedCompletion | null>((r) => {
      resolve = r;
    });
    const flight: Flight = {
      promise,
      settle: (entry) => {
        if (this.#pending.get(key) === flight) this.#pending.delete(key);
        resolve(entry);
      },
    };
    this.#pending.set(key, flight);
    return flight;
  }
}

/** Waits for `promise` at most `ms`; resolves `timedOut` on expiry. */
export async function waitAtMost<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | 'timedOut'> {
  if (ms <= 0) return 'timedOut';
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<'timedOut'>((resolve) => {
    timer = setTimeout(() => resolve('timedOut'), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), expiry]);
  } finally {
    clearTimeout(timer);
  }
}
