/**
 * @module adapters/manifest — `adapters/<name>/adapter.yaml`: one adapter, its versions, and the default
 * traffic split between them. A version's `source` is passed to vLLM verbatim as `lora_path`.
 */
import { z } from 'zod';
import { canarySplitSchema } from '../config/schema.ts';

export const adapterVersionSchema = z
  .object({
    version: z.coerce.string().regex(/^[A-Za-z0-9._-]+$/, 'versions are [A-Za-z0-9._-]'),
    /** A path or URI as the vLLM replica sees it (local dir, HF repo id, …). */
    source: z.string().min(1),
    rank: z.number().int().min(1).max(512).optional(),
    /** Retired versions are never routed to; they are unloaded once drained. */
    retired: z.boolean().default(false),
  })
  .strict();
export type AdapterVersion = z.infer<typeof adapterVersionSchema>;

export const adapterManifestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'adapter names are lower-case [a-z0-9_-]'),
    description: z.string().min(1),
    base_model: z.string().min(1),
    rank: z.number().int().min(1).max(512),
    /** Example requests, used (with the description) by the `auto` router. */
    examples: z.array(z.string()).default([]),
    versions: z.array(adapterVersionSchema).min(1),
    /** Default split between versions; without it the highest non-retired version takes all traffic. */
    split: canarySplitSchema.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    for (const [i, v] of m.versions.entries()) {
      if (seen.has(v.version)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'version'], message: 'duplicate' });
      seen.add(v.version);
    }
    for (const key of Object.keys(m.split ?? {})) {
      const [name, version] = key.split('@');
      if (name !== m.name || !seen.has(version)) {
        ctx.addIssue({ code: 'custom', path: ['split', key], message: `not a version of ${m.name}` });
      }
    }
  });
export type AdapterManifest = z.infer<typeof adapterManifestSchema>;

/** The name a version is registered under on vLLM (design.md "Model names"). */
export function registeredName(name: string, version: string): string {
  return `${name}@${version}`;
}
