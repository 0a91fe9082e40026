/** A progress bar on a text stream; updates at most every `intervalMs`. */
export interface ProgressBar {
  /** Sets the done amount (same unit as `total`) and the rows so far. */
  update(done: number, rows: number): void;
  /** Draws the final state and ends the line. */
  finish(rows: number): void;
}

/** Options of `createProgressBar`. */
export interface ProgressBarOptions {
  /** Total amount of work (bytes of input). */
  total: number;
  /** Where to draw (default process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  label?: string;
  width?: number;
  intervalMs?: number;
}

/**
 * A one-line progress bar: `features [########------]  57%  1,002,311 rows  412k rows/s`.
 * On a stream that is not a terminal it prints a line every 10 % instead of redrawing.
 *
 * @example
 * const bar = createProgressBar({ total: statSync(file).size });
 * bar.update(bytesRead, rows); … bar.finish(rows);
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  const width = options.width ?? 30;
  const label = options.label ?? 'features';
  const interval = options.intervalMs ?? 100;
  const start = Date.now();
  let last = 0;
  let lastDecile = -1;
  const line = (frac: number, rows: number): string => {
    const f = Math.max(0, Math.min(1, frac));
    const filled = Math.round(f * width);
    const secs = (Date.now() - start) / 1000;
    const rate = secs > 0 ? rows / secs : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%  ${rows.toLocaleString('en-US')} rows  ${(rate / 1000).toFixed(0)}k rows/s`;
  };
  return {
    update(done, rows) {
      const now = Date.now();
      const frac = options.total > 0 ? done / options.total : 0;
      if (tty) {
        if (now - last < interval) return;
        last = now;
        stream.write(`\r${line(frac, rows)}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${line(frac, rows)}\n`);
        }
      }
    },
    finish(rows) {
      stream.write(`${tty ? '\r' : ''}${line(1, rows)}\n`);
    },
  };
}
