import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { loadRecipe, parseRecipe, RecipeError } from './recipe.ts';

const adaptersDir = new URL('../../adapters', import.meta.url).pathname;
const good = {
  adapter: 'legal',
  dataset: '../data/train.jsonl',
  lora: { r: 8, alpha: 16, dropout: 0, target_modules: ['q_proj'] },
  train: { learning_rate: 0.003, max_steps: 10, batch_size: 4, cutoff_len: 128 },
};

test('the repo recipes parse; the dataset resolves against the recipe folder', () => {
  for (const name of ['legal', 'hr', 'finance']) {
    const r = loadRecipe(adaptersDir, name);
    assert.equal(r.recipe.adapter, name);
    assert.ok(r.dataset.endsWith(`adapters/${name}/data/train.jsonl`));
  }
});

test('an unknown key and an impossible rank are readable errors by path', () => {
  assert.throws(
    () => parseRecipe(stringify({ ...good, epochs: 3 }), 'r.yaml'),
    (e: Error) => e instanceof RecipeError && /Unrecognized key.*epochs/i.test(e.message),
  );
  assert.throws(
    () => parseRecipe(stringify({ ...good, lora: { ...good.lora, r: 12 } }), 'r.yaml'),
    /lora\.r: vLLM serves LoRA ranks 1, 8, 16/,
  );
  assert.throws(() => parseRecipe(stringify({ ...good, train: { ...good.train, lr: 1 } }), 'r.yaml'), /train/);
  assert.throws(() => parseRecipe('adapter: [', 'r.yaml'), /not valid YAML/);
  assert.throws(() => loadRecipe(adaptersDir, 'nope'), /no recipe for 'nope'/);
});
