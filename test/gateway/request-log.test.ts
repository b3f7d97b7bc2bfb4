/**
 * One JSON log line per /v1 request — served, refused by auth or validation alike — written by the real
 * `lorag serve` process to stdout (asynchronously buffered, flushed on SIGTERM); content only on opt-in.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { startSim } from '../../src/sim/main.ts';
import { keys, testConfig } from '../helpers/stack.ts';

test('every request leaves exactly one log line; prompts only for tenants that opted in', async () => {
  const sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
  const dir = mkdtempSync(join(tmpdir(), 'lorag-log-'));
  const config = testConfig([sim.url], {
    config: { telemetry: { log_level: 'info' } },
    tenants: { hr: { log_content: true } },
  });
  writeFileSync(join(dir, 'lorag.yaml'), stringify(config));
  const child = spawn(
    process.execPath,
    [new URL('../../src/cli.ts', import.meta.url).pathname, 'serve', '--config', join(dir, 'lorag.yaml')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d;
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(err)));
    });
    const post = (key: string, body: unknown) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    assert.equal(
      await post(keys.legal, { model: 'legal', messages: [{ role: 'user', content: 'secret legal prompt' }] }),
      200,
    );
    assert.equal(await post(keys.hr, { model: 'hr', messages: [{ role: 'user', content: 'hr prompt, logged' }] }), 200);
    assert.equal(await post('sk-nope', { model: 'legal', messages: [] }), 401);
    assert.equal(await post(keys.legal, { model: 'legal' }), 400);
    assert.equal((await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${keys.legal}` } })).status, 200);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;

    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'request');
    assert.deepEqual(
      lines.map((l) => l.status),
      [200, 200, 401, 400, 200],
    );
    assert.deepEqual(
      lines.map((l) => l.endpoint),
      ['chat', 'chat', 'chat', 'chat', 'models'],
    );
    assert.equal(lines[0].tenant, 'legal');
    assert.equal(lines[0].adapter, 'legal@1');
    assert.ok(lines[0].tokens_out > 0);
    assert.equal(new Set(lines.map((l) => l.request_id)).size, 5);
    assert.doesNotMatch(out, /secret legal prompt/);
    assert.match(JSON.stringify(lines[1].content), /hr prompt, logged/);
  } finally {
    child.kill('SIGKILL');
    await sim.close();
  }
});
