/**
 * @module eval/report/charts — the report's charts as declarative Vega-Lite specs, compiled and rendered to
 * SVG by `vega` in Node (no browser, no hand-drawn SVG): quality vs tokens per answer, latency, forgetting
 * and the per-tag breakdown.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Analysis } from '../compare.ts';

export interface Chart {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

const width = 420;

export function chartSpecs(a: Analysis): Chart[] {
  const systems = a.systems.filter((s) => s.quality.f1.n > 0);
  const charts: Chart[] = [
    {
      id: 'quality-vs-tokens',
      title: 'Domain F1 (95% interval) vs tokens per answer',
      spec: {
        width,
        height: 260,
        data: {
          values: systems.map((s) => ({
            system: s.label,
            tokens: Math.round(s.tokens_per_answer),
            f1: s.quality.f1.value,
            low: s.quality.f1.low,
            high: s.quality.f1.high,
          })),
        },
        encoding: {
          x: {
            field: 'tokens',
            type: 'quantitative',
            title: 'tokens per answer (prompt + completion)',
            scale: { zero: false },
          },
          color: { field: 'system', type: 'nominal' },
        },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: {
              y: { field: 'low', type: 'quantitative', title: 'F1', scale: { domain: [0, 1] } },
              y2: { field: 'high' },
            },
          },
          { mark: { type: 'point', filled: true, size: 90 }, encoding: { y: { field: 'f1', type: 'quantitative' } } },
          {
            mark: { type: 'text', dx: 8, align: 'left' },
            encoding: { y: { field: 'f1', type: 'quantitative' }, text: { field: 'system' } },
          },
        ],
      },
    },
    {
      id: 'latency',
      title: 'Latency per answer (ms)',
      spec: {
        width,
        height: 30 * systems.length + 20,
        data: {
          values: systems.flatMap((s) => [
            { system: s.label, percentile: 'p50', ms: s.latency_p50_ms },
            { system: s.label, percentile: 'p95', ms: s.latency_p95_ms },
          ]),
        },
        mark: 'bar',
        encoding: {
          y: { field: 'system', type: 'nominal', title: null },
          yOffset: { field: 'percentile' },
          x: { field: 'ms', type: 'quantitative', title: 'ms' },
          color: { field: 'percentile', type: 'nominal' },
        },
      },
    },
  ];
  if (a.forgetting.length)
    charts.push({
      id: 'forgetting',
      title: 'Forgetting: general-question F1 with the adapter minus without (95% interval)',
      spec: {
        width,
        height: 30 * a.forgetting.length + 20,
        data: {
          values: a.forgetting.map((c) => ({
            system: `${c.system} vs ${c.against}`,
            delta: c.delta,
            low: c.low,
            high: c.high,
          })),
        },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: {
              y: { field: 'system', type: 'nominal', title: null },
              x: { field: 'low', type: 'quantitative', title: 'Δ F1 on general cases' },
              x2: { field: 'high' },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 80 },
            encoding: { y: { field: 'system', type: 'nominal' }, x: { field: 'delta', type: 'quantitative' } },
          },
          { mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { datum: 0 } } },
        ],
      },
    });
  const tagRows = systems.flatMap((s) => Object.entries(s.per_tag).map(([tag, f1]) => ({ system: s.label, tag, f1 })));
  if (tagRows.length)
    charts.push({
      id: 'per-tag',
      title: 'F1 per tag',
      spec: {
        width,
        height: 22 * tagRows.length + 20,
        data: { values: tagRows },
        mark: 'bar',
        encoding: {
          y: { field: 'tag', type: 'nominal', title: null },
          yOffset: { field: 'system' },
          x: { field: 'f1', type: 'quantitative', title: 'F1', scale: { domain: [0, 1] } },
          color: { field: 'system', type: 'nominal' },
        },
      },
    });
  return charts;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
