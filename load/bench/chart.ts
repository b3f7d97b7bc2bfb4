/**
 * @module load/bench/chart — the bench results as SVG, from a Vega-Lite spec rendered by `vega` in Node (no
 * browser): throughput at c=32 with its ratio to the bare proxy, CPU per request, and added latency at c=1
 * (streams: to the first byte), one bar per scenario, coloured by kind (floor, bare proxy, lorag, peer).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Row } from './report.ts';

function group(name: string): string {
  if (name.startsWith('direct')) return 'floor (simulator)';
  if (name.startsWith('bare')) return 'bare proxy';
  if (name.startsWith('portkey')) return 'peer';
  return 'lorag';
}

export function chartSpec(rows: Row[], title: string): TopLevelSpec {
  const runs = rows.filter((r) => !r.skipped);
  const values = runs.map((r) => ({
    scenario: r.name,
    group: group(r.name),
    rps: Math.round(r.rps),
    label: `${Math.round(r.rps)}${r.xBare !== undefined ? ` (${r.xBare.toFixed(2)}×)` : ''}`,
    cpu: Number.isFinite(r.cpuUsPerReq) ? Math.round(r.cpuUsPerReq) : null,
    added: r.name.startsWith('direct') ? null : Number((r.kind === 'stream' ? r.addedTtfbMs : r.addedMs)?.toFixed(3)),
  }));
  const order = values.map((v) => v.scenario);
  const y = { field: 'scenario', type: 'nominal' as const, sort: order, title: null };
  const color = {
    field: 'group',
    type: 'nominal' as const,
    scale: {
      domain: ['floor (simulator)', 'bare proxy', 'lorag', 'peer'],
      range: ['#9aa5b1', '#f0a202', '#2a9d8f', '#8e6cc7'],
    },
    legend: { orient: 'bottom' as const, title: null },
  };
  const panel = (field: string, axis: string, text: string) => ({
    width: 260,
    height: { step: 20 },
    layer: [
      {
        mark: { type: 'bar' as const },
        encoding: { y, x: { field, type: 'quantitative' as const, title: axis }, color },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, dx: 3, fontSize: 10 },
        encoding: { y, x: { field, type: 'quantitative' as const }, text: { field: text } },
      },
    ],
  });
  const skipped = rows.filter((r) => r.skipped).map((r) => `${r.name}: skipped (${r.skipped})`);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: skipped.length ? skipped : undefined, fontSize: 13 },
    data: { values },
    config: { view: { stroke: null }, axis: { labelFontSize: 11 } },
    hconcat: [
      panel('rps', 'req/s at 32 connections (× bare proxy)', 'label'),
      panel('cpu', 'CPU µs per request (proxy process)', 'cpu'),
      panel('added', 'added ms at c=1 vs direct (streams: first byte)', 'added'),
    ],
  } as TopLevelSpec;
}

export async function chartSvg(rows: Row[], title: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(rows, title)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}
