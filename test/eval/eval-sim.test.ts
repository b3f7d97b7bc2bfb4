/**
 * `lorag eval` as a process against a real gateway in front of `lorag sim`, with the demo department set
 * (adapters/legal/eval/legal.jsonl) and its knowledge folder ingested by `lorag ingest`: the report shows the
 * strategies apart with intervals (the simulator quotes its first source, so retrieval wins on the domain
 * cases); bad input is refused before any request; a gateway that goes away mid-run leaves a partial result
 * that the same command resumes; the page renders in headless chromium with its charts and no console errors.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import type { Report } from '../../src/eval/report/build-report.ts';
import { type RunningGateway, startGateway } from '../../src/main.ts';
import { type RunningSim, startSim } from '../../src/sim/main.ts';
import { keys, simCounter, testConfig } from '../helpers/stack.ts';
import { inspectPage } from './chromium.ts';

const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;
const evalSet = join(root, 'adapters/legal/eval/legal.jsonl');
const knowledge = join(root, 'adapters/legal/knowledge');
const dir = mkdtempSync(join(tmpdir(), 'lorag-eval-sim-'));
const configFile = join(dir, 'lorag.yaml');
let sim: RunningSim;
let gateway: RunningGateway;
let raw: Record<string, unknown>;
let port: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const p = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return p;
}

function evalArgs(out: string, extra: string[] = []): string[] {
  return [
    cli,
    'eval',
    '--set',
    evalSet,
    '--out',
    out,
    '--url',
    `http://127.0.0.1:${port}/v1`,
    '--key',
    keys.legal,
    '--models',
    'legal@1',
    '--collections',
    'legal-kb',
    '--concurrency',
    '2',
    '--retries',
    '0',
    ...extra,
  ];
}

/** Runs the CLI in a scratch working directory, so files written outside --out would show up there. */
function runEval(args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  sim = await startSim({ port: 0, allowRuntimeLoraUpdating: true, ttftMs: 5 });
  port = await freePort();
  raw = testConfig([sim.url], {
    config: {
      server: { port },
      embeddings: { kind: 'openai', url: `${sim.url}/v1`, model: 'tiny-base' },
      knowledge: { revision_poll_ms: 100 },
    },
    tenants: {
      legal: { collections: ['legal-kb'], strategy: { default: 'hybrid', allowed: ['base', 'lora', 'rag', 'hybrid'] } },
    },
  });
  writeFileSync(configFile, stringify(raw));
  await promisify(execFile)(process.execPath, [
    cli,
    'ingest',
    '--config',
    configFile,
    '--tenant',
    'legal',
    '--collection',
    'legal-kb',
    '--json',
    knowledge,
  ]);
  gateway = await startGateway(parseConfig(raw), { log: () => {} });
});
after(async () => {
  await gateway?.close();
  await sim?.close();
});

