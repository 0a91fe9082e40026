import { describe, expect, it } from 'vitest';
import { waterfallSvg } from './waterfall-svg';
import { formatNumber } from './svg-helpers';

/** x-extent [min, max] of each bar polygon, top to bottom. */
function barExtents(svg: string): Array<[number, number]> {
  return [...svg.matchAll(/<polygon points="([^"]+)"/g)].map((m) => {
    const xs = m[1].split(' ').map((p) => Number(p.split(',')[0]));
    return [Math.min(...xs), Math.max(...xs)];
  });
}

describe('waterfallSvg', () => {
  const values = [0.8, -0.3, 0.05, -1.2, 0.4, 0.01, -0.02];
  const names = ['amount', 'age', 'f2', 'limit', 'x<y & z', 'f5', 'f6'];
  const base = -1.5;

  it('chains the bars from the base to f(x) = base + Σ values, largest |value| on top', () => {
    const svg = waterfallSvg({ values, base, names, featureValues: [120, NaN, 7, 5000, 3, 1, 2], maxDisplay: 5, title: 'Decline <reasons>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Decline &lt;reasons&gt;');
    expect(svg).toContain('x&lt;y &amp; z = 3');
    const fx = base + values.reduce((a, b) => a + b, 0);
    expect(svg).toContain(`f(x) = ${formatNumber(fx)}`);
    // labels in order: limit, amount, velocity, age, then the 3 folded features
    const labels = [...svg.matchAll(/text-anchor="end" fill="#333333">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['limit = 5000', 'amount = 120', 'x&lt;y &amp; z = 3', 'age = missing', '3 other features']);
    const bars = barExtents(svg);
    expect(bars).toHaveLength(5);
    // scale from two known points: x(base) and x(f(x)) reference lines
    const xBase = Number(/<line x1="([\d.]+)"[^>]*stroke-dasharray/.exec(svg)![1]);
    const xFx = Number([...svg.matchAll(/<line x1="([\d.]+)"[^>]*stroke-dasharray/g)][1][1]);
    const px = (xFx - xBase) / (fx - base);
    const ordered = [values[3], values[0], values[4], values[1], values[2] + values[5] + values[6]];
    let cum = base;
    for (let r = ordered.length - 1; r >= 0; r--) {
      const [a, b] = bars[r];
      const lo = xBase + (Math.min(cum, cum + ordered[r]) - base) * px;
      const hi = xBase + (Math.max(cum, cum + ordered[r]) - base) * px;
      expect(Math.abs(a - lo)).toBeLessThan(0.15);
      expect(Math.abs(b - hi)).toBeLessThan(0.15);
      cum += ordered[r];
    }
  });

  it('rejects non-finite values with their index', () => {
    expect(() => waterfallSvg({ values: [1, NaN], base: 0, names: ['a', 'b'] })).toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['values', 1] }));
  });
});
