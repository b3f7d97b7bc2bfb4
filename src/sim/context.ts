/**
 * @module sim/context — everything one simulator instance owns; there is no module-level state, so
 * several simulators can run in one process (tests, the bench).
 */
import type { Compat } from './errors.ts';
import type { LoraSlots } from './lora-slots.ts';
import type { SimMetrics } from './metrics.ts';
import type { ModelRegistry } from './models.ts';
import type { ResolvedSimOptions } from './options.ts';

export interface SimContext {
  opts: ResolvedSimOptions;
  compat: Compat;
  registry: ModelRegistry;
  slots: LoraSlots;
  metrics: SimMetrics;
  /** Seeded PRNG in [0,1): failure injection is reproducible from --seed. */
  random(): number;
  /** Tail of the per-name load chain (vLLM serialises loads per lora_name). */
  loadLocks: Map<string, Promise<unknown>>;
  /** Aborted on close(), so in-flight generations stop. */
  shutdown: AbortController;
}

/** mulberry32: tiny, fast, good enough to decide which requests fail. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
