import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'data', 'check', ...args], { encoding: 'utf8' });

test('lorag data check: exit 0 on the bundled training files, 1 with line and field on a bad eval set', () => {
  const ok = run(new URL('../../adapters/legal/data/train.jsonl', import.meta.url).pathname);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /alpaca dataset, \d+ record\(s\).* 0 error\(s\)/);

  const dir = mkdtempSync(join(tmpdir(), 'lorag-data-cli-'));
  const bad = join(dir, 'eval.jsonl');
  writeFileSync(bad, `${JSON.stringify({ id: 'a', question: 'Q?', reference: 'r' })}\n{"id": "b", "reference": "x"}\n`);
  const res = run(bad);
  assert.equal(res.status, 1);
  assert.match(res.stdout, /eval\.jsonl:2 question: either question or messages is required \[schema\]/);

  const json = run(bad, '--json');
  assert.equal(json.status, 1);
  assert.equal(JSON.parse(json.stdout)[0].issues[0].line, 2);

  const usage = spawnSync(process.execPath, [cli, 'data', 'frobnicate'], { encoding: 'utf8' });
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /usage: lorag data check/);
});
