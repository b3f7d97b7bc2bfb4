/**
 * @module load/bench/chart — an SVG of the bench results, written by hand (no browser, no dependency):
 * left panel throughput at c=32 with the bare proxy's as a dashed line, right panel added latency at c=1.
 */
import type { Row } from './report.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartSvg(rows: Row[], title: string): string {
  const runs = rows.filter((r) => !r.skipped);
  const skipped = rows.filter((r) => r.skipped);
  const barH = 22;
  const gap = 8;
  const top = 60;
  const labelW = 150;
  const panelW = 340;
  const height = top + runs.length * (barH + gap) + 40 + skipped.length * 16;
  const width = labelW + panelW * 2 + 90;
  const maxRps = Math.max(1, ...runs.map((r) => r.rps));
  const added = runs.map((r) => (r.kind === 'stream' ? (r.addedTtfbMs ?? 0) : (r.addedMs ?? 0)));
  const maxAdded = Math.max(0.5, ...added.map((a) => Math.max(0, a)));
  const color = (r: Row) =>
    r.name.startsWith('direct')
      ? '#9aa5b1'
      : r.name.startsWith('bare')
        ? '#f0a202'
        : r.kind === 'stream'
          ? '#5b8def'
          : '#2a9d8f';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${labelW}" y="${top - 10}" font-weight="bold">req/s at 32 connections</text>`,
    `<text x="${labelW + panelW + 40}" y="${top - 10}" font-weight="bold">added ms at c=1 vs direct (streams: first byte)</text>`,
  ];
  runs.forEach((r, i) => {
    const y = top + i * (barH + gap);
    const w = (r.rps / maxRps) * (panelW - 60);
    out.push(`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(r.name)}</text>`);
    out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color(r)}"/>`);
    out.push(
      `<text x="${labelW + w + 4}" y="${y + 15}">${Math.round(r.rps)}${r.xBare !== undefined ? ` (${r.xBare.toFixed(2)}×)` : ''}</text>`,
    );
    const a = Math.max(0, added[i]);
    const x0 = labelW + panelW + 40;
    const aw = (a / maxAdded) * (panelW - 80);
    if (!r.name.startsWith('direct')) {
      out.push(`<rect x="${x0}" y="${y}" width="${aw.toFixed(1)}" height="${barH}" fill="${color(r)}" opacity="0.8"/>`);
      out.push(`<text x="${x0 + aw + 4}" y="${y + 15}">${added[i].toFixed(3)} ms</text>`);
    }
  });
  for (const name of ['bare-proxy', 'bare-proxy-stream']) {
    const bare = runs.find((r) => r.name === name);
    if (!bare) continue;
    const x = labelW + (bare.rps / maxRps) * (panelW - 60);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${top + runs.length * (barH + gap)}" stroke="#f0a202" stroke-dasharray="4 3"/>`,
    );
  }
  const x1ms = labelW + panelW + 40 + (1 / maxAdded) * (panelW - 80);
  if (maxAdded >= 1)
    out.push(
      `<line x1="${x1ms.toFixed(1)}" y1="${top - 4}" x2="${x1ms.toFixed(1)}" y2="${top + runs.length * (barH + gap)}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
    );
  skipped.forEach((r, i) => {
    out.push(
      `<text x="10" y="${top + runs.length * (barH + gap) + 24 + i * 16}" fill="#666">${esc(`${r.name}: skipped: ${r.skipped}`)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
