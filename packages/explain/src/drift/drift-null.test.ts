// The drift tests' parts against independent references: the binomial and multinomial
// samplers against the binomial pmf (a chi-square goodness-of-fit on 200 000 draws) and
// fast-check invariants; the null model against exact enumeration of every multinomial
// outcome (a small case) and against 300 000-resample nulls (realistic profiles);
// Benjamini–Hochberg against statsmodels (make_bh_goldens.py).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readGolden } from '../../test/fixtures/stats/load-data';
import { createSeededRandom } from '../attribution/seeded-random';
import { ExplainError } from '../errors';
import { benjaminiHochberg } from './benjamini-hochberg';
import { binomialPmf } from './binomial-pmf';
import { chiSquareSurvival } from './chi-square-distribution';
import { driftNullModel, driftPValue } from './drift-null';
import { jensenShannonDistance } from './jensen-shannon';
import { binomialSample, multinomialSample } from './multinomial-sample';

describe('binomialSample and multinomialSample', () => {
  it.each([
    [20, 0.3], [1000, 0.1], [1000, 0.5], [10, 0.9], [100_000, 1e-4], [5000, 0.02],
  ])('Binomial(%d, %d): 200 000 draws fit the pmf (chi-square p > 0.001)', (n, p) => {
    const next = createSeededRandom(n + Math.round(p * 1e6)).next;
    const draws = 200_000;
    const seen = new Map<number, number>();
    let bad = 0;
    for (let i = 0; i < draws; i++) {
      const x = binomialSample(n, p, next);
      if (!(Number.isInteger(x) && x >= 0 && x <= n)) bad++;
      seen.set(x, (seen.get(x) ?? 0) + 1);
    }
    expect(bad).toBe(0);
    // Pool the outcomes with expected count < 5 into the two tails, as the test requires.
    const mode = Math.floor((n + 1) * p);
    let lo = mode, hi = mode;
    while (lo > 0 && binomialPmf(lo - 1, n, p) * draws >= 5) lo--;
    while (hi < n && binomialPmf(hi + 1, n, p) * draws >= 5) hi++;
    const observed: number[] = [], expected: number[] = [];
    let below = 0, belowE = 0, above = 0, aboveE = 0;
    for (const [x, c] of seen) { if (x < lo) below += c; else if (x > hi) above += c; }
    for (let x = lo; x <= hi; x++) { observed.push(seen.get(x) ?? 0); expected.push(binomialPmf(x, n, p) * draws); }
    let inner = 0;
    for (const e of expected) inner += e;
    belowE = lo > 0 ? draws * sumPmf(0, lo - 1, n, p) : 0;
    aboveE = draws - inner - belowE;
    if (belowE > 0) { observed.push(below); expected.push(belowE); }
    if (aboveE > 1e-9) { observed.push(above); expected.push(aboveE); }
    let chi = 0;
    for (let i = 0; i < observed.length; i++) chi += (observed[i] - expected[i]) ** 2 / expected[i];
    expect(chiSquareSurvival(chi, observed.length - 1)).toBeGreaterThan(0.001);
  });

  it('multinomial counts are integers ≥ 0 summing to n, and a bucket with no share gets none (fast-check)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5000 }),
      fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1, noNaN: true })), { minLength: 1, maxLength: 14 }),
      fc.integer(),
      (n, weights, seed) => {
        const total = weights.reduce((s, w) => s + w, 0);
        fc.pre(total > 0);
        const shares = Float64Array.from(weights, (w) => w / total);
        const out = new Float64Array(shares.length).fill(-1);
        multinomialSample(n, shares, out, createSeededRandom(seed).next);
        let sum = 0;
        for (let i = 0; i < out.length; i++) {
          expect(Number.isInteger(out[i]) && out[i] >= 0).toBe(true);
          if (shares[i] === 0) expect(out[i]).toBe(0);
          sum += out[i];
        }
        expect(sum).toBe(n);
      },
    ), { numRuns: 300 });
  });
});

function sumPmf(a: number, b: number, n: number, p: number): number {
  let s = 0;
  for (let x = a; x <= b; x++) s += binomialPmf(x, n, p);
  return s;
}

