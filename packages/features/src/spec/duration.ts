import { z } from 'zod';

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

/**
 * Seconds in a spec duration (`"1h"` → 3600). Assumes the value passed `DurationSchema`.
 *
 * @example
 * secondsFromDuration('30m'); // 1800
 */
export function secondsFromDuration(d: Duration): number {
  if (typeof d === 'number') return d;
  const unit = d[d.length - 1];
  return Number(d.slice(0, -1)) * UNIT_SECONDS[unit];
}
