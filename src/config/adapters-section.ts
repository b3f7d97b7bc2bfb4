/**
 * @module config/adapters-section — the `adapters` section of lorag.yaml: where the manifests live, which
 * sources an admin may register (allowed roots), the replicas' LoRA limits that registration validates
 * against, and the promotion gate's thresholds.
 */
import { z } from 'zod';

export const promotionGateSchema = z
  .object({
    /**
     * Metrics of `lorag eval`'s report.json that gate `promote --require`: the new version may be lower than the
     * current one by at most `max_drop` (absolute), and only a *measurable* drop (95% interval excluding 0) counts.
     */
    metrics: z
      .partialRecord(
        z.enum(['f1', 'em', 'rouge_l', 'bleu', 'general_f1']),
        z.object({ max_drop: z.number().min(0).default(0) }).strict(),
      )
      .default({ f1: { max_drop: 0 }, general_f1: { max_drop: 0 } }),
  })
  .strict();

export const adaptersSectionSchema = z
  .object({
    dir: z.string().default('./adapters'),
    /**
     * Sources the admin API accepts for a new version: folders (resolved against the gateway's working
     * directory, symlinks followed) or URI prefixes such as `sim://`. Default: `dir` and `sim://`.
     */
    allowed_roots: z.array(z.string().min(1)).optional(),
    /** The replicas' `--max-lora-rank` (vLLM's default 16); a version over it is refused at registration. */
    max_lora_rank: z.number().int().min(1).max(512).default(16),
    /**
     * Check a folder source before registering it (PEFT config, base model, rank, target modules, weights).
     * Turn off only when the gateway cannot see the folders the replicas load from.
     */
    validate_sources: z.boolean().default(true),
    promotion: promotionGateSchema.default({ metrics: { f1: { max_drop: 0 }, general_f1: { max_drop: 0 } } }),
  })
  .strict();
export type AdaptersSection = z.infer<typeof adaptersSectionSchema>;

export const adaptersSectionDefault = {
  dir: './adapters',
  max_lora_rank: 16,
  validate_sources: true,
  promotion: { metrics: { f1: { max_drop: 0 }, general_f1: { max_drop: 0 } } },
} as const;
