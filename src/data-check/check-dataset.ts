/**
 * @module data-check/check-dataset — validates an evaluation set or an Alpaca training file: schema, duplicate
 * ids and prompts, empty outputs, length against a token budget (and outliers), and leakage against other
 * files (exact and near-duplicate prompts). Every issue names its file, line and field. `lorag data check`,
 * `lorag eval` (before sending anything) and `lorag train` all go through `checkDataset`.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { estimateTokens } from '../openai/token-estimate.ts';
import { leakIndex } from './leakage.ts';
import { readRecords } from './records.ts';
import {
  type AlpacaRecord,
  alpacaRecordSchema,
  type DatasetKind,
  type EvalCase,
  evalCaseSchema,
  guessKind,
  promptText,
} from './schemas.ts';

export interface DatasetIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  field: string | null;
  code: string;
  message: string;
}

export interface CheckedRecord<T> {
  line: number;
  value: T;
}

export interface DatasetReport {
  file: string;
  kind: DatasetKind | null;
  records: number;
  issues: DatasetIssue[];
  errors: number;
  warnings: number;
  /** Estimated tokens per record (prompt + answer). */
  tokens: { min: number; median: number; max: number } | null;
  /** The records that passed the schema, in file order. */
  valid: CheckedRecord<EvalCase | AlpacaRecord>[];
}

export interface CheckOptions {
  /** Default: guessed from the first record's keys. */
  kind?: DatasetKind;
  /** Token budget per record (LLaMA-Factory's cutoff_len; the eval prompt budget). Default 2048. */
  maxTokens?: number;
  /** Other datasets whose prompts must not reappear here (training file vs eval set). */
  against?: string[];
  /** Share of shared n-grams from which two prompts count as near-duplicates. Default 0.8. */
  nearThreshold?: number;
  /** The file's text, when it is not to be read from disk. */
  text?: string;
}

export function checkDataset(file: string, options: CheckOptions = {}): DatasetReport {
  const issues: DatasetIssue[] = [];
  const issue = (
    severity: DatasetIssue['severity'],
    line: number | null,
    field: string | null,
    code: string,
    message: string,
  ) => issues.push({ severity, file, line, field, code, message });
  let text: string;
  try {
    text = options.text ?? readFileSync(file, 'utf8');
  } catch (err) {
    issue('error', null, null, 'unreadable', `cannot read: ${(err as Error).message}`);
    return finish(file, null, 0, issues, [], []);
  }
  const raw = readRecords(text, extname(file).toLowerCase() === '.json' ? 'json' : 'jsonl');
  const kind = options.kind ?? guessKind(raw.find((r) => r.value !== undefined)?.value) ?? null;
  if (raw.length === 0) issue('error', null, null, 'empty_file', 'the file has no records');
  if (!kind && raw.some((r) => r.value !== undefined))
    issue(
      'error',
      raw[0].line,
      null,
      'unknown_format',
      'neither an eval case (reference, question) nor an Alpaca record (instruction, output); pass --kind',
    );

  const valid: CheckedRecord<EvalCase | AlpacaRecord>[] = [];
  for (const r of raw) {
    if (r.parseError !== undefined) {
      issue('error', r.line, null, 'invalid_json', `not valid JSON: ${r.parseError}`);
      continue;
    }
    if (!kind) continue;
    const parsed = (kind === 'eval' ? evalCaseSchema : alpacaRecordSchema).safeParse(r.value);
    if (!parsed.success) {
      for (const zi of parsed.error.issues) {
        const field = zi.path.length ? zi.path.join('.') : null;
        const keys = zi.code === 'unrecognized_keys' ? zi.keys.join(', ') : null;
        issue('error', r.line, keys ?? field, 'schema', keys ? `unknown field(s): ${keys}` : zi.message);
      }
      continue;
    }
    valid.push({ line: r.line, value: parsed.data });
  }
  if (kind) {
    checkDuplicates(kind, valid, issue);
    if (kind === 'alpaca')
      for (const r of valid)
        if ((r.value as AlpacaRecord).output.trim() === '')
          issue('error', r.line, 'output', 'empty_output', 'the output is empty');
  }
  const lengths = kind ? valid.map((r) => ({ line: r.line, tokens: recordTokens(kind, r.value) })) : [];
  if (kind) checkLengths(kind, lengths, options.maxTokens ?? 2048, issue);
  if (kind && options.against?.length) checkLeakage(kind, valid, options.against, options.nearThreshold ?? 0.8, issue);
  return finish(
    file,
    kind,
    raw.length,
    issues,
    valid,
    lengths.map((l) => l.tokens),
  );
}

type Issue = (
  severity: DatasetIssue['severity'],
  line: number | null,
  field: string | null,
  code: string,
  message: string,
) => void;

