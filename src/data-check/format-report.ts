/**
 * @module data-check/format-report — the readable report: one header line per file, one line per issue
 * (`error   file:line field: message [code]`).
 */
import type { DatasetIssue, DatasetReport } from './check-dataset.ts';

export function formatIssue(i: DatasetIssue): string {
  const where = `${i.file}${i.line != null ? `:${i.line}` : ''}${i.field ? ` ${i.field}` : ''}`;
  return `${i.severity === 'error' ? 'error  ' : 'warning'} ${where}: ${i.message} [${i.code}]`;
}

export function formatReport(r: DatasetReport): string {
  const head =
    `${r.file}: ${r.kind ?? 'unknown'} dataset, ${r.records} record(s), ${r.valid.length} valid` +
    (r.tokens ? `, ~${r.tokens.median} tokens median (max ${r.tokens.max})` : '') +
    ` — ${r.errors} error(s), ${r.warnings} warning(s)`;
  return [head, ...r.issues.map((i) => `  ${formatIssue(i)}`)].join('\n');
}
