/**
 * @module train/peft-backend — runs engine/train_adapter.py (engine/.venv's Python: torch + PEFT, pinned in
 * engine/requirements.txt) on a job file and turns its JSON lines into events: start, every step's loss, done.
 * A non-zero exit or a missing `done` is an error with the tail of the script's output.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface PeftJob {
  base_dir: string;
  base_name: string;
  data: string;
  out: string;
  label: string;
  lora: { r: number; alpha: number; dropout: number; target_modules: string[] };
  train: {
    learning_rate: number;
    max_steps: number;
    batch_size: number;
    cutoff_len: number;
    seed: number;
    stop_loss?: number;
  };
  probe: { prompt: string; expect_prefix: string } | null;
}

export interface ProbeResult {
  prompt: string;
  expect_prefix: string;
  answer: string;
  ok: boolean;
  base_answer: string;
  base_differs: boolean;
}

export interface PeftDone {
  steps: number;
  final_loss: number;
  probe: ProbeResult | null;
  device: string;
  trainable_params: number;
}

export const repoRoot = new URL('../..', import.meta.url).pathname;

export function defaultPython(): string {
  const venv = join(repoRoot, 'engine', '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

export function runPeft(
  job: PeftJob,
  jobFile: string,
  o: { python?: string; onStep?(step: number, loss: number): void; signal?: AbortSignal },
): Promise<PeftDone> {
  writeFileSync(jobFile, JSON.stringify(job, null, 2));
  const child = spawn(o.python ?? defaultPython(), [join(repoRoot, 'engine', 'train_adapter.py'), jobFile], {
    cwd: join(repoRoot, 'engine'),
    stdio: ['ignore', 'pipe', 'pipe'],
    // The script reads nothing from LORAG_*; keep the env otherwise (threads, HF offline flags).
    env: { ...process.env, PYTHONUNBUFFERED: '1', TOKENIZERS_PARALLELISM: 'false', HF_HUB_OFFLINE: '1' },
    signal: o.signal,
  });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  };
  child.stderr.setEncoding('utf8');
  createInterface({ input: child.stderr }).on('line', keep);
  let start: { device: string; trainable_params: number } = { device: '?', trainable_params: 0 };
  let done: Omit<PeftDone, 'device' | 'trainable_params'> | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return keep(line);
    try {
      const e = JSON.parse(line) as Record<string, any>;
      if (e.event === 'start') start = { device: e.device, trainable_params: e.trainable_params };
      else if (e.event === 'step') o.onStep?.(e.step, e.loss);
      else if (e.event === 'done') done = { steps: e.steps, final_loss: e.final_loss, probe: e.probe };
    } catch {
      keep(line);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 && done) resolve({ ...done, ...start });
      else reject(new Error(`training failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`));
    });
  });
}
