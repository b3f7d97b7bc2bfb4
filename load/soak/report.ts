/**
 * @module load/soak/report — a soak run in windows (default one per minute): requests, errors, cache hit
 * share, p50/p99 latency and the gateway's RSS at the end of each window; RSS growth and p99 drift as slopes
 * per minute (least squares over the windows after the first, which holds the warm-up); a terminal/Markdown
 * table and a Vega-Lite chart (RSS and p99 over time) rendered to SVG by vega.
 */
import type { Result } from './traffic.ts';

export interface Window {
  index: number;
  startS: number;
  requests: number;
  errors: number;
  cacheHitShare: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number | null;
}

export interface Summary {
  durationS: number;
  windowS: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  rssFirstMb: number | null;
  rssLastMb: number | null;
  rssSlopeMbPerMin: number | null;
  p99FirstMs: number;
  p99LastMs: number;
  p99SlopeMsPerMin: number | null;
  windows: Window[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Least-squares slope of y over x (null with fewer than two points). */
export function slope(points: [number, number][]): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? null : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / den;
}

export function summarise(
  results: Result[],
  rss: { at: number; mb: number }[],
  startedAt: number,
  durationS: number,
  windowS: number,
): Summary {
  const count = Math.max(1, Math.ceil(durationS / windowS));
  const windows: Window[] = [];
  for (let i = 0; i < count; i++) {
    const from = startedAt + i * windowS * 1000;
    const to = from + windowS * 1000;
    const inWindow = results.filter((r) => r.at >= from && r.at < to);
    const ms = inWindow.map((r) => r.ms).sort((a, b) => a - b);
    const cached = inWindow.filter((r) => r.kind === 'cached' || r.kind === 'cached-stream');
    const lastRss = rss.filter((s) => s.at < to).at(-1)?.mb ?? null;
    windows.push({
      index: i,
      startS: i * windowS,
      requests: inWindow.length,
      errors: inWindow.filter((r) => !r.ok).length,
      cacheHitShare: cached.length ? cached.filter((r) => r.cache === 'hit').length / cached.length : 0,
      p50Ms: percentile(ms, 50),
      p99Ms: percentile(ms, 99),
      rssMb: lastRss,
    });
  }
  const later = windows.slice(1);
  const perMin = (w: Window) => ((w.index + 1) * windowS) / 60;
  const errors = results.filter((r) => !r.ok);
  return {
    durationS,
    windowS,
    requests: results.length,
    errors: errors.length,
    errorSamples: [...new Set(errors.map((e) => `${e.kind}/${e.tenant}: ${e.error}`))].slice(0, 10),
    rssFirstMb: windows[0]?.rssMb ?? null,
    rssLastMb: windows.at(-1)?.rssMb ?? null,
    rssSlopeMbPerMin: slope(later.filter((w) => w.rssMb !== null).map((w) => [perMin(w), w.rssMb as number])),
    p99FirstMs: windows[0]?.p99Ms ?? 0,
    p99LastMs: windows.at(-1)?.p99Ms ?? 0,
    p99SlopeMsPerMin: slope(later.map((w) => [perMin(w), w.p99Ms])),
    windows,
  };
}

const f = (v: number | null, digits = 1) => (v === null ? '–' : v.toFixed(digits));

export function table(s: Summary): string {
  const lines = [
    '| window | from s | requests | errors | cache hit share | p50 ms | p99 ms | gateway RSS MiB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...s.windows.map(
      (w) =>
        `| ${w.index + 1} | ${w.startS} | ${w.requests} | ${w.errors} | ${(w.cacheHitShare * 100).toFixed(0)}% | ` +
        `${f(w.p50Ms)} | ${f(w.p99Ms)} | ${f(w.rssMb)} |`,
    ),
  ];
  const summary = [
    `requests ${s.requests}, errors ${s.errors} over ${s.durationS} s (windows of ${s.windowS} s)`,
    `RSS ${f(s.rssFirstMb)} → ${f(s.rssLastMb)} MiB; slope after the first window ${f(s.rssSlopeMbPerMin, 2)} MiB/min`,
    `p99 ${f(s.p99FirstMs)} → ${f(s.p99LastMs)} ms; slope after the first window ${f(s.p99SlopeMsPerMin, 2)} ms/min`,
  ];
  return `${lines.join('\n')}\n\n${summary.join('\n')}\n`;
}

export function chartSpec(s: Summary, title: string): Record<string, unknown> {
  const values = s.windows.map((w) => ({ minute: (w.startS + s.windowS) / 60, rss: w.rssMb, p99: w.p99Ms }));
  const panel = (field: string, axis: string, color: string) => ({
    width: 520,
    height: 160,
    mark: { type: 'line', point: true, color },
    encoding: {
      x: { field: 'minute', type: 'quantitative', title: 'minutes into the run' },
      y: { field, type: 'quantitative', title: axis, scale: { zero: false } },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: `${s.requests} requests, ${s.errors} errors; one point per ${s.windowS} s window` },
    config: { font: 'DejaVu Sans, sans-serif' },
    data: { values },
    vconcat: [panel('rss', 'gateway RSS (MiB)', '#2a9d8f'), panel('p99', 'p99 latency (ms)', '#e76f51')],
  };
}

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
