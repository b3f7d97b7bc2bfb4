/**
 * @module adapters/check-new-version — what the admin API checks before it records a new version: the source is
 * allowed (source-policy.ts), and a folder source is a PEFT LoRA for the base model the replicas serve, within
 * their LoRA rank (validate-adapter.ts). The base model's names are its served name and the `root` each replica's
 * `GET /v1/models` reports (the path or id vLLM was started with), so an adapter trained against that path passes.
 */
import { existsSync } from 'node:fs';
import { allowedRoots, checkSource } from './source-policy.ts';
import { validateAdapterDir } from './validate-adapter.ts';

export interface NewVersionContext {
  source: string;
  /** The manifest's base model (the replicas' served name). */
  baseModel: string;
  adapters: { dir: string; allowed_roots?: string[]; max_lora_rank: number; validate_sources: boolean };
  /** URLs of the replicas serving that base model. */
  replicaUrls: string[];
  /** A declared rank (the version's `rank`), checked even for URI sources. */
  rank?: number;
}

/** `root`s of the base model's cards on the replicas (best effort: an unreachable replica adds nothing). */
export async function discoverBaseRoots(urls: string[], baseModel: string, timeoutMs = 2000): Promise<string[]> {
  const roots = await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(`${url.replace(/\/+$/, '')}/v1/models`, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.json()) as { data?: { id: string; root?: string | null; parent?: string | null }[] };
        return (body.data ?? []).filter((m) => m.id === baseModel && !m.parent && m.root).map((m) => m.root!);
      } catch {
        return [];
      }
    }),
  );
  return [...new Set(roots.flat())];
}

/** Every reason the version is refused; empty = accepted. */
export async function checkNewVersion(ctx: NewVersionContext): Promise<string[]> {
  const verdict = checkSource(ctx.source, allowedRoots(ctx.adapters));
  if (!verdict.ok) return [verdict.reason];
  const max = ctx.adapters.max_lora_rank;
  if (ctx.rank !== undefined && ctx.rank > max)
    return [`rank ${ctx.rank} is over the replicas' --max-lora-rank ${max}`];
  if (verdict.kind === 'uri' || !ctx.adapters.validate_sources) return [];
  if (!existsSync(verdict.resolved)) return [`source ${ctx.source}: no such folder (as this gateway sees it)`];
  const roots = await discoverBaseRoots(ctx.replicaUrls, ctx.baseModel);
  const baseDir = roots.find((r) => existsSync(r));
  const check = validateAdapterDir(verdict.resolved, {
    baseModels: [ctx.baseModel, ...roots],
    maxLoraRank: max,
    baseDir,
  });
  return check.reasons;
}
