/**
 * Budget config errors through a real `lorag serve`: listed by path at start (exit 1), and on SIGHUP the bad
 * config is refused with the same list while the running budgets stay in force; a good SIGHUP applies new
 * budgets to the next request.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { startSim } from '../../src/sim/main.ts';
import { keys, testConfig } from '../helpers/stack.ts';

const node = process.execPath;
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lorag-budget-reload-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function waitFor(child: ChildProcess, pattern: RegExp, from: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${from.text}`)), 20_000);
    const check = () => {
      const m = pattern.exec(from.text);
      if (!m) return;
      clearTimeout(timer);
      child.stderr!.off('data', check);
      from.text = from.text.slice(m.index + m[0].length);
      resolve(m[0]);
    };
    child.stderr!.on('data', check);
    check();
  });
}

const bad = {
  prices: { models: { 'tiny-base': { prompt_per_million: -2, completion_per_million: 1 } } },
  budgets: { tenants: { nobody: { limits: [{ period: 'month', unit: 'tokens', amount: 10 }] } } },
};

test('bad budgets are listed by path at start and on SIGHUP (old budgets kept); a good SIGHUP applies', async () => {
  const sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true });
  try {
    const file = join(dir, 'lorag.yaml');
    writeFileSync(file, stringify(testConfig([sim.url], { config: bad })));
    const start = spawnSync(node, [cli, 'serve', '--config', file], { encoding: 'utf8' });
    assert.equal(start.status, 1);
    assert.match(start.stderr, /prices\.models\.tiny-base\.prompt_per_million/);

    const budget = (amount: number) => ({
      budgets: { tenants: { legal: { limits: [{ period: 'day', unit: 'tokens', amount }] } } },
    });
    writeFileSync(file, stringify(testConfig([sim.url], { config: budget(100_000) })));
    const child = spawn(node, [cli, 'serve', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    const log = { text: '' };
    child.stderr!.on('data', (d: Buffer) => {
      log.text += d.toString();
    });
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(
      await waitFor(child, /listening on http:\/\/127\.0\.0\.1:\d+/, log),
    )![0];
    const client = new OpenAI({ apiKey: keys.legal, baseURL: `${url}/v1`, maxRetries: 0 });
    const ask = () =>
      client.chat.completions
        .create({ model: 'legal', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 })
        .withResponse()
        .then(
          ({ response }) => response.headers.get('x-lorag-budget-remaining'),
          (e: InstanceType<typeof OpenAI.APIError>) => e.code,
        );
    assert.match(String(await ask()), /^\d+$/);

    const unknownTenant = { budgets: { tenants: { ...budget(100_000).budgets.tenants, ...bad.budgets.tenants } } };
    writeFileSync(file, stringify(testConfig([sim.url], { config: unknownTenant })));
    child.kill('SIGHUP');
    await waitFor(child, /reload refused/, log);
    await waitFor(child, /budgets\.tenants\.nobody: unknown tenant/, log);
    assert.match(String(await ask()), /^\d+$/);

    writeFileSync(file, stringify(testConfig([sim.url], { config: budget(10) })));
    child.kill('SIGHUP');
    await waitFor(child, /config reloaded/, log);
    assert.equal(await ask(), 'insufficient_quota');
  } finally {
    await sim.close();
  }
});
