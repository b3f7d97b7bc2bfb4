/**
 * @module embeddings/types — the embedder seam (a leaf service used by the `auto` router and by retrieval):
 * an OpenAI-compatible /v1/embeddings endpoint, or a deterministic hash embedder for tests only.
 */
export interface Embedder {
  /** Identifies the model (stored with collections, so a dimension or model change is detected). */
  readonly model: string;
  /** Vector size, when known before the first call. */
  readonly dimensions: number | undefined;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}
