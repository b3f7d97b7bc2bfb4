/**
 * `lorag sim` as a real process: flags parsed as vLLM's, VLLM_ALLOW_RUNTIME_LORA_UPDATING honoured, the
 * listening URL printed on stdout, a clean exit on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

test('lorag sim starts on a random port with --lora-modules in both forms and stops on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [
      cli,
      'sim',
      '--port',
      '0',
      '--max-loras',
      '2',
      '--lora-modules',
      'legal=sim://legal',
      '{"name":"hr","path":"sim://hr"}',
      '--replica-id=r1',
    ],
    { env: { ...process.env, VLLM_ALLOW_RUNTIME_LORA_UPDATING: ' True ' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout) {
      out += chunk;
      if (out.includes('\n')) break;
    }
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url, `printed the URL: ${out}`);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x' });
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['tiny-base', 'legal', 'hr'],
    );
    // " True " counts as on, exactly as vLLM strips and lowercases the variable.
    const load = await fetch(`${url}/v1/load_lora_adapter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lora_name: 'ops', lora_path: 'sim://ops' }),
    });
    assert.equal(load.status, 200);
    assert.equal(load.headers.get('x-inference-pod'), 'r1');
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
});

test('lorag sim refuses a bad command line with a non-zero exit and the reason', async () => {
  const child = spawn(process.execPath, [cli, 'sim', '--max-loras', '0', '--vllm-compat', 'old'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    err += d;
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.match(err, /--max-loras: /);
  assert.match(err, /--vllm-compat: /);
});
