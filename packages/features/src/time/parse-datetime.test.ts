import { describe, expect, it } from 'vitest';
import { dayOfWeek, hourOfDay, secondsFromDatetime } from '../index';
import { parseDatetimeSeconds } from './parse-datetime';

describe('secondsFromDatetime', () => {
  it('agrees with Date.UTC on random valid date-times, in every accepted form', () => {
    let s = 12345;
    const r = (n: number): number => ((s = (s * 16807) % 2147483647) % n);
    const p2 = (x: number): string => String(x).padStart(2, '0');
    for (let i = 0; i < 5000; i++) {
      const y = 1900 + r(250);
      const mo = 1 + r(12);
      const d = 1 + r(new Date(Date.UTC(y, mo, 0)).getUTCDate());
      const h = r(24), mi = r(60), se = r(60);
      const want = Date.UTC(y, mo - 1, d, h, mi, se) / 1000;
      const date = `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}`;
      expect(secondsFromDatetime(`${date} ${p2(h)}:${p2(mi)}:${p2(se)}`)).toBe(want);
      expect(secondsFromDatetime(`${date}T${p2(h)}:${p2(mi)}:${p2(se)}Z`)).toBe(want);
      expect(secondsFromDatetime(`${date}T${p2(h)}:${p2(mi)}:${p2(se)}+02:30`)).toBe(want - 9000);
      expect(secondsFromDatetime(`${date}T${p2(h)}:${p2(mi)}`)).toBe(want - se);
      expect(secondsFromDatetime(date)).toBe(Date.UTC(y, mo - 1, d) / 1000);
      expect(hourOfDay(want, 0)).toBe(h);
      expect(dayOfWeek(want, 0)).toBe((new Date(want * 1000).getUTCDay() + 6) % 7);
    }
    expect(secondsFromDatetime('2018-04-01 00:00:31.25')).toBe(1522540831.25);
  });

  it('returns NaN for malformed or impossible values', () => {
    for (const bad of ['', '2018-4-1', '2018-04-01 24:00:00', '2018-02-29', '2018-13-01', '2018-04-01 10:60',
      '2018-04-01 10:00:61', '2018-04-01x10:00', '2018-04-01 10:00:00 UTC', '2018-04-01 10:00:00.', 'yesterday']) {
      expect(parseDatetimeSeconds(bad), bad).toBeNaN();
      expect(() => secondsFromDatetime(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['datetime'] }));
    }
    expect(secondsFromDatetime('2016-02-29')).toBe(Date.UTC(2016, 1, 29) / 1000);
  });
});
