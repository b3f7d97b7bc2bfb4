/**
 * @module train/recipe — `adapters/<name>/train/recipe.yaml`, the one training recipe both backends read:
 * the dataset (Alpaca JSONL, relative to the recipe), the LoRA shape, the hyperparameters and the probe that
 * tells a trained adapter from the base. Unknown keys and impossible values are readable errors by path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../config/load.ts';

/** Ranks vLLM accepts for --max-lora-rank (and so for an adapter it is to serve). */
export const VLLM_LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512] as const;

export const recipeSchema = z
  .object({
    adapter: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'adapter names are lower-case [a-z0-9_-]'),
    /** The version engine/prepare.py builds; `lorag train` picks the next free version unless --version. */
    version: z.coerce.string().optional(),
    dataset: z.string().min(1),
    /** What to write as base_model_name_or_path (what vLLM serves); default: the manifest's base_model. */
    base_model: z.string().min(1).optional(),
    backend: z.enum(['peft', 'llamafactory']).optional(),
    lora: z
      .object({
        r: z
          .number()
          .int()
          .refine((r) => (VLLM_LORA_RANKS as readonly number[]).includes(r), {
            message: `vLLM serves LoRA ranks ${VLLM_LORA_RANKS.join(', ')} only`,
          }),
        alpha: z.number().positive(),
        dropout: z.number().min(0).lt(1),
        target_modules: z.array(z.string().min(1)).min(1),
        /** QLoRA: 4 (or 8) for LLaMA-Factory's `quantization_bit`; the peft backend trains unquantized. */
        quantization_bit: z.union([z.literal(4), z.literal(8)]).optional(),
      })
      .strict(),
    train: z
      .object({
        learning_rate: z.number().positive().max(1),
        max_steps: z.number().int().min(1).max(1_000_000),
        batch_size: z.number().int().min(1),
        cutoff_len: z.number().int().min(8),
        seed: z.number().int().default(1),
        /** Early stop once the loss is under this and the probe answers (peft backend). */
        stop_loss: z.number().positive().optional(),
      })
      .strict(),
    probe: z
      .object({ prompt: z.string().min(1), expect_prefix: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type Recipe = z.infer<typeof recipeSchema>;

export class RecipeError extends Error {}

export interface LoadedRecipe {
  file: string;
  recipe: Recipe;
  /** The dataset, resolved against the recipe's folder. */
  dataset: string;
}

export function parseRecipe(text: string, file: string): LoadedRecipe {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new RecipeError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = recipeSchema.safeParse(raw);
  if (!parsed.success)
    throw new RecipeError(`${file}: invalid recipe:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`);
  return { file, recipe: parsed.data, dataset: resolve(dirname(file), parsed.data.dataset) };
}

export function loadRecipe(adaptersDir: string, name: string): LoadedRecipe {
  const file = resolve(adaptersDir, name, 'train', 'recipe.yaml');
  if (!existsSync(file)) throw new RecipeError(`no recipe for '${name}': ${file} does not exist`);
  const loaded = parseRecipe(readFileSync(file, 'utf8'), file);
  if (loaded.recipe.adapter !== name)
    throw new RecipeError(`${file}: adapter '${loaded.recipe.adapter}' must match its folder '${name}'`);
  return loaded;
}