function checkDuplicates(kind: DatasetKind, valid: CheckedRecord<EvalCase | AlpacaRecord>[], issue: Issue): void {
  const ids = new Map<string, number>();
  const prompts = new Map<string, number>();
  for (const r of valid) {
    if (kind === 'eval') {
      const id = (r.value as EvalCase).id;
      const first = ids.get(id);
      if (first !== undefined)
        issue('error', r.line, 'id', 'duplicate_id', `id '${id}' is already used on line ${first}`);
      else ids.set(id, r.line);
    }
    const key = JSON.stringify(
      kind === 'eval'
        ? ((r.value as EvalCase).messages ?? (r.value as EvalCase).question)
        : [(r.value as AlpacaRecord).instruction, (r.value as AlpacaRecord).input],
    );
    const first = prompts.get(key);
    const field = kind === 'eval' ? ((r.value as EvalCase).messages ? 'messages' : 'question') : 'instruction';
    if (first !== undefined) issue('warning', r.line, field, 'duplicate_prompt', `same prompt as line ${first}`);
    else prompts.set(key, r.line);
  }
}

function recordTokens(kind: DatasetKind, value: EvalCase | AlpacaRecord): number {
  if (kind === 'alpaca') {
    const r = value as AlpacaRecord;
    const history = (r.history ?? []).flat().join('\n');
    return estimateTokens(`${r.system ?? ''}${history}${r.instruction}${r.input}${r.output}`);
  }
  const c = value as EvalCase;
  const prompt = c.messages ? c.messages.map((m) => m.content).join('\n') : (c.question ?? '');
  return estimateTokens(prompt);
}

function checkLengths(
  kind: DatasetKind,
  lengths: { line: number; tokens: number }[],
  budget: number,
  issue: Issue,
): void {
  const field = kind === 'alpaca' ? 'output' : 'question';
  for (const l of lengths)
    if (l.tokens > budget)
      issue(
        'error',
        l.line,
        field,
        'over_token_budget',
        `about ${l.tokens} tokens, over the budget of ${budget} (it would be truncated)`,
      );
  if (lengths.length < 10) return;
  const sorted = lengths.map((l) => l.tokens).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.floor(p * (sorted.length - 1))];
  const fence = q(0.75) + 3 * Math.max(1, q(0.75) - q(0.25));
  for (const l of lengths)
    if (l.tokens > fence && l.tokens <= budget)
      issue(
        'warning',
        l.line,
        field,
        'length_outlier',
        `about ${l.tokens} tokens, far above the others (median ${q(0.5)})`,
      );
}

function checkLeakage(
  kind: DatasetKind,
  valid: CheckedRecord<EvalCase | AlpacaRecord>[],
  against: string[],
  threshold: number,
  issue: Issue,
): void {
  const items: { ref: { file: string; line: number; field: string }; text: string }[] = [];
  for (const other of against) {
    const report = checkDataset(other);
    if (!report.kind) {
      issue(
        'error',
        null,
        null,
        'unreadable',
        `cannot compare against ${other}: ${report.issues[0]?.message ?? 'unknown format'}`,
      );
      continue;
    }
    const field = report.kind === 'alpaca' ? 'instruction' : 'question';
    for (const r of report.valid)
      items.push({ ref: { file: other, line: r.line, field }, text: promptText(report.kind, r.value) });
  }
  const index = leakIndex(items);
  const field = kind === 'alpaca' ? 'instruction' : 'question';
  for (const r of valid) {
    const match = index.find(promptText(kind, r.value), threshold);
    if (!match) continue;
    const where = `${match.ref.file}:${match.ref.line} ${match.ref.field}`;
    issue(
      'error',
      r.line,
      field,
      match.kind === 'exact' ? 'leak_exact' : 'leak_near',
      match.kind === 'exact'
        ? `the same prompt is in ${where}`
        : `near-duplicate of ${where} (${Math.round(match.overlap * 100)}% of n-grams shared)`,
    );
  }
}

function finish(
  file: string,
  kind: DatasetKind | null,
  records: number,
  issues: DatasetIssue[],
  valid: CheckedRecord<EvalCase | AlpacaRecord>[],
  tokens: number[],
): DatasetReport {
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const sorted = [...tokens].sort((a, b) => a - b);
  return {
    file,
    kind,
    records,
    issues,
    errors: issues.filter((i) => i.severity === 'error').length,
    warnings: issues.filter((i) => i.severity === 'warning').length,
    tokens: sorted.length
      ? { min: sorted[0], median: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted.at(-1)! }
      : null,
    valid,
  };
}

/** Several files at once; eval sets are also checked for leakage against every training file given. */
export function checkDatasets(files: string[], options: Omit<CheckOptions, 'text'> = {}): DatasetReport[] {
  const kinds = new Map(files.map((f) => [f, checkDataset(f, { kind: options.kind }).kind]));
  return files.map((f) => {
    const training = files.filter((o) => o !== f && kinds.get(o) === 'alpaca');
    const against = [...(options.against ?? []), ...(kinds.get(f) === 'eval' ? training : [])];
    return checkDataset(f, { ...options, against });
  });
}
