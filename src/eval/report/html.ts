/**
 * @module eval/report/html — index.html: one self-contained page (inline CSS and SVG charts, no scripts, no
 * external resources) with the decision, the metric table, the charts, comparisons, forgetting, online
 * feedback and every case's answers side by side.
 */
import type { Analysis } from '../compare.ts';
import type { Report } from './build-report.ts';
import type { Chart } from './charts.ts';
import { num, signed, withInterval } from './format.ts';
import { metricTable } from './table.ts';

export const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const table = (header: string[], rows: string[][], cls = '') =>
  `<table class="${cls}"><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

const CSS = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}table.metrics td{white-space:nowrap}.decision{background:#eef7ee;border-left:4px solid #2a9d8f;padding:.8rem 1rem;font-size:15px}
figure{display:inline-block;margin:1rem 2rem 1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
.answers td{max-width:320px;white-space:pre-wrap}.muted{color:#777}`;

export function reportHtml(report: Report, analysis: Analysis, charts: { chart: Chart; svg: string }[]): string {
  const { header, rows } = metricTable(analysis);
  const labels = analysis.systems.map((s) => s.label);
  const f1Pairs = report.comparisons
    .filter((c) => c.metric === 'f1' && (c.delta > 0 || (c.delta === 0 && c.system < c.against)))
    .map((c) => [
      c.system,
      c.against,
      signed(c.delta),
      `[${num(c.low)}, ${num(c.high)}]`,
      c.measurable ? (c.delta > 0 ? 'better' : 'worse') : 'no measurable difference',
    ]);
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>lorag eval — ${esc(report.department)}</title><style>${CSS}</style></head><body>`,
    `<h1>lorag eval — ${esc(report.department)}</h1>`,
    `<p class="muted">${report.set.cases} cases from <code>${esc(report.set.path)}</code> against ${esc(report.gateway)}, base model ${esc(report.base_model)}, ${esc(report.generated_at)}${report.complete ? '' : ' — <strong>incomplete run</strong>'}</p>`,
    `<div class="decision" id="decision"><strong>Recommendation:</strong> ${esc(report.decision.text)}<ul>${report.decision.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>`,
    '<h2>Metrics per system</h2>',
    '<p class="muted">Quality metrics over the domain cases; 95% bootstrap intervals in brackets. A difference inside its paired interval is no measurable difference.</p>',
    table(header, rows, 'metrics'),
    '<h2>Charts</h2>',
    ...charts.map(
      (c) => `<figure id="chart-${c.chart.id}"><figcaption>${esc(c.chart.title)}</figcaption>${c.svg}</figure>`,
    ),
    '<h2>Paired comparisons (domain F1)</h2>',
    table(['system', 'vs', 'Δ F1', '95% interval', 'verdict'], f1Pairs),
  ];
  if (report.forgetting.length)
    parts.push(
      '<h2>Forgetting</h2>',
      table(
        ['system', 'vs', 'Δ F1 (general)', '95% interval', 'verdict'],
        report.forgetting.map((c) => [
          c.system,
          c.against,
          signed(c.delta),
          `[${num(c.low)}, ${num(c.high)}]`,
          c.measurable && c.delta < 0 ? 'forgetting' : 'no forgetting measurable',
        ]),
      ),
    );
  if (report.feedback)
    parts.push(
      `<h2>Online feedback (tenant ${esc(report.feedback.tenant)})</h2>`,
      table(
        ['adapter', 'strategy', 'count', 'mean score [95%]'],
        report.feedback.rows.map((r) => [
          r.adapter,
          r.strategy,
          String(r.count),
          withInterval({ value: r.mean, low: r.low, high: r.high, n: r.count }),
        ]),
      ),
      ...report.feedback.comparisons.map(
        (c) =>
          `<p>${esc(`${c.canary} vs ${c.stable} (${c.strategy}): ${signed(c.delta)} [${num(c.low)}, ${num(c.high)}] — ${c.measurable ? (c.delta > 0 ? 'canary better' : 'canary worse') : 'no measurable difference'}`)}</p>`,
      ),
    );
  parts.push(
    '<h2>Answers side by side</h2>',
    table(
      ['case', 'question', 'reference', ...labels],
      report.cases.map((c) => [
        `${c.id} (${c.kind}${c.tags.length ? `; ${c.tags.join(', ')}` : ''})`,
        c.question,
        Array.isArray(c.reference) ? c.reference.join(' | ') : c.reference,
        ...labels.map((l) => {
          const a = c.answers[l];
          return a.error
            ? `(${a.error})`
            : `${a.answer}\n— F1 ${num(a.f1)}${a.cited.length ? `, cites ${a.cited.join(', ')}` : ''}`;
        }),
      ]),
      'answers',
    ),
    '</body></html>',
  );
  return `${parts.join('\n')}\n`;
}
