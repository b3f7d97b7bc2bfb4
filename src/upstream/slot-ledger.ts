/**
 * @module upstream/slot-ledger — the seam for per-(replica, adapter) in-flight counts across gateway processes
 * (memory | Redis; contract: test/contracts/slot-ledger.contract.ts). vLLM's `--max-loras` slots are shared by
 * every gateway in front of a replica, so with several gateways the affinity choice must see every gateway's
 * requests, and two gateways must not both take a replica's last slot: `claim()` chooses and reserves in one
 * atomic step. The memory ledger shares nothing (`claim` answers null: choose from this process's counters).
 */

export interface SlotCandidate {
  /** The replica's URL: every gateway knows a replica by it (ids are local names). */
  url: string;
  maxLoras: number;
  /** The adapter is registered there already (no load needed). */
  registered: boolean;
  /** This process's in-flight count plus vLLM's last reported queue: the tie-breaker. */
  load: number;
}

export interface SlotLedger {
  /** True when counts are shared with other gateways. */
  readonly shared: boolean;
  /**
   * Chooses among `candidates` by LoRA affinity over every gateway's in-flight requests and reserves one slot
   * for `adapter` there, atomically. Null: no candidate has room (or the store is unreachable) — the caller
   * decides from its own counters and reserves with `add()`.
   */
  claim(candidates: SlotCandidate[], adapter: string): Promise<string | null>;
  /** Counts one request more (+1) or less (-1) for `adapter` on the replica at `url`; fire and forget. */
  add(url: string, adapter: string, delta: 1 | -1): void;
  close?(): Promise<void>;
}

export function localSlots(): SlotLedger {
  return {
    shared: false,
    async claim() {
      return null;
    },
    add() {},
  };
}
