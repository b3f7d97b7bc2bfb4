/**
 * `lorag serve` as a real process: invalid config exits non-zero listing every bad field; SIGHUP adds and
 * revokes keys without a restart and refuses a bad new config; `lorag keys create` prints a usable line.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { startSim } from '../../src/sim/main.ts';
import { testConfig } from '../helpers/stack.ts';

const node = process.execPath;
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lorag-serve-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; saw:\n${seen}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve(m[0]);
      }
    };
    child.stderr?.on('data', onData);
  });
}

test('an invalid config exits non-zero and lists every bad field by path', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, stringify({ server: { port: 'x' }, upstreams: { base_models: [] }, tenants: { Bad: {} } }));
  try {
    execFileSync(node, [cli, 'serve', '--config', file], { stdio: 'pipe' });
    assert.fail('should have exited non-zero');
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    assert.equal(e.status, 1);
    const text = e.stderr.toString();
    assert.match(text, /server\.port/);
    assert.match(text, /upstreams\.base_models/);
    assert.match(text, /tenants\.Bad/);
  }
});

test('keys create prints a key once and the config line; SIGHUP applies it and revokes the old one', async () => {
  const sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
  try {
    const out = execFileSync(node, [cli, 'keys', 'create', '--tenant', 'legal', '--name', 'laptop']).toString();
    const key = /\s(sk-lorag-legal-\S+)/.exec(out)?.[1];
    const line = /- \{ sha256: ([0-9a-f]{64}), name: laptop \}/.exec(out);
    assert.ok(key && line, out);

    const config = testConfig([sim.url]) as any;
    const file = join(dir, 'lorag.yaml');
    writeFileSync(file, stringify(config));
    const child = spawn(node, [cli, 'serve', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    const url = (await waitForLine(child, /http:\/\/127\.0\.0\.1:\d+/)).trim();
    const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 });
    const ask = (apiKey: string) =>
      client(apiKey)
        .models.list()
        .then(
          () => 200,
          (e: { status: number }) => e.status,
        );

    assert.equal(await ask(key), 401);
    assert.equal(await ask('sk-test-legal'), 200);

    // Add the new key, revoke the old one.
    config.tenants.legal.keys = [{ sha256: line[1], name: 'laptop' }];
    writeFileSync(file, stringify(config));
    child.kill('SIGHUP');
    await waitForLine(child, /config reloaded/);
    assert.equal(await ask(key), 200);
    assert.equal(await ask('sk-test-legal'), 401);

    // A bad config is refused; the running one stays.
    writeFileSync(file, 'tenants: [oops');
    child.kill('SIGHUP');
    await waitForLine(child, /reload refused/);
    assert.equal(await ask(key), 200);

    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
  } finally {
    await sim.close();
  }
});
