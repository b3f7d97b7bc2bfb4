/**
 * @module eval/cli — `lorag eval --set FILE --out DIR [--url URL] [--key KEY] [--models legal@1,legal@2]
 * [--strategies base,lora,rag,hybrid] [--collections a,b] [--top-k N] [--concurrency 4] [--seed 7]
 * [--max-tokens 128] [--department NAME] [--require-citations] [--use-cache] [--feedback --tenant T
 * --admin-key K] [--judge-url URL --judge-model M --judge-key K]`: runs the set through a running gateway and writes answers.jsonl, report.json, summary.md
 * and index.html into DIR (only there). Re-running the same command resumes an interrupted run.
 */
import { parseArgs } from 'node:util';
import { judgeAnswers } from './judge.ts';
import { fetchOnlineFeedback } from './online-feedback.ts';
import { writeReport } from './report/write-report.ts';
import { runEval } from './run-eval.ts';
import { EvalInputError, parseStrategies } from './systems.ts';

const USAGE =
  'usage: lorag eval --set FILE --out DIR [--url http://127.0.0.1:8080/v1] [--key KEY] [--models legal] [--strategies base,lora,rag,hybrid] [options]';

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new EvalInputError(`--${name} must be a positive integer, not '${value}'`);
  return n;
}

export async function main(argv: string[], out: { write(text: string): unknown } = process.stdout): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      set: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string', default: 'http://127.0.0.1:8080/v1' },
      key: { type: 'string' },
      models: { type: 'string', default: '' },
      strategies: { type: 'string', default: 'base,lora,rag,hybrid' },
      collections: { type: 'string' },
      'top-k': { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      'max-tokens': { type: 'string' },
      retries: { type: 'string' },
      department: { type: 'string' },
      'require-citations': { type: 'boolean', default: false },
      'use-cache': { type: 'boolean', default: false },
      feedback: { type: 'boolean', default: false },
      tenant: { type: 'string' },
      'admin-key': { type: 'string' },
      'judge-url': { type: 'string' },
      'judge-model': { type: 'string' },
      'judge-key': { type: 'string' },
    },
  });
  if (!values.set || !values.out) throw new EvalInputError(USAGE);
  const apiKey = values.key ?? process.env.OPENAI_API_KEY;
  if (!apiKey) throw new EvalInputError('a tenant key is needed: --key or OPENAI_API_KEY');
  if (values.feedback && (!values.tenant || !values['admin-key']))
    throw new EvalInputError('--feedback needs --tenant and --admin-key (it reads GET /admin/feedback)');
  const strategies = parseStrategies(values.strategies);
  const models = values.models
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const topK = values['top-k'] === undefined ? undefined : positiveInt('top-k', values['top-k'], 4);
  const result = await runEval({
    setPath: values.set,
    baseURL: values.url,
    apiKey,
    models,
    strategies,
    outDir: values.out,
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    seed: values.seed === undefined ? 7 : Number(values.seed),
    maxTokens: positiveInt('max-tokens', values['max-tokens'], 128),
    retries: values.retries === undefined ? 4 : Number(values.retries),
    collections: values.collections
      ?.split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    topK,
    useCache: values['use-cache'],
  });
  const feedback = values.feedback
    ? await fetchOnlineFeedback(values.url.replace(/\/v1\/?$/, ''), values['admin-key']!, values.tenant!)
    : null;
  // The optional LLM judge: groundedness of retrieval answers in their passages (off unless --judge-url).
  const judgments = values['judge-url']
    ? await judgeAnswers(
        result.folder,
        result.answers,
        new Map(
          result.cases.map((c) => [
            c.id,
            c.question ?? c.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '',
          ]),
        ),
        {
          url: values['judge-url'],
          model: values['judge-model'] ?? 'gpt-4o-mini',
          apiKey: values['judge-key'] ?? process.env.JUDGE_API_KEY ?? 'none',
          concurrency: positiveInt('concurrency', values.concurrency, 4),
        },
      )
    : [];
  const department = values.department ?? models[0]?.split('@')[0] ?? 'default';
  const { summary } = await writeReport({
    folder: result.folder,
    department,
    setPath: values.set,
    gateway: values.url,
    baseModel: result.baseModel,
    cases: result.cases,
    systems: result.systems,
    answers: result.answers,
    complete: result.complete,
    k: topK ?? 4,
    requireCitations: values['require-citations'],
    feedback,
    judgments,
  });
  out.write(summary);
  if (!result.complete) {
    process.stderr.write(
      `lorag eval: incomplete — ${result.unanswered} answer(s) missing${result.stopReason ? ` (${result.stopReason})` : ''}; ${result.answers.length} saved in ${result.folder.root}. Run the same command again to resume.\n`,
    );
    process.exitCode = 1;
  } else process.stderr.write(`lorag eval: report in ${result.folder.root}/index.html\n`);
}
