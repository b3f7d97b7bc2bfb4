/** @module usage/table — usage rows as a terminal table (totals per tenant/adapter/key, or per hour). Pure. */
import type { UsageRow } from './ledger.ts';

/** Sums rows over hours, keeping one row per (tenant, adapter, key); `hour` becomes the first hour seen. */
export function totalsByKey(rows: UsageRow[]): UsageRow[] {
  const out = new Map<string, UsageRow>();
  for (const r of rows) {
    const id = JSON.stringify([r.tenant, r.adapter, r.key]);
    const acc = out.get(id);
    if (!acc) out.set(id, { ...r });
    else {
      acc.requests += r.requests;
      acc.prompt_tokens += r.prompt_tokens;
      acc.completion_tokens += r.completion_tokens;
      acc.total_tokens += r.total_tokens;
    }
  }
  return [...out.values()].sort((a, b) => b.total_tokens - a.total_tokens || a.tenant.localeCompare(b.tenant));
}

export function formatUsageTable(rows: UsageRow[], options: { hourly: boolean }): string {
  const shown = options.hourly ? rows : totalsByKey(rows);
  const header = [
    ...(options.hourly ? ['HOUR (UTC)'] : []),
    'TENANT',
    'ADAPTER',
    'KEY',
    'REQUESTS',
    'PROMPT',
    'COMPLETION',
    'TOTAL',
  ];
  const body = shown.map((r) => [
    ...(options.hourly ? [`${r.hour.slice(0, 13).replace('T', ' ')}:00`] : []),
    r.tenant,
    r.adapter,
    r.key,
    String(r.requests),
    String(r.prompt_tokens),
    String(r.completion_tokens),
    String(r.total_tokens),
  ]);
  const sum = (k: 'requests' | 'prompt_tokens' | 'completion_tokens' | 'total_tokens') =>
    String(shown.reduce((a, r) => a + r[k], 0));
  const totals = [
    ...(options.hourly ? [''] : []),
    'total',
    '',
    '',
    sum('requests'),
    sum('prompt_tokens'),
    sum('completion_tokens'),
    sum('total_tokens'),
  ];
  const all = [header, ...body, totals];
  const numeric = (i: number) => i >= header.length - 4;
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  if (body.length === 0) return 'no usage recorded in this period\n';
  return `${[line(header), rule, ...body.map(line), rule, line(totals)].join('\n')}\n`;
}

/** `24h`, `7d`, `90m` → milliseconds. */
export function parseSince(text: string): number {
  const m = /^(\d+)\s*([mhd])$/.exec(text.trim());
  if (!m) throw new Error(`--since: expected a duration like 90m, 24h or 7d; got '${text}'`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
