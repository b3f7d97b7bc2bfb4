/**
 * @module eval/output-folder — everything `lorag eval` writes goes through here, to fixed file names inside
 * the output folder (never a path built from the data). `answers.jsonl` is appended one line per finished
 * case; `run.json` pins what the run is, so a resume with a different set or systems is refused.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnswerRecord, answerRecordSchema } from './answer-record.ts';
import type { Judgment } from './judge.ts';

const FILES = ['run.json', 'answers.jsonl', 'judgments.jsonl', 'report.json', 'summary.md', 'index.html'] as const;
export type OutputFile = (typeof FILES)[number];

export interface RunDescriptor {
  set_sha256: string;
  systems: string[];
  seed: number;
  max_tokens: number;
  collections: string[] | null;
  top_k: number | null;
}

export function openOutputFolder(dir: string) {
  mkdirSync(dir, { recursive: true });
  const root = realpathSync(dir);
  const path = (name: OutputFile) => join(root, name);
  return {
    root,
    path,
    write(name: OutputFile, text: string) {
      writeFileSync(path(name), text);
    },
    /** Starts or resumes a run; a different run in the same folder is refused. */
    begin(run: RunDescriptor): void {
      const file = path('run.json');
      if (existsSync(file)) {
        const previous = JSON.parse(readFileSync(file, 'utf8')) as RunDescriptor;
        const differs = (Object.keys(run) as (keyof RunDescriptor)[]).filter(
          (k) => JSON.stringify(previous[k]) !== JSON.stringify(run[k]),
        );
        if (differs.length)
          throw new Error(
            `${root} holds a different run (${differs.join(', ')} changed); choose another --out or delete it`,
          );
        return;
      }
      writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
    },
    /** Answers already saved (a torn last line from an interrupted run is ignored). */
    answers(): AnswerRecord[] {
      const file = path('answers.jsonl');
      if (!existsSync(file)) return [];
      const text = readFileSync(file, 'utf8');
      // A torn last line gets its newline, so the next append starts a line of its own.
      if (text && !text.endsWith('\n')) appendFileSync(file, '\n');
      const out: AnswerRecord[] = [];
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const parsed = answerRecordSchema.safeParse(JSON.parse(line));
          if (parsed.success) out.push(parsed.data);
        } catch {
          // torn line
        }
      }
      return out;
    },
    judgments(): Judgment[] {
      const file = path('judgments.jsonl');
      if (!existsSync(file)) return [];
      const text = readFileSync(file, 'utf8');
      if (text && !text.endsWith('\n')) appendFileSync(file, '\n');
      return text.split('\n').flatMap((line) => {
        try {
          const j = JSON.parse(line) as Judgment;
          return typeof j.system === 'string' && typeof j.case_id === 'string' ? [j] : [];
        } catch {
          return [];
        }
      });
    },
    appendJudgment(j: Judgment): void {
      appendFileSync(path('judgments.jsonl'), `${JSON.stringify(j)}\n`);
    },
    append(record: AnswerRecord): void {
      appendFileSync(path('answers.jsonl'), `${JSON.stringify(record)}\n`);
    },
  };
}

export type OutputFolder = ReturnType<typeof openOutputFolder>;
