import * as z from 'zod';
import { FeatureError } from '../errors';

/**
 * A duration in a spec: a positive number of seconds, or a string `"<n><unit>"` with
 * unit `s`, `m`, `h` or `d` (`"30m"`, `"7d"`). Strings keep specs readable in JSON.
 *
 * @example
 * DurationSchema.parse('7d'); // "7d"
 */
export const DurationSchema = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?(s|m|h|d)$/, 'a duration such as "90s", "30m", "1h" or "7d"'),
]);

/** A spec duration: seconds, or a string such as `"7d"`. */
export type Duration = z.infer<typeof DurationSchema>;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_TEXT = /^\d+(\.\d+)?(s|m|h|d)$/;

/**
 * Seconds in a spec duration (`"1h"` → 3600; 0 too, a label window's delay may be 0).
 * Throws `invalid_argument` for anything `DurationSchema` refuses.
 *
 * @example
 * secondsFromDuration('30m'); // 1800
 */
export function secondsFromDuration(d: Duration): number {
  if (typeof d === 'number') {
    if (d >= 0 && d < Infinity) return d;
  } else if (typeof d === 'string' && DURATION_TEXT.test(d)) {
    const unit = d[d.length - 1];
    return Number(d.slice(0, -1)) * UNIT_SECONDS[unit];
  }
  throw new FeatureError('invalid_argument', `secondsFromDuration: expected a positive number of seconds or a string such as "30m" or "7d", got ${d === null ? 'null' : typeof d === 'string' ? JSON.stringify(d.slice(0, 40)) : String(d)}`, ['duration']);
}
