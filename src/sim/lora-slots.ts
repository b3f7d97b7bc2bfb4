/**
 * @module sim/lora-slots — admission as vLLM's v1 scheduler does it (vllm.md §8): at most `maxNumSeqs`
 * running requests and at most `maxLoras` distinct adapters among them. A request for one adapter too many
 * stays waiting; the queue is scanned in order on every change, so base-model requests and requests for
 * adapters already running still start (no head-of-line blocking). Nothing is ever rejected.
 */
export type Release = () => void;

interface Waiter {
  adapter: string | null;
  resolve: (release: Release) => void;
}

export interface LoraSlots {
  /** Why a request for `adapter` would wait now, or null when it would start. */
  blockedBy(adapter: string | null): 'max_num_seqs' | 'lora_slots' | null;
  /** Admits the request now if it fits, else returns null (and queues nothing). */
  tryAcquire(adapter: string | null): Release | null;
  /** Resolves when the request may run; rejects with the signal's reason if aborted while waiting. */
  acquire(adapter: string | null, signal?: AbortSignal): Promise<Release>;
  readonly running: number;
  readonly waiting: number;
  /** Adapters with running requests, in the order they started running. */
  runningAdapters(): string[];
  /** Adapters with waiting requests, in queue order. */
  waitingAdapters(): string[];
}

export function createLoraSlots(maxLoras: number, maxNumSeqs: number, onChange: () => void = () => {}): LoraSlots {
  const runningByAdapter = new Map<string, number>();
  const queue: Waiter[] = [];
  let running = 0;

  function fits(adapter: string | null): boolean {
    if (running >= maxNumSeqs) return false;
    return adapter === null || runningByAdapter.has(adapter) || runningByAdapter.size < maxLoras;
  }

  function start(adapter: string | null): Release {
    running++;
    if (adapter !== null) runningByAdapter.set(adapter, (runningByAdapter.get(adapter) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running--;
      if (adapter !== null) {
        const n = (runningByAdapter.get(adapter) ?? 1) - 1;
        if (n === 0) runningByAdapter.delete(adapter);
        else runningByAdapter.set(adapter, n);
      }
      drain();
      onChange();
    };
  }

  function drain(): void {
    for (let i = 0; i < queue.length && running < maxNumSeqs; ) {
      const w = queue[i];
      if (fits(w.adapter)) {
        queue.splice(i, 1);
        w.resolve(start(w.adapter));
      } else i++;
    }
  }

  return {
    blockedBy(adapter) {
      if (running >= maxNumSeqs) return 'max_num_seqs';
      return fits(adapter) ? null : 'lora_slots';
    },
    tryAcquire(adapter) {
      if (!fits(adapter)) return null;
      const release = start(adapter);
      onChange();
      return release;
    },
    acquire(adapter, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (fits(adapter)) {
        const release = start(adapter);
        onChange();
        return Promise.resolve(release);
      }
      return new Promise<Release>((resolve, reject) => {
        const onAbort = () => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          onChange();
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          adapter,
          resolve: (release) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
        };
        queue.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
        onChange();
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    runningAdapters: () => [...runningByAdapter.keys()],
    waitingAdapters: () => [...new Set(queue.flatMap((w) => (w.adapter === null ? [] : [w.adapter])))],
  };
}
