import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLoraModules } from './lora-modules.ts';
import { parseSimArgs, resolveSimOptions, runtimeLoraUpdatingFromEnv } from './options.ts';

test('defaults match the documented ones', () => {
  const o = resolveSimOptions({ allowRuntimeLoraUpdating: false });
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 8000);
  assert.deepEqual(o.servedModelNames, ['tiny-base']);
  assert.equal(o.maxModelLen, 2048);
  assert.equal(o.maxLoras, 1);
  assert.equal(o.maxNumSeqs, 256);
  assert.equal(o.embeddingDim, 384);
  assert.equal(o.vllmCompat, 'current');
});

test('flags: --flag value, --flag=value, lists up to the next flag', () => {
  const o = parseSimArgs(
    [
      '--port=0',
      '--served-model-name',
      'a',
      'b',
      '--lora-modules',
      'x=/p/x',
      '{"name":"y","path":"/p/y"}',
      '--ttft-ms',
      '5',
      '--enable-lora',
    ],
    {},
  );
  assert.equal(o.port, 0);
  assert.deepEqual(o.servedModelNames, ['a', 'b']);
  assert.deepEqual(o.loraModules, [
    { name: 'x', path: '/p/x' },
    { name: 'y', path: '/p/y' },
  ]);
  assert.equal(o.ttftMs, 5);
  assert.equal(parseSimArgs([], { POD_NAME: 'pod-1' }).replicaId, 'pod-1');
  assert.throws(() => parseSimArgs(['--nope'], {}), /unknown flag --nope/);
  assert.throws(() => parseSimArgs(['--failure-rate', '2'], {}), /--failure-rate: /);
  assert.throws(() => parseSimArgs(['--max-lora-rank', '12'], {}), /--max-lora-rank: must be one of/);
});

test('--lora-modules items follow vLLM LoRAParserAction', () => {
  assert.deepEqual(parseLoraModules(['{"name":"a","path":"p","base_model_name":"m"}']), [
    { name: 'a', path: 'p', base_model_name: 'm' },
  ]);
  // "=" with a "," is not the name=path form, so it must be JSON.
  assert.throws(() => parseLoraModules(['a=b,c']), /^Error: Invalid JSON format for --lora-modules: a=b,c$/);
  assert.throws(
    () => parseLoraModules(['{"name":"a","path":"p","rank":8}']),
    /Invalid fields for --lora-modules: .* unexpected keyword argument 'rank'/,
  );
  assert.throws(() => parseLoraModules(['{"name":"a"}']), /missing required argument: 'path'/);
  assert.throws(() => parseLoraModules(['a=b=c']), /too many '='/);
});

test('VLLM_ALLOW_RUNTIME_LORA_UPDATING is on only for 1/true after strip+lower', () => {
  for (const v of ['1', 'true', ' TRUE ', 'True'])
    assert.equal(runtimeLoraUpdatingFromEnv({ VLLM_ALLOW_RUNTIME_LORA_UPDATING: v }), true);
  for (const v of ['0', 'yes', 'on', ''])
    assert.equal(runtimeLoraUpdatingFromEnv({ VLLM_ALLOW_RUNTIME_LORA_UPDATING: v }), false);
  assert.equal(runtimeLoraUpdatingFromEnv({}), false);
});
