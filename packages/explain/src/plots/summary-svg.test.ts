import { describe, expect, it } from 'vitest';
import { summarySvg } from './summary-svg';

describe('summarySvg', () => {
  const nRows = 40, F = 3;
  const A = new Float64Array(nRows * (F + 1));
  const X = new Float64Array(nRows * F);
  for (let r = 0; r < nRows; r++) {
    X[r * F] = r; A[r * (F + 1)] = (r - 20) / 10; // feature 0: value drives attribution
    X[r * F + 1] = r % 3 === 0 ? NaN : 1; A[r * (F + 1) + 1] = 0.01 * (r % 2);
    X[r * F + 2] = -r; A[r * (F + 1) + 2] = r % 2 ? 0.5 : -0.5;
    A[r * (F + 1) + 3] = -2; // bias: not plotted
  }
  const names = ['amount', 'age', 'limit'];

  it('bar: features ranked by mean |attribution| with the right lengths', () => {
    const svg = summarySvg({ attributions: A, nRows, names, kind: 'bar' });
    const labels = [...svg.matchAll(/text-anchor="end" fill="#333333">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['amount', 'limit', 'age']);
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    // mean |a| of amount = Σ|r−20|/10/40 = 1.0, limit = 0.5, age = 0.005 (drawn at ≥ 1px)
    expect(widths[0] / widths[1]).toBeCloseTo(2, 1);
  });

  it('beeswarm: one dot per row and feature, coloured low→high, grey for missing', () => {
    const svg = summarySvg({ attributions: A, nRows, names, featureValues: X });
    const dots = [...svg.matchAll(/<circle cx="([\d.]+)" cy="[\d.]+" r="3" fill="([^"]+)"/g)];
    expect(dots).toHaveLength(nRows * F);
    // the first 40 dots are feature 'amount', sorted by attribution: colour goes blue → red
    expect(dots[0][2]).toBe('rgb(0,139,251)');
    expect(dots[nRows - 1][2]).toBe('rgb(255,0,81)');
    expect(Number(dots[0][1])).toBeLessThan(Number(dots[nRows - 1][1]));
    expect(dots.filter((d) => d[2] === '#999999')).toHaveLength(14);
    expect(svg).toContain('feature value');
  });

  it('rejects attributions of the wrong size', () => {
    expect(() => summarySvg({ attributions: new Float64Array(5), nRows: 2, names })).toThrow(expect.objectContaining({ path: ['attributions'] }));
  });
});
