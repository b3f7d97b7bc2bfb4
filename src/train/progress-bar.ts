/**
 * @module train/progress-bar — one line on a terminal (redrawn with \r) or a line every 10% elsewhere:
 * `legal@2 [##########----------] 200/400 steps  loss 0.8123  12 s`.
 */
export function progressBar(label: string, total: number, out: { write(s: string): unknown; isTTY?: boolean }) {
  const started = Date.now();
  let lastDecile = -1;
  // Off a terminal: the last step's line, until written (a run that stops early, between two tenths, shows it).
  let pending = '';
  return {
    step(step: number, loss: number): void {
      const width = 24;
      const filled = Math.round((Math.min(step, total) / total) * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${step}/${total} steps  loss ${loss.toFixed(4)}  ${Math.round((Date.now() - started) / 1000)} s`;
      if (out.isTTY) out.write(`\r${line}`);
      else {
        const decile = Math.floor((step / total) * 10);
        pending = line;
        if (decile !== lastDecile) {
          lastDecile = decile;
          out.write(`${line}\n`);
          pending = '';
        }
      }
    },
    end(text: string): void {
      if (pending) out.write(`${pending}\n`);
      out.write(`${out.isTTY ? '\n' : ''}${text}\n`);
    },
  };
}
