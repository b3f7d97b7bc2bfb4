/**
 * @module usage/report-format — the chargeback report as a terminal table and as CSV (RFC 4180: one header
 * line, `,`-separated, fields with `,` `"` or a line break quoted). Pure.
 */
import { textTable } from '../budgets/text-table.ts';
import type { ChargebackReport, ChargebackRow } from './report.ts';

const COLUMNS = [
  'tenant',
  'adapter',
  'key',
  'requests',
  'cache_hits',
  'cache_hit_share',
  'prompt_tokens',
  'completion_tokens',
  'cost',
] as const;

function cells(r: ChargebackRow): string[] {
  return COLUMNS.map((c) => {
    const v = r[c];
    if (v === null) return '';
    if (c === 'cache_hit_share') return `${(Number(v) * 100).toFixed(1)}%`;
    if (c === 'cost') return Number(v).toFixed(6);
    return String(v);
  });
}

export function formatReportTable(report: ChargebackReport): string {
  const header = [
    'TENANT',
    'ADAPTER',
    'KEY',
    'REQUESTS',
    'CACHE HITS',
    'HIT SHARE',
    'TOKENS IN',
    'TOKENS OUT',
    `COST (${report.currency})`,
  ];
  const body = [...report.rows, ...report.totals].map((r) => {
    const c = cells(r);
    if (r.key === '*') {
      c[0] = r.tenant === '*' ? 'TOTAL' : `${r.tenant} total`;
      c[1] = '';
      c[2] = '';
    }
    return c;
  });
  return `Chargeback ${report.period} (${report.from} – ${report.to}, ${report.time_zone})\n\n${textTable(header, body, 3)}`;
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function formatReportCsv(report: ChargebackReport): string {
  const header = ['period', ...COLUMNS, 'currency'];
  const lines = report.rows.map((r) =>
    [report.period, ...COLUMNS.map((c) => (r[c] === null ? '' : String(r[c]))), report.currency]
      .map(csvField)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
