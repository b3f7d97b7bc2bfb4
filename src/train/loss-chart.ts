/**
 * @module train/loss-chart — the loss curve as numbers (loss.json: step, loss) and as a chart (loss.svg),
 * drawn from a Vega-Lite spec by `vega` in Node.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface LossPoint {
  step: number;
  loss: number;
}

export function lossSpec(title: string, points: LossPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 240,
    data: { values: points },
    layer: [
      {
        mark: { type: 'line', opacity: 0.35 },
        encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
      },
      {
        mark: { type: 'line', color: '#c0392b' },
        transform: [{ window: [{ op: 'mean', field: 'loss', as: 'smoothed' }], frame: [-10, 10] }],
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'smoothed', type: 'quantitative', title: 'training loss (mean of 21 steps)' },
        },
      },
    ],
  };
}

export async function lossSvg(title: string, points: LossPoint[]): Promise<string> {
  const view = new vega.View(vega.parse(compile(lossSpec(title, points)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
