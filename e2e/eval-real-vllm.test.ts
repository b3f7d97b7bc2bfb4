/**
 * The evaluation demonstration on real models: the tiny Llama on CPU vLLM with its legal LoRA, MiniLM on vLLM's
 * pooling runner for retrieval, the demo department's knowledge ingested by `lorag ingest`, and `lorag eval`
 * (a separate process, the official SDK) over adapters/legal/eval/legal.jsonl for base, lora, rag and hybrid.
 * The report is kept in .lorag/eval-e2e/legal/ (index.html, summary.md, report.json) and its summary printed.
 *
 * The set is split (tags): `stable` facts the legal adapter was trained on (paraphrased questions; not in the
 * knowledge folder) and `fresh` facts only in the knowledge folder; `general` questions the base was trained on.
 * What the tiny model really learned is asserted from the report's paired-bootstrap verdicts and per-tag scores:
 * the base reads its sources (rag measurably beats base, on the fresh facts), the adapter learned the stable facts
 * (lora measurably beats base, on the stable ones), the adapter still reads under retrieval (hybrid answers fresh
 * facts lora cannot), the relevance gate keeps sources out of the questions they do not answer (hybrid keeps
 * lora's stable answers, rag the base's general ones), so hybrid scores best on the mixed set, and the adapter's
 * refusal style on off-topic questions shows up as measurable forgetting.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Report } from '../src/eval/report/build-report.ts';
import {
  type Prepared,
  prepareEngine,
  type RunningProcess,
  repoRoot,
  startEmbeddings,
  startVllm,
} from './support/engine.ts';
import { startGatewayProcess, tenantKeys, withoutLoragVars, writeGatewayConfig } from './support/gateway.ts';

const run = promisify(execFile);
const node = join(repoRoot, 'node_modules', '.bin', 'node');
const out = join(repoRoot, '.lorag', 'eval-e2e', 'legal');
let prepared: Prepared;
let vllm: RunningProcess;
let embeddings: RunningProcess;
let gateway: RunningProcess;

before(async () => {
  prepared = prepareEngine();
  [vllm, embeddings] = await Promise.all([startVllm(), startEmbeddings()]);
  const configured = await writeGatewayConfig(vllm.url, prepared, {
    embeddings: { kind: 'openai', url: `${embeddings.url}/v1`, model: 'all-minilm-l6-v2', timeout_ms: 60_000 },
    collections: ['legal-kb'],
    // The relevance gate (README "Retrieval and citations"): MiniLM puts the questions the knowledge answers at
    // 0.56–0.79 and every other at most 0.46, so the others are sent without sources.
    rag: { top_k: 2, max_context_tokens: 200, score_floor: 0.5 },
    lancedbPath: join(mkdtempSync(join(tmpdir(), 'lorag-e2e-eval-')), 'lancedb'),
  });
  const ingest = ['src/cli.ts', 'ingest', '--config', configured.file, '--tenant', 'legal', '--collection', 'legal-kb'];
  await run(node, [...ingest, '--json', join(repoRoot, 'adapters/legal/knowledge')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: withoutLoragVars(process.env),
  });
  gateway = await startGatewayProcess(vllm.url, prepared, {}, configured);
});
after(async () => {
  await gateway?.close();
  await Promise.all([vllm?.close(), embeddings?.close()]);
});

test('lorag eval on real vLLM: four strategies measured with intervals, a decision, the report kept', async (t) => {
  rmSync(out, { recursive: true, force: true });
  const args = [
    'src/cli.ts',
    'eval',
    '--set',
    'adapters/legal/eval/legal.jsonl',
    '--out',
    out,
    '--url',
    `${gateway.url}/v1`,
  ];
  args.push('--key', tenantKeys.legal, '--models', 'legal@1', '--collections', 'legal-kb', '--top-k', '2');
  args.push('--max-tokens', '24', '--concurrency', '2', '--department', 'legal');
  const { stdout } = await run(node, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: withoutLoragVars(process.env),
    maxBuffer: 16 << 20,
  });
  t.diagnostic(`report: ${join(out, 'index.html')}\n${stdout}`);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  assert.equal(report.complete, true);
  assert.deepEqual(
    report.systems.map((s) => [s.label, s.served]),
    [
      ['base', ['base']],
      ['lora(legal@1)', ['legal@1']],
      ['rag', ['base']],
      ['hybrid(legal@1)', ['legal@1']],
    ],
  );
  const by = (label: string) => report.systems.find((s) => s.label === label)!;
  // Retrieval is measured on real embeddings: the gold document is among the two supplied for most cases …
  assert.ok(by('rag').recall_at_k!.value >= 0.5, `recall@2 ${by('rag').recall_at_k!.value}`);
  // … and costs prompt tokens, which the report puts beside quality (only the questions a passage reaches pay).
  assert.ok(by('rag').prompt_tokens > by('base').prompt_tokens + 30);
  for (const s of report.systems)
    assert.ok(s.quality.f1.low <= s.quality.f1.value && s.quality.f1.value <= s.quality.f1.high);
  assert.equal(report.comparisons.filter((c) => c.metric === 'f1').length, 12);
  const f1 = (a: string, b: string) =>
    report.comparisons.find((c) => c.system === a && c.against === b && c.metric === 'f1')!;
  const apart = (a: string, b: string) => {
    const c = f1(a, b);
    assert.ok(c.measurable && c.delta > 0 && c.low > 0, `${a} vs ${b}: ${JSON.stringify(c)}`);
  };
  // The base reads its sources (engine/context_skill.py): retrieval measurably beats the bare base, on the `fresh`
  // facts that only the knowledge holds. The adapter learned the department's `stable` facts: measurably better
  // than the base. Each wins the half of the set the other cannot answer.
  apart('rag', 'base');
  apart('lora(legal@1)', 'base');
  const tag = (label: string, t: string) => by(label).per_tag[t];
  assert.ok(tag('rag', 'fresh') > tag('base', 'fresh') + 0.2, JSON.stringify(by('rag').per_tag));
  assert.ok(tag('rag', 'fresh') > tag('lora(legal@1)', 'fresh') + 0.2, JSON.stringify(by('lora(legal@1)').per_tag));
  assert.ok(tag('lora(legal@1)', 'stable') > tag('base', 'stable') + 0.2, JSON.stringify(by('base').per_tag));
  assert.ok(tag('lora(legal@1)', 'stable') > tag('rag', 'stable') + 0.2, JSON.stringify(by('rag').per_tag));
  // With the adapter loaded the model still reads what retrieval supplies (hybrid answers fresh facts lora cannot).
  assert.ok(
    tag('hybrid(legal@1)', 'fresh') > tag('lora(legal@1)', 'fresh') + 0.1,
    JSON.stringify(by('hybrid(legal@1)').per_tag),
  );
  // The relevance gate (score_floor): a question no passage reaches is sent as is, so the adapter's stable answers
  // survive under hybrid and the base's general ones under rag; hybrid, good at both halves, scores best overall.
  assert.ok(
    tag('hybrid(legal@1)', 'stable') >= tag('lora(legal@1)', 'stable') - 0.05,
    JSON.stringify(by('hybrid(legal@1)')),
  );
  assert.ok(Math.abs(by('rag').general_f1!.value - by('base').general_f1!.value) <= 0.05);
  apart('hybrid(legal@1)', 'base');
  for (const other of ['base', 'lora(legal@1)', 'rag'])
    assert.ok(by('hybrid(legal@1)').quality.f1.value > by(other).quality.f1.value, `hybrid vs ${other}`);
  // The general set: the base answers it, the adapter (trained to send off-topic questions elsewhere) forgets.
  assert.ok(by('base').general_f1!.value > by('lora(legal@1)').general_f1!.value);
  const forgetting = report.forgetting.find((c) => c.system === 'lora(legal@1)')!;
  assert.ok(forgetting.measurable && forgetting.delta < 0, JSON.stringify(forgetting));
  assert.ok(['rag', 'lora', 'hybrid'].includes(report.decision.strategy!), report.decision.text);
  assert.match(report.decision.text, /F1 over/);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<svg/);
});
