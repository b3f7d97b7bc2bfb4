/** @module eval/report/summary-md — summary.md: the decision, the metric table and the comparisons, for CI logs. */
import type { Analysis } from '../compare.ts';
import type { Report } from './build-report.ts';
import { signed, withInterval } from './format.ts';
import { metricTable } from './table.ts';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function summaryMarkdown(report: Report, analysis: Analysis): string {
  const { header, rows } = metricTable(analysis);
  const lines = [
    `# lorag eval — ${report.department}`,
    '',
    `${report.set.cases} cases (${Object.entries(report.set.by_kind)
      .map(([k, n]) => `${n} ${k}`)
      .join(
        ', ',
      )}) from \`${report.set.path}\` against ${report.gateway}${report.complete ? '' : ' — **incomplete run**'}.`,
    '',
    `**Decision:** ${report.decision.text}`,
    '',
    ...report.decision.notes.map((n) => `- ${n}`),
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    'Quality metrics are over the `domain` cases; intervals are 95% bootstrap intervals (1,000 resamples).',
    '',
    '## Paired comparisons (domain F1)',
    '',
    '| system | vs | Δ F1 | 95% interval | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...report.comparisons
      .filter((c) => c.metric === 'f1' && (c.delta > 0 || (c.delta === 0 && c.system < c.against)))
      .map(
        (c) =>
          `| ${c.system} | ${c.against} | ${signed(c.delta)} | [${c.low.toFixed(2)}, ${c.high.toFixed(2)}] | ${c.measurable ? (c.delta > 0 ? 'better' : 'worse') : 'no measurable difference'} |`,
      ),
  ];
  if (report.forgetting.length)
    lines.push(
      '',
      '## Forgetting (general cases, with the adapter minus without)',
      '',
      '| system | vs | Δ F1 | 95% interval | verdict |',
      '| --- | --- | --- | --- | --- |',
      ...report.forgetting.map(
        (c) =>
          `| ${c.system} | ${c.against} | ${signed(c.delta)} | [${c.low.toFixed(2)}, ${c.high.toFixed(2)}] | ${c.measurable && c.delta < 0 ? 'forgetting' : 'no forgetting measurable'} |`,
      ),
    );
  if (report.feedback)
    lines.push(
      '',
      `## Online feedback (tenant ${report.feedback.tenant})`,
      '',
      '| adapter | strategy | count | mean score [95%] |',
      '| --- | --- | --- | --- |',
      ...report.feedback.rows.map(
        (r) =>
          `| ${r.adapter} | ${r.strategy} | ${r.count} | ${withInterval({ value: r.mean, low: r.low, high: r.high, n: r.count })} |`,
      ),
      ...report.feedback.comparisons.map(
        (c) =>
          `\n${c.canary} vs ${c.stable} (${c.strategy}): ${signed(c.delta)} [${c.low.toFixed(2)}, ${c.high.toFixed(2)}] — ${c.measurable ? (c.delta > 0 ? 'canary better' : 'canary worse') : 'no measurable difference'}`,
      ),
    );
  return `${lines.join('\n')}\n`;
}
