import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { checkLlamaFactoryConfig, existingModel, llamaFactoryConfig } from './llamafactory.ts';
import { loadRecipe } from './recipe.ts';

const repo = new URL('../..', import.meta.url).pathname;
const adaptersDir = join(repo, 'adapters');

test('the generated YAML for each recipe uses only LLaMA-Factory arguments; QLoRA sets quantization_bit 4', () => {
  for (const name of ['legal', 'hr', 'finance']) {
    const loaded = loadRecipe(adaptersDir, name);
    const { model, template } = existingModel(loaded.file);
    const doc = llamaFactoryConfig(loaded, {
      model: model!,
      template: template!,
      outputDir: join(repo, 'saves', name),
      cwd: repo,
    });
    assert.deepEqual(checkLlamaFactoryConfig(doc, repo), []);
    assert.equal(doc.finetuning_type, 'lora');
    assert.equal(doc.lora_rank, loaded.recipe.lora.r);
    assert.equal(doc.dataset_dir, `adapters/${name}/data`);
    const q = llamaFactoryConfig(
      { ...loaded, recipe: { ...loaded.recipe, lora: { ...loaded.recipe.lora, quantization_bit: 4 } } },
      { model: model!, template: template!, outputDir: '/x', cwd: repo },
    );
    assert.equal(q.quantization_bit, 4);
    assert.deepEqual(checkLlamaFactoryConfig(q, repo), []);
  }
});

test('the checked-in llamafactory.yaml files pass the same check', () => {
  for (const name of ['legal', 'hr', 'finance']) {
    const doc = parse(readFileSync(join(adaptersDir, name, 'train', 'llamafactory.yaml'), 'utf8'));
    assert.deepEqual(checkLlamaFactoryConfig(doc, repo), [], name);
  }
});

test('unknown keys, bad Literal values and a dataset missing from dataset_info.json are reported', () => {
  const problems = checkLlamaFactoryConfig(
    {
      finetuning_type: 'qlora',
      lora_rnak: 8,
      stage: 'sft',
      dataset_dir: 'adapters/legal/data',
      dataset: 'hr',
      quantization_bit: 7,
    },
    repo,
  );
  assert.match(problems.join('\n'), /finetuning_type: "qlora" is not one of lora, oft, freeze, full/);
  assert.match(problems.join('\n'), /lora_rnak: not an argument of LLaMA-Factory 0.9.5/);
  assert.match(problems.join('\n'), /dataset: 'hr' is not in adapters\/legal\/data\/dataset_info.json/);
  assert.match(problems.join('\n'), /quantization_bit: 7/);
});