test('the four strategies, measured apart with intervals, and a decision', async () => {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  const out = join(cwd, 'report');
  const res = await runEval(evalArgs(out), cwd);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(readdirSync(cwd), ['report']);
  assert.deepEqual(readdirSync(out).sort(), ['answers.jsonl', 'index.html', 'report.json', 'run.json', 'summary.md']);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  assert.deepEqual(
    report.systems.map((s) => s.label),
    ['base', 'lora(legal@1)', 'rag', 'hybrid(legal@1)'],
  );
  assert.deepEqual(
    report.systems.map((s) => s.served),
    [['base'], ['legal@1'], ['base'], ['legal@1']],
  );
  const f1 = (label: string) => report.systems.find((s) => s.label === label)!.quality.f1;
  const cmp = (a: string, b: string) =>
    report.comparisons.find((c) => c.system === a && c.against === b && c.metric === 'f1')!;
  // The simulator quotes its first source: retrieval measurably beats no retrieval; the adapter alone does not.
  assert.ok(f1('rag').value > f1('base').value);
  assert.equal(cmp('rag', 'base').measurable, true);
  assert.equal(cmp('hybrid(legal@1)', 'lora(legal@1)').measurable, true);
  assert.equal(cmp('lora(legal@1)', 'base').measurable, false);
  for (const s of report.systems)
    assert.ok(s.quality.f1.low <= s.quality.f1.value && s.quality.f1.value <= s.quality.f1.high);
  const rag = report.systems.find((s) => s.label === 'rag')!;
  const base = report.systems.find((s) => s.label === 'base')!;
  assert.ok(rag.prompt_tokens > base.prompt_tokens, 'retrieval costs prompt tokens');
  assert.ok(rag.recall_at_k!.value > 0.5, `recall@4 ${rag.recall_at_k!.value}`);
  assert.equal(base.recall_at_k, null);
  assert.equal(report.forgetting.length, 2);
  assert.equal(report.decision.strategy === 'rag' || report.decision.strategy === 'hybrid', true, report.decision.text);
  assert.match(report.decision.text, /F1 .*tokens per answer/);
  assert.match(res.stdout, /\*\*Decision:\*\* /);
  assert.match(res.stdout, /no measurable difference/);
  const answers = readFileSync(join(out, 'answers.jsonl'), 'utf8').trim().split('\n');
  assert.equal(answers.length, 24 * 4);

  // Resuming a finished run sends nothing.
  const before = await simCounter(sim, 'lorag_sim_requests_total');
  const again = await runEval(evalArgs(out), cwd);
  assert.equal(again.code, 0, again.stderr);
  // Only the four probes (and the retrieval probes' embeddings); no case is asked again.
  const sent = (await simCounter(sim, 'lorag_sim_requests_total')) - before;
  assert.ok(sent >= 4 && sent < 24, `${sent} simulator requests`);
  assert.match(again.stderr, / 0\/0 answers/);
  assert.equal(readFileSync(join(out, 'answers.jsonl'), 'utf8').trim().split('\n').length, 24 * 4);

  const page = await inspectPage(
    join(out, 'index.html'),
    `JSON.stringify({ title: document.title, charts: [...document.querySelectorAll('figure svg')].filter((s) => s.getBoundingClientRect().width > 50 && s.querySelectorAll('path, line, rect, text').length > 5).length, decision: document.getElementById('decision')?.textContent ?? '', rows: document.querySelectorAll('table.answers tbody tr').length })`,
  );
  assert.deepEqual(page.errors, []);
  const seen = JSON.parse(page.value as string);
  assert.equal(seen.title, 'lorag eval — legal');
  assert.equal(seen.charts, 4);
  assert.match(seen.decision, /Recommendation: (rag|hybrid)/);
  assert.equal(seen.rows, 24);
});

test('unknown strategy, model or collection is refused before any case is sent', async () => {
  const cwd = mkdtempSync(join(dir, 'bad-'));
  const before = await simCounter(sim, 'lorag_sim_requests_total');
  const strategy = await runEval(evalArgs(join(cwd, 'a'), ['--strategies', 'base,finetune']), cwd);
  assert.equal(strategy.code, 1);
  assert.match(strategy.stderr, /unknown strategy 'finetune'/);
  const model = await runEval(evalArgs(join(cwd, 'b'), ['--models', 'legal@9']), cwd);
  assert.equal(model.code, 1);
  assert.match(model.stderr, /unknown model 'legal@9' for this key/);
  const hrModel = await runEval(evalArgs(join(cwd, 'c'), ['--models', 'hr']), cwd);
  assert.match(hrModel.stderr, /unknown model 'hr'/);
  assert.equal(await simCounter(sim, 'lorag_sim_requests_total'), before);
  const collection = await runEval(evalArgs(join(cwd, 'd'), ['--collections', 'hr-secrets']), cwd);
  assert.equal(collection.code, 1);
  assert.match(collection.stderr, /refuses rag: 404 .*collection/);
  assert.deepEqual(readdirSync(cwd), []);
  const badSet = join(cwd, '..', 'bad-set.jsonl');
  writeFileSync(badSet, '{"id": "x", "question": "q"}\n');
  const set = await runEval([...evalArgs(join(cwd, 'e')).map((a) => (a === evalSet ? badSet : a))], cwd);
  assert.equal(set.code, 1);
  assert.match(set.stderr, /bad-set\.jsonl:1 reference/);
  assert.deepEqual(readdirSync(cwd), []);
});

