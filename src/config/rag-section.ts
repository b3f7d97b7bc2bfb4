/** @module rag/config — `vector_store`, `embeddings`, `knowledge` sections and per-tenant retrieval settings. */
import { z } from 'zod';

export const vectorStoreConfigSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('lancedb'), path: z.string().default('./data/lancedb') }).strict(),
    z
      .object({
        kind: z.literal('qdrant'),
        url: z.string().url(),
        api_key: z.string().optional(),
        timeout_ms: z.number().int().min(1).default(5000),
      })
      .strict(),
    z.object({ kind: z.literal('none') }).strict(),
  ])
  .default({ kind: 'lancedb', path: './data/lancedb' });
export type VectorStoreConfig = z.infer<typeof vectorStoreConfigSchema>;

export const embeddingsConfigSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        /** Any OpenAI-compatible /v1/embeddings endpoint: vLLM pooling model, TEI, OpenAI. */
        kind: z.literal('openai'),
        url: z.string().url(),
        model: z.string().min(1),
        api_key: z.string().optional(),
        dimensions: z.number().int().min(1).optional(),
        batch_size: z.number().int().min(1).default(64),
        timeout_ms: z.number().int().min(1).default(10_000),
      })
      .strict(),
    /** Deterministic hashed bag-of-words vectors: for tests and demos only, never a silent default. */
    z.object({ kind: z.literal('hash'), dimensions: z.number().int().min(8).default(256) }).strict(),
    z.object({ kind: z.literal('none') }).strict(),
  ])
  .default({ kind: 'none' });
export type EmbeddingsConfig = z.infer<typeof embeddingsConfigSchema>;

export const knowledgeConfigSchema = z
  .object({
    /** How often a running gateway re-reads knowledge revisions (so a CLI ingestion invalidates cached answers). */
    revision_poll_ms: z.number().int().min(50).default(1000),
    /** Retrievals remembered per process (tenant, revisions, query, top_k): a repeated question costs no
     * embedding and no search; a new revision misses. 0 turns it off. */
    query_cache_entries: z.number().int().min(0).default(1000),
    /** Largest file (CLI) or upload (POST /admin/ingest) accepted; larger files are skipped with a reason. */
    ingest_max_bytes: z
      .number()
      .int()
      .min(1)
      .default(50 * 1024 * 1024),
    /** Chunk budget and overlap, in estimated tokens (rag/token-estimate). */
    chunk_tokens: z.number().int().min(32).max(8192).default(400),
    chunk_overlap_tokens: z.number().int().min(0).max(2048).default(60),
  })
  .strict()
  .refine((k) => k.chunk_overlap_tokens < k.chunk_tokens, {
    message: 'chunk_overlap_tokens must be below chunk_tokens',
  })
  .default({
    revision_poll_ms: 1000,
    query_cache_entries: 1000,
    ingest_max_bytes: 50 * 1024 * 1024,
    chunk_tokens: 400,
    chunk_overlap_tokens: 60,
  });
export type KnowledgeConfig = z.infer<typeof knowledgeConfigSchema>;

export const tenantRagSchema = z
  .object({
    top_k: z.number().int().min(1).max(50).default(4),
    /** Minimum dense similarity for a passage to be used at all: the keyword leg only ranks passages above it. */
    score_floor: z.number().min(-1).max(1).optional(),
    /** Recent turns (besides the last user message) added to the retrieval query. */
    history_turns: z.number().int().min(0).max(20).default(1),
    /** Share of the context window given to retrieved passages at most. */
    max_context_tokens: z.number().int().min(64).default(2048),
    template: z.enum(['en', 'zh']).default('en'),
    /** `answer`: answer without context, flagged `x-lorag-degraded: retrieval`; `error`: 503. */
    on_failure: z.enum(['answer', 'error']).default('answer'),
  })
  .strict()
  .default({ top_k: 4, history_turns: 1, max_context_tokens: 2048, template: 'en', on_failure: 'answer' });
export type TenantRag = z.infer<typeof tenantRagSchema>;
