/**
 * @module train/progress-bar — one line on a terminal (redrawn with \r) or a line every 10% elsewhere:
 * `legal@2 [##########----------] 200/400 steps  loss 0.8123  12 s`.
 */
export function progressBar(label: string, total: number, out: { write(s: string): unknown; isTTY?: boolean }) {
  const started = Date.now();
  let lastDecile = -1;
  return {
    step(step: number, loss: number): void {
      const width = 24;
      const filled = Math.round((Math.min(step, total) / total) * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${step}/${total} steps  loss ${loss.toFixed(4)}  ${Math.round((Date.now() - started) / 1000)} s`;
      if (out.isTTY) out.write(`\r${line}`);
      else {
        const decile = Math.floor((step / total) * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          out.write(`${line}\n`);
        }
      }
    },
    end(text: string): void {
      out.write(`${out.isTTY ? '\n' : ''}${text}\n`);
    },
  };
}