/** Every outcome of Multinomial(n, shares) over 3 buckets, with its probability and JS distance to `ref`. */
function enumerate3(ref: Float64Array, n: number) {
  const t = ref[0] + ref[1] + ref[2];
  const p = [ref[0] / t, ref[1] / t, ref[2] / t];
  const lf = (k: number) => { let s = 0; for (let i = 2; i <= k; i++) s += Math.log(i); return s; };
  const out: Array<{ js: number; pr: number }> = [];
  for (let a = 0; a <= n; a++) {
    for (let b = 0; a + b <= n; b++) {
      const c = n - a - b;
      const pr = Math.exp(lf(n) - lf(a) - lf(b) - lf(c) + a * Math.log(p[0]) + b * Math.log(p[1]) + c * Math.log(p[2]));
      out.push({ js: jensenShannonDistance(ref, Float64Array.of(a, b, c)), pr });
    }
  }
  return out;
}

describe('driftNullModel and driftPValue', () => {
  it('the divergence’s mean and variance equal exact enumeration of all 5 151 outcomes (3 buckets, n = 100) within resampling error', () => {
    const ref = Float64Array.of(50, 30, 20);
    const exact = enumerate3(ref, 100);
    let m = 0, m2 = 0;
    for (const o of exact) { const d = o.js * o.js; m += o.pr * d; m2 += o.pr * d * d; }
    const variance = m2 - m * m;
    const model = driftNullModel(ref, 100, { resamples: 40_000, seed: 5 });
    // Standard error of a mean of 40 000 draws is sd/200; 4 of them is a generous bound.
    expect(Math.abs(model.mean - m)).toBeLessThan(4 * Math.sqrt(variance) / 200);
    expect(model.variance / variance).toBeGreaterThan(0.95);
    expect(model.variance / variance).toBeLessThan(1.05);
    // The tail at the exact 1 %, 0.1 % and 0.01 % points: within a factor 2 of the truth.
    const sorted = [...exact].sort((x, y) => y.js - x.js);
    for (const q of [1e-2, 1e-3, 1e-4]) {
      let acc = 0, t = 0;
      for (const o of sorted) { acc += o.pr; if (acc >= q) { t = o.js; break; } }
      let tail = 0;
      for (const o of exact) if (o.js >= t - 1e-15) tail += o.pr;
      const fit = driftPValue(driftNullModel(ref, 100), t);
      expect(fit / tail).toBeGreaterThan(0.5);
      expect(fit / tail).toBeLessThan(2);
    }
  });

  it.each([
    ['deciles', [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 0], 400, 0],
    ['deciles, reference of 2 000 rows redrawn', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 0], 1000, 2000],
    ['Taiwan PAY_0 (13 buckets, rare codes)', [2759, 5686, 14737, 3688, 2667, 322, 76, 26, 11, 9, 19, 0, 0], 400, 0],
    ['a skewed categorical', [5000, 2000, 1000, 500, 200, 100, 50, 20, 5, 0], 200, 0],
  ] as const)('%s: p-values within a factor 2 of a 300 000-resample null at its 1 %, 0.1 % and 0.01 % points', (_name, counts, n, referenceRows) => {
    const ref = Float64Array.from(counts);
    const total = ref.reduce((s, c) => s + c, 0);
    const shares = ref.map((c) => c / total);
    const next = createSeededRandom(77).next;
    const w = new Float64Array(shares.length), r = new Float64Array(shares.length);
    const B = 300_000;
    const v = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      if (referenceRows > 0) multinomialSample(referenceRows, shares, r, next);
      multinomialSample(n, shares, w, next);
      v[b] = jensenShannonDistance(referenceRows > 0 ? r : ref, w);
    }
    v.sort();
    const model = driftNullModel(ref, n, { referenceRows });
    for (const q of [1e-2, 1e-3, 1e-4]) {
      const t = v[Math.floor((1 - q) * B)];
      let exceed = 0;
      for (let i = B - 1; i >= 0 && v[i] >= t; i--) exceed++;
      const ratio = driftPValue(model, t) / (exceed / B);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });

  it('a feature whose reference sits in one bucket: p = 1 while the window does too, 0 once it does not', () => {
    const model = driftNullModel(Float64Array.of(0, 500, 0), 200, { referenceRows: 500 });
    expect(model.variance).toBe(0);
    expect(driftPValue(model, 0)).toBe(1);
    expect(driftPValue(model, 0.05)).toBe(0);
  });

  it('is a pure function of its inputs (same seed, same model), and a larger window has a smaller null', () => {
    const ref = Float64Array.of(10, 20, 30, 40, 0);
    expect(driftNullModel(ref, 300, { referenceRows: 100 })).toEqual(driftNullModel(ref, 300, { referenceRows: 100 }));
    expect(driftNullModel(ref, 1000).mean).toBeLessThan(driftNullModel(ref, 200).mean);
    // 8·n·ln 2·JSD ≈ χ²(buckets with mass − 1) = χ²(3): mean ≈ 3 at n = 5000.
    const big = driftNullModel(Float64Array.of(1e6, 2e6, 3e6, 4e6, 0), 5000);
    expect(8 * 5000 * Math.LN2 * big.mean).toBeGreaterThan(2.85);
    expect(8 * 5000 * Math.LN2 * big.mean).toBeLessThan(3.15);
  });

  it('refuses bad input with a typed error naming the field', () => {
    const code = (f: () => unknown) => { try { f(); } catch (e) { expect(ExplainError.isInstance(e)).toBe(true); return [(e as ExplainError).code, (e as ExplainError).path]; } return null; };
    expect(code(() => driftNullModel(Float64Array.of(1, NaN), 10))).toEqual(['invalid_argument', ['referenceCounts', 1]]);
    expect(code(() => driftNullModel(Float64Array.of(0, 0), 10))).toEqual(['undefined_statistic', ['referenceCounts']]);
    expect(code(() => driftNullModel(Float64Array.of(1, 1), 0))).toEqual(['invalid_argument', ['n']]);
    expect(code(() => driftNullModel(Float64Array.of(1, 1), 10, { resamples: 5 }))).toEqual(['invalid_argument', ['options', 'resamples']]);
    expect(code(() => driftNullModel(Float64Array.of(1, 1), 10, { referenceRows: -1 }))).toEqual(['invalid_argument', ['options', 'referenceRows']]);
    expect(code(() => driftPValue(driftNullModel(Float64Array.of(1, 1), 10), NaN))).toEqual(['invalid_argument', ['distance']]);
  });
});

