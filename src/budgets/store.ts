/**
 * @module budgets/store — the budget store seam (memory | Redis; one contract suite in
 * test/contracts/budget-store.contract.ts). A store keeps one integer counter per budget line and period
 * (`id`, e.g. `t:legal:tokens:month:2026-12`) and an optional limit override per id (admin raise, in force
 * at once everywhere the store is shared). `reserve()` is all-or-nothing over the lines it is given.
 */

export interface ReserveLine {
  id: string;
  /** The configured limit; an override stored for `id` replaces it. */
  limit: number;
  /** What this request reserves (integer: tokens or cost micro-units). */
  amount: number;
  /** The counter may be forgotten after this instant (UTC ms). */
  expireAtMs: number;
}

export interface LineState {
  used: number;
  /** The limit in force (the override when there is one). */
  limit: number;
}

export interface ReserveResult {
  /** Every line had room: all were charged. Otherwise none was. */
  allowed: boolean;
  /** Index of the first line without room; -1 when allowed. */
  refused: number;
  /** Per line, `used` before this request. */
  before: number[];
  /** Per line, the state after (equal to before when refused). */
  after: LineState[];
}

export interface AdjustLine {
  id: string;
  /** Added to the counter (negative refunds); the counter never goes below 0. */
  delta: number;
  expireAtMs: number;
}

export interface CounterState {
  used: number;
  override: number | null;
}

export interface BudgetStore {
  reserve(lines: ReserveLine[]): Promise<ReserveResult>;
  /** Per line, the counter before and after. */
  adjust(lines: AdjustLine[]): Promise<{ before: number; after: number }[]>;
  read(ids: string[]): Promise<CounterState[]>;
  /** Sets (or with null removes) the limit override of `id` until `expireAtMs`. */
  setOverride(id: string, limit: number | null, expireAtMs: number): Promise<void>;
  /** Sets the counter of `id` to 0. */
  reset(id: string): Promise<void>;
  close?(): Promise<void>;
}
