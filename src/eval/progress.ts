/**
 * @module eval/progress — the run's progress on stderr: a redrawn bar on a terminal, otherwise a line per
 * tenth of the work (so CI logs stay short). Nothing goes to stdout, which carries the summary.
 */
export function evalProgress(total: number, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let done = 0;
  let failed = 0;
  let lastTenth = -1;
  const draw = () => {
    const secs = (performance.now() - started) / 1000;
    const eta = done > 0 ? ((total - done) * secs) / done : 0;
    const width = 28;
    const filled = total ? Math.round((done / total) * width) : width;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} answers${failed ? `, ${failed} refused` : ''}, ${secs.toFixed(0)} s, eta ${eta.toFixed(0)} s`;
    if (tty) stream.write(`\r\x1b[2K${text}`);
    else {
      const tenth = total ? Math.floor((done / total) * 10) : 10;
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`lorag eval: ${text}\n`);
      }
    }
  };
  return {
    tick(refused: boolean) {
      done++;
      if (refused) failed++;
      draw();
    },
    start: draw,
    done() {
      if (tty) stream.write('\n');
    },
  };
}
