/**
 * @module rag/config-check — retrieval problems the schema alone cannot see (called from config/load's
 * cross-check). A tenant that may use `rag`/`hybrid` with collections needs a vector store and an embedder:
 * `embeddings.kind: none` is refused rather than silently turned into lexical-only search, and the hash
 * embedder must be named explicitly (it is for tests and demos).
 */
import type { Config } from './schema.ts';

export function ragConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  for (const [id, tenant] of Object.entries(config.tenants)) {
    const allowed = tenant.strategy.allowed ?? [tenant.strategy.default];
    const retrieves = allowed.some((s) => s === 'rag' || s === 'hybrid') && tenant.collections.length > 0;
    if (!retrieves) continue;
    if (config.vector_store.kind === 'none') {
      problems.push(
        `tenants.${id}: strategy rag/hybrid with collections needs a vector_store (lancedb or qdrant), not 'none'`,
      );
    }
    if (config.embeddings.kind === 'none') {
      problems.push(
        `tenants.${id}: strategy rag/hybrid with collections needs embeddings (kind: openai, or kind: hash for tests and demos)`,
      );
    }
  }
  return [...new Set(problems)];
}
