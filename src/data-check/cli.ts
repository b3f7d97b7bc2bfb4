/**
 * @module data-check/cli — `lorag data check FILE... [--kind eval|alpaca] [--against FILE]... [--max-tokens N]
 * [--near 0.8] [--json]`: prints one report per file and exits 1 when any file has an error. An eval set given
 * together with training files is also checked for leakage against them.
 */
import { parseArgs } from 'node:util';
import { checkDatasets } from './check-dataset.ts';
import { formatReport } from './format-report.ts';
import type { DatasetKind } from './schemas.ts';

const USAGE =
  'usage: lorag data check FILE... [--kind eval|alpaca] [--against FILE]... [--max-tokens 2048] [--near 0.8] [--json]';

export async function main(argv: string[], out: { write(text: string): unknown } = process.stdout): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') throw new Error(USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      against: { type: 'string', multiple: true },
      'max-tokens': { type: 'string', default: '2048' },
      near: { type: 'string', default: '0.8' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new Error(USAGE);
  if (values.kind !== undefined && values.kind !== 'eval' && values.kind !== 'alpaca')
    throw new Error(`--kind must be eval or alpaca, not '${values.kind}'`);
  const maxTokens = Number(values['max-tokens']);
  const near = Number(values.near);
  if (!Number.isInteger(maxTokens) || maxTokens <= 0) throw new Error('--max-tokens must be a positive integer');
  if (!(near > 0 && near <= 1)) throw new Error('--near must be in (0, 1]');
  const reports = checkDatasets(positionals, {
    kind: values.kind as DatasetKind | undefined,
    against: values.against,
    maxTokens,
    nearThreshold: near,
  });
  if (values.json) {
    out.write(
      `${JSON.stringify(
        reports.map(({ valid: _valid, ...r }) => r),
        null,
        2,
      )}\n`,
    );
  } else {
    out.write(`${reports.map(formatReport).join('\n\n')}\n`);
  }
  const errors = reports.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) process.exitCode = 1;
}
