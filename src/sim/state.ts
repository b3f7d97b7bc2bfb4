/**
 * @module sim/state — a read-only view of a running simulator for tests and the bench (the same facts
 * `/metrics` and `/v1/models` expose, without parsing them).
 */
import type { SimContext } from './context.ts';

export interface SimState {
  /** Requests admitted and generating. */
  readonly running: number;
  /** Requests queued: beyond --max-num-seqs, or waiting for a LoRA slot. */
  readonly waiting: number;
  runningAdapters(): string[];
  waitingAdapters(): string[];
  /** Registered adapters (what `/v1/models` lists), in registration order. */
  adapters(): { name: string; path: string; parent: string }[];
  /** `lorag_sim_requests_total` by model. */
  requestCounts(): Record<string, number>;
  /** `lorag_sim_requests_waited_total` by reason (`lora_slots`, `max_num_seqs`). */
  waitedCounts(): Record<string, number>;
  /** `lorag_sim_lora_load_requests_total` by lora_name. */
  loadRequestCounts(): Record<string, number>;
}

export function createSimState(ctx: SimContext): SimState {
  return {
    get running() {
      return ctx.slots.running;
    },
    get waiting() {
      return ctx.slots.waiting;
    },
    runningAdapters: () => ctx.slots.runningAdapters(),
    waitingAdapters: () => ctx.slots.waitingAdapters(),
    adapters: () => [...ctx.registry.adapters.values()].map(({ name, path, parent }) => ({ name, path, parent })),
    requestCounts: () => Object.fromEntries(ctx.metrics.requests),
    waitedCounts: () => Object.fromEntries(ctx.metrics.waited),
    loadRequestCounts: () => Object.fromEntries(ctx.metrics.loadRequests),
  };
}
