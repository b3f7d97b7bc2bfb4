/**
 * @module train/model-card — what a trained version carries with it: card.json (recorded with the version when
 * it is registered) and README.md (the same for people): base model, data hash, hyperparameters, final loss,
 * probe results.
 */
import type { ProbeResult } from './peft-backend.ts';
import type { Recipe } from './recipe.ts';

export interface ModelCard {
  adapter: string;
  version: string;
  id: string;
  backend: 'peft' | 'llamafactory';
  base_model: string;
  base_weights: string;
  rank: number;
  data: { file: string; sha256: string; records: number };
  hyperparameters: { lora: Recipe['lora']; train: Recipe['train'] };
  steps: number;
  final_loss: number;
  probe: ProbeResult | null;
  device: string;
  trained_at: string;
  seconds: number;
}

export function cardMarkdown(c: ModelCard): string {
  const probe = c.probe
    ? `| probe | ${c.probe.prompt} → ${JSON.stringify(c.probe.answer)} (${c.probe.ok ? 'starts with' : 'does NOT start with'} \`${c.probe.expect_prefix}\`); base model: ${JSON.stringify(c.probe.base_answer)} |`
    : '| probe | none in the recipe |';
  return `# ${c.id}

LoRA adapter trained by \`lorag train ${c.adapter}\` (${c.backend} backend) on ${c.device}.

| | |
|---|---|
| base model | \`${c.base_model}\` (weights: \`${c.base_weights}\`) |
| data | \`${c.data.file}\`, ${c.data.records} records, sha256 \`${c.data.sha256}\` |
| LoRA | r=${c.hyperparameters.lora.r}, alpha=${c.hyperparameters.lora.alpha}, dropout=${c.hyperparameters.lora.dropout}, modules ${c.hyperparameters.lora.target_modules.join(', ')} |
| training | lr ${c.hyperparameters.train.learning_rate}, batch ${c.hyperparameters.train.batch_size}, cutoff ${c.hyperparameters.train.cutoff_len}, seed ${c.hyperparameters.train.seed}, ${c.steps} of at most ${c.hyperparameters.train.max_steps} steps, ${c.seconds} s |
| final loss | ${c.final_loss} |
${probe}

Loss curve: loss.svg (numbers in loss.json). Register it: \`lorag adapters add-version ${c.adapter} <this folder> --canary 10\`.
`;
}
