/**
 * Hour of day (0–23) of a time in seconds since the Unix epoch, shifted by a UTC offset.
 *
 * @example
 * hourOfDay(1522540831, 0); // 0  (2018-04-01 00:00:31 UTC)
 */
export function hourOfDay(seconds: number, utcOffsetMinutes: number): number {
  const local = seconds + utcOffsetMinutes * 60;
  const s = local - Math.floor(local / 86400) * 86400;
  return Math.floor(s / 3600);
}

/**
 * Day of week with Monday = 0 … Sunday = 6 (the pandas `dayofweek` convention).
 * 1970-01-01 was a Thursday (3), hence the `+ 3`.
 *
 * @example
 * dayOfWeek(1522540831, 0); // 6  (2018-04-01 was a Sunday)
 */
export function dayOfWeek(seconds: number, utcOffsetMinutes: number): number {
  const days = Math.floor((seconds + utcOffsetMinutes * 60) / 86400);
  // JS % keeps the dividend's sign (and -0): shift into 0..6.
  return (((days + 3) % 7) + 7) % 7;
}
