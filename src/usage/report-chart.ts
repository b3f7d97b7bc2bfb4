/**
 * @module usage/report-chart — the chargeback report as a chart: a Vega-Lite spec (cost per department, stacked
 * by adapter, with the cache hit share per department beside it) compiled by vega-lite and rendered to SVG by
 * vega's headless View. vega and vega-lite are loaded only when a chart is asked for.
 */
import type { ChargebackReport } from './report.ts';

export function chartSpec(report: ChargebackReport): Record<string, unknown> {
  const values = report.rows.map((r) => ({
    tenant: r.tenant,
    adapter: r.key === '(cache)' ? `${r.adapter} (cache)` : r.adapter,
    cost: r.cost,
  }));
  const shares = report.totals
    .filter((t) => t.tenant !== '*')
    .map((t) => ({ tenant: t.tenant, share: t.cache_hit_share ?? 0, requests: t.requests }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Chargeback ${report.period}`,
      subtitle: `cost at the configured prices (${report.currency}); calendar period in ${report.time_zone}`,
    },
    config: { font: 'DejaVu Sans, sans-serif', view: { stroke: null } },
    hconcat: [
      {
        width: 420,
        height: 260,
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'tenant', type: 'nominal', title: 'Department', axis: { labelAngle: 0 } },
          y: { aggregate: 'sum', field: 'cost', type: 'quantitative', title: `Cost (${report.currency})` },
          color: { field: 'adapter', type: 'nominal', title: 'Adapter' },
          tooltip: [{ field: 'tenant' }, { field: 'adapter' }, { aggregate: 'sum', field: 'cost', format: '.4f' }],
        },
      },
      {
        width: 200,
        height: 260,
        data: { values: shares },
        mark: { type: 'bar', color: '#6b8e23' },
        encoding: {
          x: { field: 'tenant', type: 'nominal', title: 'Department', axis: { labelAngle: 0 } },
          y: {
            field: 'share',
            type: 'quantitative',
            title: 'Cache hit share',
            axis: { format: '%' },
            scale: { domain: [0, 1] },
          },
        },
      },
    ],
  };
}

export async function renderChartSvg(report: ChargebackReport): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(chartSpec(report) as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
