import { RiskscoreError } from '@riskscore/core';

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
  const fn = 'createProgressBar';
  if (typeof options !== 'object' || options === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: options must be an object { total, stream?, label?, width?, intervalMs? }, got ${options === null ? 'null' : typeof options}`, { path: ['options'] });
  }
  const num = (k: 'total' | 'width' | 'intervalMs', ok: (v: number) => boolean, rule: string): void => {
    const v = options[k];
    if (v === undefined && k !== 'total') return;
    if (typeof v !== 'number' || !ok(v)) {
      throw new RiskscoreError('invalid_argument', `${fn}: ${k} must be ${rule}, got ${String(v)}`, { path: [k], details: { actual: v } });
    }
  };
  num('total', (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0 (bytes of input)');
  num('width', (v) => Number.isInteger(v) && v >= 1, 'a positive integer (characters)');
  num('intervalMs', (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0');
  if (options.label !== undefined && typeof options.label !== 'string') {
    throw new RiskscoreError('invalid_argument', `${fn}: label must be a string`, { path: ['label'] });
  }
  if (options.stream !== undefined && typeof (options.stream as { write?: unknown } | null)?.write !== 'function') {
    throw new RiskscoreError('invalid_argument', `${fn}: stream must be a writable stream (with write), e.g. process.stderr`, { path: ['stream'] });
  }
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
