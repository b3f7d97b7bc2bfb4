/**
 * @module responses/store — the stored-responses seam (design.md "Surfaces beside chat completions"): `memory`
 * (bounded, this process; the default) | `redis` (TTL, shared by gateway replicas). Everything is scoped by
 * tenant: another tenant's id reads exactly like an unknown one. One contract suite:
 * test/contracts/response-store.contract.ts.
 */
type Json = Record<string, any>;

export interface StoredResponse {
  /** The Response object as the client received it. */
  response: Json;
  /** This request's input items (with ids), for `GET /v1/responses/{id}/input_items`. */
  inputItems: Json[];
  /** The conversation before this request (earlier inputs and outputs; never instructions). */
  history: Json[];
}

export interface ResponseStore {
  put(tenantId: string, record: StoredResponse): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredResponse | null>;
  /** True when something was deleted. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** The conversation a follow-up with `previous_response_id` continues: history, inputs, then outputs. */
export function conversationAfter(record: StoredResponse): Json[] {
  return [...record.history, ...record.inputItems, ...(record.response.output ?? [])];
}
