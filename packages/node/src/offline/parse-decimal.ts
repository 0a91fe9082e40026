import { RiskscoreError } from '@riskscore/core';

/**
 * Parses a plain decimal number (`-12.50`, `7`, `3.`) from bytes `[start, end)` without
 * making a string, or returns `Number(text)` for anything else (exponents, `NaN`, long
 * digit strings). With at most 15 significant digits the digits form an integer below 2^53
 * and 10^k (k <= 15) is exact, so one IEEE division gives the correctly rounded value —
 * the same double `Number(text)` gives. Returns undefined for an empty field.
 *
 * A `buf` that is not bytes or bounds outside it throw `invalid_argument` (checked once
 * per call; the CSV reader uses the unchecked `decimalAt`).
 *
 * @example
 * parseDecimal(Buffer.from('57.16'), 0, 5); // 57.16
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number | undefined {
  if (!(buf instanceof Uint8Array)) {
    throw new RiskscoreError('invalid_argument', `parseDecimal: buf must be a Uint8Array (or Buffer), got ${buf === null ? 'null' : typeof buf}`, { path: ['buf'] });
  }
  if (!Number.isInteger(start) || start < 0) {
    throw new RiskscoreError('invalid_argument', `parseDecimal: start must be an integer ≥ 0, got ${String(start)}`, { path: ['start'], details: { actual: start } });
  }
  if (!Number.isInteger(end) || end > buf.length) {
    throw new RiskscoreError('invalid_argument', `parseDecimal: end must be an integer ≤ buf.length (${buf.length}), got ${String(end)}`, { path: ['end'], details: { actual: end, length: buf.length } });
  }
  return decimalAt(buf, start, end);
}

/**
 * {@link parseDecimal} without the argument checks: the CSV reader's per-cell hot path,
 * whose cell bounds come from its own scan of the buffer.
 */
export function decimalAt(buf: Uint8Array, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let i = start;
  let neg = false;
  const c0 = buf[i];
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let int = 0;
  let digits = 0;
  let scale = 1;
  let seenDot = false;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      int = int * 10 + (c - 48);
      digits++;
      if (seenDot) scale *= 10;
    } else if (c === 46 && !seenDot) {
      seenDot = true;
    } else {
      return slow(buf, start, end);
    }
  }
  if (digits === 0 || digits > 15) return slow(buf, start, end);
  const v = seenDot ? int / scale : int;
  return neg ? -v : v;
}

function slow(buf: Uint8Array, start: number, end: number): number {
  const s = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8').trim();
  return s === '' ? NaN : Number(s);
}