describe('benjaminiHochberg against statsmodels multipletests(fdr_bh)', () => {
  const golden = readGolden('benjamini-hochberg.json') as { cases: Array<{ name: string; level: number; pValues: number[]; rejected: boolean[]; adjusted: number[] }> };
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = benjaminiHochberg(c.pValues, c.level);
    expect(r.rejected).toEqual(c.rejected);
    for (let i = 0; i < c.adjusted.length; i++) expect(r.adjusted[i]).toBeCloseTo(c.adjusted[i], 14);
    expect(r.count).toBe(c.rejected.filter(Boolean).length);
  });

  it('rejections never fall as the level rises, and a p-value at or below the cut-off is rejected (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.double({ min: 1e-4, max: 0.5, noNaN: true }), (p, level) => {
      const a = benjaminiHochberg(p, level), b = benjaminiHochberg(p, Math.min(0.99, level * 2));
      expect(b.count).toBeGreaterThanOrEqual(a.count);
      p.forEach((x, i) => expect(a.rejected[i]).toBe(a.count > 0 && x <= a.cutoff));
    }), { numRuns: 300 });
  });

  it('refuses a p-value outside [0, 1] and a level outside (0, 1), naming them', () => {
    expect(() => benjaminiHochberg([0.1, 1.5], 0.05)).toThrow(/pValues\[1\] is 1.5/);
    expect(() => benjaminiHochberg([0.1], 0)).toThrow(/level must be a false discovery rate/);
  });
});
