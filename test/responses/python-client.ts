/**
 * Runs test/responses/python/client.py with a Python that has the `openai` package: engine/.venv when the
 * real-vLLM lane installed it, else test/responses/python/.venv, created on first use by
 * `bash test/responses/python/setup.sh` (pinned requirements, idempotent), so a clean clone just works.
 * Asynchronous, because the gateway it talks to may live in this process.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'test/responses/python/client.py');

export function responsesPython(): string {
  const engine = join(root, 'engine/.venv/bin/python');
  if (existsSync(engine)) return engine;
  execFileSync('bash', [join(root, 'test/responses/python/setup.sh')], { stdio: 'ignore', timeout: 600_000 });
  return join(root, 'test/responses/python/.venv/bin/python');
}

export interface PythonResult {
  openai_version: string;
  create: { id: string; status: string; model: string; text: string; usage: Record<string, unknown> };
  stream: { text: string; events: string[]; status: string };
  parse: { status: string; parsed: { department: string; priority: number } | null; text: string };
  retrieve: boolean;
  file_search?: {
    results: Record<string, unknown>[];
    text: string;
    annotations: Record<string, unknown>[];
    stream_annotation_events: number[];
    stream_annotations: Record<string, unknown>[];
  };
}

export async function runPythonClient(baseURL: string, key: string, model: string, extra: string[] = []) {
  const { stdout } = await promisify(execFile)(responsesPython(), [script, baseURL, key, model, ...extra], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  return JSON.parse(stdout) as PythonResult;
}
