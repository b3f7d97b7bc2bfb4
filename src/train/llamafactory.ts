/**
 * @module train/llamafactory — the `llamafactory` backend: the recipe as LLaMA-Factory's training YAML
 * (`stage: sft`, `finetuning_type: lora`, `quantization_bit: 4` for QLoRA), checked against the arguments
 * LLaMA-Factory 0.9.5's parser accepts (llamafactory-keys.json, read from its own argument dataclasses plus
 * Hugging Face's Seq2SeqTrainingArguments by engine/llamafactory_keys.py) and against the dataset_info.json
 * the `dataset` name must be in. `llamafactory-cli train FILE` runs it when installed; else the command is printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import type { LoadedRecipe } from './recipe.ts';

const KEYS = JSON.parse(readFileSync(new URL('./llamafactory-keys.json', import.meta.url), 'utf8')) as {
  llamafactory: string;
  keys: Record<string, { from: string; values?: unknown[] }>;
};

export interface LlamaFactoryOptions {
  /** The base model LLaMA-Factory loads (an HF id or a path): the one vLLM will serve. */
  model: string;
  /** LLaMA-Factory's chat template name for that model (`qwen`, `llama3`, …). */
  template: string;
  outputDir: string;
  /** Paths in the YAML are written relative to this folder (where llamafactory-cli will run). */
  cwd: string;
}

/** Model and template from the adapter's existing llamafactory.yaml, when there is one. */
export function existingModel(recipeFile: string): { model?: string; template?: string } {
  const file = join(dirname(recipeFile), 'llamafactory.yaml');
  if (!existsSync(file)) return {};
  const doc = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return { model: doc.model_name_or_path as string | undefined, template: doc.template as string | undefined };
}

export function llamaFactoryConfig(loaded: LoadedRecipe, o: LlamaFactoryOptions): Record<string, unknown> {
  const { recipe } = loaded;
  const dataDir = dirname(loaded.dataset);
  return {
    model_name_or_path: o.model,
    trust_remote_code: false,
    stage: 'sft',
    do_train: true,
    finetuning_type: 'lora',
    lora_rank: recipe.lora.r,
    lora_alpha: recipe.lora.alpha,
    lora_dropout: recipe.lora.dropout,
    lora_target: recipe.lora.target_modules.join(','),
    // QLoRA: the base loaded in 4 bits (bitsandbytes), the LoRA weights trained in full precision.
    ...(recipe.lora.quantization_bit
      ? { quantization_bit: recipe.lora.quantization_bit, quantization_method: 'bitsandbytes' }
      : {}),
    dataset_dir: relative(o.cwd, dataDir) || '.',
    dataset: recipe.adapter,
    template: o.template,
    cutoff_len: recipe.train.cutoff_len,
    overwrite_cache: true,
    preprocessing_num_workers: 4,
    output_dir: relative(o.cwd, o.outputDir) || '.',
    logging_steps: 10,
    save_steps: 500,
    plot_loss: true,
    overwrite_output_dir: true,
    per_device_train_batch_size: recipe.train.batch_size,
    gradient_accumulation_steps: 1,
    learning_rate: recipe.train.learning_rate,
    max_steps: recipe.train.max_steps,
    lr_scheduler_type: 'cosine',
    // 10% warm-up as steps: `warmup_ratio` is not an argument of the transformers the engine pins (5.19).
    warmup_steps: Math.max(1, Math.round(recipe.train.max_steps / 10)),
    bf16: true,
    seed: recipe.train.seed,
  };
}

/** Every problem with a LLaMA-Factory training YAML: unknown keys, values outside a Literal, a dataset not in dataset_info.json. */
export function checkLlamaFactoryConfig(doc: Record<string, unknown>, cwd: string): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const known = KEYS.keys[k];
    if (!known) problems.push(`${k}: not an argument of LLaMA-Factory ${KEYS.llamafactory}`);
    else if (known.values && !known.values.includes(v))
      problems.push(`${k}: ${JSON.stringify(v)} is not one of ${known.values.join(', ')}`);
  }
  if (doc.finetuning_type !== 'lora') problems.push('finetuning_type: must be lora (lorag serves LoRA adapters)');
  if (doc.quantization_bit !== undefined && ![2, 3, 4, 5, 6, 8].includes(doc.quantization_bit as number))
    problems.push(`quantization_bit: ${doc.quantization_bit} is not 2, 3, 4, 5, 6 or 8`);
  const info = join(cwd, String(doc.dataset_dir ?? 'data'), 'dataset_info.json');
  if (!existsSync(info)) problems.push(`dataset_dir: ${relative(cwd, info)} does not exist`);
  else {
    const entries = JSON.parse(readFileSync(info, 'utf8')) as Record<
      string,
      { file_name?: string; formatting?: string }
    >;
    for (const name of String(doc.dataset ?? '')
      .split(',')
      .map((s) => s.trim())) {
      const e = entries[name];
      if (!e) problems.push(`dataset: '${name}' is not in ${relative(cwd, info)}`);
      else if (e.file_name && !existsSync(join(dirname(info), e.file_name)))
        problems.push(`dataset: ${relative(cwd, info)} names ${e.file_name}, which does not exist`);
    }
  }
  return problems;
}

export function llamaFactoryYaml(doc: Record<string, unknown>, recipeFile: string): string {
  return `# Generated by \`lorag train\` from ${basename(dirname(dirname(recipeFile)))}/train/recipe.yaml for LLaMA-Factory ${KEYS.llamafactory}.\n${stringify(doc)}`;
}
