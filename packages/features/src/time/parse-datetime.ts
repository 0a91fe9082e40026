import { FeatureError } from '../errors';

/**
 * Days from 1970-01-01 to the proleptic Gregorian date y-m-d (Howard Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", `days_from_civil`): shift the year to
 * start in March so the leap day is last, then count 146097-day eras.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Reads `n` ASCII digits at `i`; -1 when one is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Seconds since 1970-01-01T00:00:00Z of a date-time string
 * `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH:MM]`. No zone means UTC. Strict on
 * purpose: `Date.parse` accepts many forms and interprets zone-less strings as local time.
 * Throws `invalid_argument` for anything else, an impossible date (2018-02-30, 24:00)
 * included.
 *
 * @example
 * secondsFromDatetime('2018-04-01 00:00:31'); // 1522540831
 * secondsFromDatetime('2018-04-31 00:00:00'); // throws FeatureError invalid_argument
 */
export function secondsFromDatetime(s: string): number {
  const t = typeof s === 'string' ? parseDatetimeSeconds(s) : NaN;
  if (t !== t) {
    const shown = typeof s === 'string' ? JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s) : s === null ? 'null' : typeof s;
    throw new FeatureError('invalid_argument', `secondsFromDatetime: expected a date-time YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH:MM], got ${shown}`, ['datetime']);
  }
  return t;
}

/** As {@link secondsFromDatetime}, NaN instead of an error (the evaluator's hot path, which refuses by field). */
export function parseDatetimeSeconds(s: string): number {
  const len = s.length;
  if (len < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1) return NaN;
  const dim = mo === 2 && isLeap(y) ? 29 : MONTH_DAYS[mo - 1];
  if (d > dim) return NaN;
  let secs = daysFromCivil(y, mo, d) * 86400;
  if (len === 10) return secs;
  const sep = s.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || len < 16 || s.charCodeAt(13) !== 58) return NaN; // 'T' | ' ', ':'
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
  secs += h * 3600 + mi * 60;
  let i = 16;
  if (i < len && s.charCodeAt(i) === 58) {
    const sec = digits(s, i + 1, 2);
    if (sec < 0 || sec > 59) return NaN;
    secs += sec;
    i += 3;
    if (i < len && s.charCodeAt(i) === 46) {
      // fraction: at least one digit
      let f = 0;
      let scale = 1;
      let j = i + 1;
      for (; j < len; j++) {
        const c = s.charCodeAt(j) - 48;
        if (c < 0 || c > 9) break;
        if (scale < 1e9) { f = f * 10 + c; scale *= 10; }
      }
      if (j === i + 1) return NaN;
      secs += f / scale;
      i = j;
    }
  }
  if (i === len) return secs;
  const z = s.charCodeAt(i);
  if (z === 90 && i + 1 === len) return secs; // 'Z'
  if ((z === 43 || z === 45) && i + 6 === len && s.charCodeAt(i + 3) === 58) {
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 18 || om < 0 || om > 59) return NaN;
    const off = oh * 3600 + om * 60;
    return z === 43 ? secs - off : secs + off;
  }
  return NaN;
}
