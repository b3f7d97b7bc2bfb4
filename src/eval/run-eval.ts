/**
 * @module eval/run-eval — runs an eval set through a running gateway: validate the set (data-check), resolve
 * and probe the systems, then answer every (system, case) not already in the output folder with bounded
 * concurrency, appending each answer as it arrives. A gateway that goes away stops the run cleanly: what was
 * answered stays, and the same command resumes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { checkDataset } from '../data-check/check-dataset.ts';
import { formatIssue } from '../data-check/format-report.ts';
import type { EvalCase } from '../data-check/schemas.ts';
import type { AnswerRecord, EvalStrategy, EvalSystem } from './answer-record.ts';
import { type AskOptions, ask, requestBody, Unanswered } from './ask.ts';
import { openOutputFolder } from './output-folder.ts';
import { evalProgress } from './progress.ts';
import { EvalInputError, probeSystems, resolveSystems } from './systems.ts';

export interface RunEvalOptions extends AskOptions {
  setPath: string;
  baseURL: string;
  apiKey: string;
  models: string[];
  strategies: EvalStrategy[];
  outDir: string;
  concurrency: number;
  /** SDK retries per request (429, 5xx, connection errors), with its backoff and retry-after. */
  retries?: number;
  timeoutMs?: number;
  progress?: NodeJS.WriteStream;
}

export interface RunEvalResult {
  cases: EvalCase[];
  systems: EvalSystem[];
  baseModel: string;
  answers: AnswerRecord[];
  complete: boolean;
  unanswered: number;
  stopReason: string | null;
  folder: ReturnType<typeof openOutputFolder>;
}

export function loadEvalSet(path: string): EvalCase[] {
  const report = checkDataset(path, { kind: 'eval' });
  if (report.errors > 0)
    throw new EvalInputError(
      `${path} has ${report.errors} error(s); nothing was sent:\n${report.issues
        .filter((i) => i.severity === 'error')
        .map((i) => `  ${formatIssue(i)}`)
        .join('\n')}`,
    );
  return report.valid.map((r) => r.value as EvalCase);
}

export async function runEval(o: RunEvalOptions): Promise<RunEvalResult> {
  const cases = loadEvalSet(o.setPath);
  const client = new OpenAI({
    baseURL: o.baseURL,
    apiKey: o.apiKey,
    maxRetries: o.retries ?? 4,
    timeout: o.timeoutMs ?? 120_000,
  });
  let resolved: Awaited<ReturnType<typeof resolveSystems>>;
  try {
    resolved = await resolveSystems(client, o.models, o.strategies);
  } catch (err) {
    if (err instanceof OpenAI.APIError && (err.status === 401 || err.status === 403))
      throw new EvalInputError(`the gateway refuses the key: ${err.status} ${err.message}`);
    if (err instanceof OpenAI.APIConnectionError)
      throw new EvalInputError(`the gateway is unreachable: ${err.message}`);
    throw err;
  }
  const { systems, baseModel } = resolved;
  await probeSystems(client, systems, (s) =>
    requestBody(s, { id: 'probe', question: 'ping', reference: '', kind: 'domain', tags: [] }, o),
  );

  const folder = openOutputFolder(o.outDir);
  folder.begin({
    set_sha256: createHash('sha256').update(readFileSync(o.setPath)).digest('hex'),
    systems: systems.map((s) => s.label),
    seed: o.seed,
    max_tokens: o.maxTokens,
    collections: o.collections ?? null,
    top_k: o.topK ?? null,
  });
  const caseIds = new Set(cases.map((c) => c.id));
  const labels = new Set(systems.map((s) => s.label));
  const done = new Map<string, AnswerRecord>();
  for (const a of folder.answers())
    if (caseIds.has(a.case_id) && labels.has(a.system)) done.set(`${a.system}\u0000${a.case_id}`, a);
  const jobs: { system: EvalSystem; c: EvalCase }[] = [];
  for (const system of systems)
    for (const c of cases) if (!done.has(`${system.label}\u0000${c.id}`)) jobs.push({ system, c });

  const progress = evalProgress(jobs.length, o.progress);
  progress.start();
  let stopReason: string | null = null;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !stopReason) {
      const job = jobs[next++];
      try {
        const record = await ask(client, job.system, job.c, o);
        folder.append(record);
        done.set(`${job.system.label}\u0000${job.c.id}`, record);
        progress.tick(record.error !== null);
      } catch (err) {
        if (!(err instanceof Unanswered)) throw err;
        if (err.gatewayGone) stopReason = err.message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  progress.done();
  const answers = [...done.values()];
  return {
    cases,
    systems,
    baseModel,
    answers,
    complete: answers.length === cases.length * systems.length,
    unanswered: cases.length * systems.length - answers.length,
    stopReason,
    folder,
  };
}
