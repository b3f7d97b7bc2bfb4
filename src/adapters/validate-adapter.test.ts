import assert from 'node:assert/strict';
import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir, writeBaseModel, writePeftAdapter } from '../../test/helpers/peft-fixture.ts';
import { validateAdapterDir } from './validate-adapter.ts';

const root = tempDir();
const baseDir = writeBaseModel(join(root, 'base'));
const target = { baseModels: ['tiny-base', baseDir], maxLoraRank: 16, baseDir };

test('a matching adapter passes, by served name or by the base path vLLM reports as root', () => {
  const ok = validateAdapterDir(writePeftAdapter(join(root, 'ok')), target);
  assert.deepEqual(ok.reasons, []);
  assert.equal(ok.ok, true);
  assert.equal(ok.rank, 8);
  const byPath = validateAdapterDir(writePeftAdapter(join(root, 'bypath'), { baseModel: `${baseDir}/` }), target);
  assert.equal(byPath.ok, true, byPath.reasons.join());
});

test('refusals name the reason: another base, rank over the limit, unknown module, broken weights', () => {
  const other = validateAdapterDir(writePeftAdapter(join(root, 'other'), { baseModel: 'Qwen/Qwen2.5-7B' }), target);
  assert.equal(other.ok, false);
  assert.match(other.reasons.join(), /trained for base model Qwen\/Qwen2.5-7B; the replicas serve tiny-base/);
  const big = validateAdapterDir(writePeftAdapter(join(root, 'big'), { rank: 64 }), target);
  assert.match(big.reasons.join(), /rank 64 is over the replicas' --max-lora-rank 16/);
  const mod = validateAdapterDir(writePeftAdapter(join(root, 'mod'), { targetModules: ['q_proj', 'c_attn'] }), target);
  assert.match(mod.reasons.join(), /target modules not in the base model: c_attn/);
  const mismatch = validateAdapterDir(writePeftAdapter(join(root, 'mm'), { weightRank: 4 }), target);
  assert.match(mismatch.reasons.join(), /lora_A ranks 4 do not match r=8/);
  const cut = writePeftAdapter(join(root, 'cut'));
  truncateSync(join(cut, 'adapter_model.safetensors'), 200);
  assert.match(validateAdapterDir(cut, target).reasons.join(), /adapter_model.safetensors: .*(truncated|does not fit)/);
  const garbage = writePeftAdapter(join(root, 'garbage'));
  writeFileSync(join(garbage, 'adapter_config.json'), '{nope');
  assert.match(validateAdapterDir(garbage, target).reasons.join(), /adapter_config.json: not valid JSON/);
  assert.deepEqual(validateAdapterDir(join(root, 'absent'), target).reasons, ['not a folder']);
});

test('without the base model at hand the modules are not checked, and that is said', () => {
  const r = validateAdapterDir(writePeftAdapter(join(root, 'nobase'), { targetModules: ['c_attn'] }), {
    baseModels: ['tiny-base'],
    maxLoraRank: 16,
  });
  assert.equal(r.ok, true);
  assert.match(r.notes.join(), /not checked/);
});

test('the real adapters engine/prepare.py trained pass against their base (when engine/work exists)', (t) => {
  const work = new URL('../../engine/work/', import.meta.url).pathname;
  const legal = join(work, 'adapters', 'legal');
  if (!existsSync(legal)) return t.skip('engine/work not prepared');
  try {
    const r = validateAdapterDir(legal, {
      baseModels: [join(work, 'base')],
      maxLoraRank: 8,
      baseDir: join(work, 'base'),
    });
    assert.deepEqual(r.reasons, []);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') t.skip('engine/work not prepared');
    else throw err;
  }
});