test('a gateway that goes away mid-run leaves a partial result; the same command resumes it', async () => {
  const cwd = mkdtempSync(join(dir, 'resume-'));
  const out = join(cwd, 'run');
  const args = evalArgs(out, ['--strategies', 'base,rag', '--concurrency', '1']);
  const running = runEval(args, cwd);
  const answersFile = join(out, 'answers.jsonl');
  // Wait (no clock) until a few answers are on disk, then take the gateway away.
  while (!existsSync(answersFile) || readFileSync(answersFile, 'utf8').split('\n').length < 5)
    await new Promise((resolve) => setImmediate(resolve));
  await gateway.close();
  const partial = await running;
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /incomplete .*Run the same command again to resume/);
  const saved = readFileSync(answersFile, 'utf8').trim().split('\n').length;
  assert.ok(saved >= 4 && saved < 48, `${saved} answers saved`);
  assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).complete, false);

  gateway = await startGateway(parseConfig(raw), { log: () => {} });
  const resumed = await runEval(args, cwd);
  assert.equal(resumed.code, 0, resumed.stderr);
  const lines = readFileSync(answersFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 48);
  assert.equal(new Set(lines.map((l) => `${l.system}/${l.case_id}`)).size, 48);
  assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).complete, true);

  // A different set in the same folder is refused, not mixed in.
  const other = join(dir, 'other.jsonl');
  writeFileSync(other, `${JSON.stringify({ id: 'x', question: 'q?', reference: 'r' })}\n`);
  const mixed = await runEval(
    args.map((a) => (a === evalSet ? other : a)),
    cwd,
  );
  assert.equal(mixed.code, 1);
  assert.match(mixed.stderr, /holds a different run \(set_sha256/);
});

test('the optional LLM judge scores groundedness of retrieval answers, once per answer', async () => {
  let calls = 0;
  // A stand-in judge speaking the chat completions protocol: "yes" when the answer quotes source [1].
  const judge = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls++;
      const prompt = JSON.parse(body).messages[0].content as string;
      const content = /Answer: .*According to \[1\]/.test(prompt) ? 'yes' : 'No.';
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'j',
          object: 'chat.completion',
          created: 0,
          model: 'judge',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => judge.listen(0, '127.0.0.1', resolve));
  const judgeUrl = `http://127.0.0.1:${(judge.address() as { port: number }).port}/v1`;
  try {
    const cwd = mkdtempSync(join(dir, 'judge-'));
    const args = evalArgs(join(cwd, 'out'), [
      '--strategies',
      'base,rag',
      '--judge-url',
      judgeUrl,
      '--judge-model',
      'judge',
    ]);
    const res = await runEval(args, cwd);
    assert.equal(res.code, 0, res.stderr);
    // Only answers with retrieved passages are judged: the 24 rag answers, not the base ones.
    assert.equal(calls, 24);
    const report = JSON.parse(readFileSync(join(cwd, 'out', 'report.json'), 'utf8')) as Report;
    const rag = report.systems.find((s) => s.label === 'rag')!;
    assert.equal(rag.groundedness?.value, 1);
    assert.equal(report.systems.find((s) => s.label === 'base')!.groundedness, null);
    assert.match(res.stdout, /grounded \(judge\)/);
    const again = await runEval(args, cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(calls, 24, 'a resumed run does not ask the judge again');
  } finally {
    await new Promise((resolve) => judge.close(resolve));
  }
});
