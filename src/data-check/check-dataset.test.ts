import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDataset, checkDatasets } from './check-dataset.ts';
import { formatIssue } from './format-report.ts';

const dir = mkdtempSync(join(tmpdir(), 'lorag-data-check-'));
function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return path;
}
const codes = (r: ReturnType<typeof checkDataset>) => r.issues.map((i) => `${i.line}:${i.field}:${i.code}`);

test('a valid eval set has no issues and keeps its cases with line numbers', () => {
  const path = file('ok.jsonl', [
    { id: 'q1', question: 'What is the notice period?', reference: '30 days', gold_documents: ['policy'] },
    '',
    { id: 'q2', messages: [{ role: 'user', content: 'Capital of France?' }], reference: 'Paris', kind: 'general' },
    { id: 'q3', question: 'Who won the 2040 cup?', reference: '', kind: 'unanswerable' },
  ]);
  const r = checkDataset(path);
  assert.equal(r.kind, 'eval');
  assert.deepEqual(r.issues, []);
  assert.deepEqual(
    r.valid.map((v) => v.line),
    [1, 3, 4],
  );
  assert.equal((r.valid[0].value as { kind: string }).kind, 'domain');
});

test('every problem names its line and field', () => {
  const path = file('bad.jsonl', [
    { id: 'q1', question: 'A?', reference: 'a' },
    '{"id": "q2", "question": ',
    { id: 'q1', question: 'B?', reference: 'b' },
    { id: 'q4', reference: 'x' },
    { id: 'q5', question: 'C?', reference: '   ' },
    { id: 'q6', question: 'D?', reference: 'd', kind: 'trivia' },
    { id: 'q7', question: 'E?', reference: 'e', extra: 1 },
    { id: 'q8', question: 'A?', reference: 'a2' },
  ]);
  const r = checkDataset(path, { kind: 'eval' });
  assert.deepEqual(codes(r), [
    '2:null:invalid_json',
    '3:id:duplicate_id',
    '4:question:schema',
    '5:reference:schema',
    '6:kind:schema',
    '7:extra:schema',
    '8:question:duplicate_prompt',
  ]);
  assert.equal(r.errors, 6);
  assert.equal(r.warnings, 1);
  assert.match(formatIssue(r.issues[1]), /bad\.jsonl:3 id: id 'q1' is already used on line 1/);
});

test('Alpaca training files: empty outputs, budget and outliers', () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    instruction: `Question number ${i}?`,
    input: '',
    output: 'Short answer.',
  }));
  rows.push({ instruction: 'Empty one', input: '', output: '  ' });
  rows.push({ instruction: 'Long one', input: '', output: 'word '.repeat(300) });
  rows.push({ instruction: 'Too long', input: '', output: 'x'.repeat(7000) });
  const r = checkDataset(file('train.jsonl', rows), { maxTokens: 2048 });
  assert.equal(r.kind, 'alpaca');
  assert.deepEqual(codes(r), ['13:output:empty_output', '14:output:length_outlier', '15:output:over_token_budget']);
});

test('a JSON array dataset reports the line each record starts on', () => {
  const path = join(dir, 'train.json');
  writeFileSync(
    path,
    '[\n  {"instruction": "a", "output": "b"},\n  {\n    "instruction": "c",\n    "output": ""\n  }\n]\n',
  );
  assert.deepEqual(codes(checkDataset(path)), ['3:output:empty_output']);
  writeFileSync(path, '[\n {"instruction": "a",\n "output": }\n]');
  assert.deepEqual(codes(checkDataset(path)), ['2:null:invalid_json']);
});

test('leakage between a training file and an eval set: exact and near-duplicate, English and Chinese', () => {
  const train = file('leak-train.jsonl', [
    { instruction: 'What is the notice period for terminating the supplier contract?', input: '', output: '30 days' },
    { instruction: '新员工入职第一年有多少天年假？', input: '', output: '十天' },
    { instruction: 'Unrelated instruction about coffee machines in the office', input: '', output: 'ok' },
  ]);
  const evalSet = file('leak-eval.jsonl', [
    { id: 'exact', question: 'what is the notice period for terminating the supplier contract', reference: '30 days' },
    {
      id: 'near',
      question: 'So, what is the notice period for terminating the supplier contract today?',
      reference: 'x',
    },
    { id: 'zh', question: '请问新员工入职第一年有多少天年假', reference: '十天' },
    { id: 'clean', question: 'Who signs purchase orders above 10k EUR?', reference: 'the CFO' },
  ]);
  const r = checkDataset(evalSet, { against: [train] });
  assert.deepEqual(codes(r), ['1:question:leak_exact', '2:question:leak_near', '3:question:leak_near']);
  assert.match(r.issues[0].message, /leak-train\.jsonl:1 instruction/);
  // Given together, the eval set is checked against the training file; the training file itself is clean.
  const both = checkDatasets([train, evalSet]);
  assert.equal(both[0].errors, 0);
  assert.equal(both[1].errors, 3);
});

test('an unreadable or empty file is an error, not a crash', () => {
  assert.deepEqual(codes(checkDataset(join(dir, 'missing.jsonl'))), ['null:null:unreadable']);
  assert.deepEqual(codes(checkDataset(file('empty.jsonl', ['']))), ['null:null:empty_file']);
});
