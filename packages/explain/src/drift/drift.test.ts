import { describe, expect, it } from 'vitest';
import { missingDataReason, sharedDataPath } from '../../../../testing/shared-data';
import { readCsv, readGolden, relClose, where } from '../../test/fixtures/stats/load-data';
import { ExplainError } from '../errors';
import { chiSquareSurvival } from './chi-square-distribution';
import { chiSquareTest } from './chi-square-test';
import { jensenShannonDistance } from './jensen-shannon';
import { kolmogorovSurvival } from './kolmogorov-distribution';
import { ksTwoSample, type KsMethod } from './ks-two-sample';
import { populationStabilityIndex, populationStabilityIndexFromSamples } from './population-stability-index';
import { binIndex, quantileEdges } from './quantile-edges';
import { normalizedWassersteinDistance, wassersteinDistance } from './wasserstein';

const G = readGolden('drift.json');
const TAIWAN = 'taiwan-credit-default/default_of_credit_card_clients.csv';
const GERMAN = 'german-credit/german.csv';
const FDH = 'fdh-simulated-transactions/transactions_2018-04.csv.gz';

function expectRel(actual: number, expected: number, what: string, rel = 1e-9): void {
  if (!relClose(actual, expected, rel)) throw new Error(`${what}: got ${actual}, scipy ${expected} (rel ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

function expectThrows(fn: () => unknown, code: string, path?: unknown[]): ExplainError {
  try {
    fn();
  } catch (e) {
    expect(ExplainError.isInstance(e)).toBe(true);
    const err = e as ExplainError;
    expect(err.code).toBe(code);
    if (path) expect(err.path).toEqual(path);
    return err;
  }
  throw new Error('expected an ExplainError');
}

/** Checks every statistic of a numeric_drift() golden block against our functions. */
function checkNumericBlock(ref: Float64Array, cur: Float64Array, g: any, label: string): void {
  for (const m of Object.keys(g.ks)) {
    const r = ksTwoSample(ref, cur, { method: m as KsMethod });
    expectRel(r.statistic, g.ks[m].statistic, `${label} ks ${m} statistic`);
    expectRel(r.pValue, g.ks[m].pValue, `${label} ks ${m} p`);
  }
  expectRel(wassersteinDistance(ref, cur), g.wasserstein, `${label} wasserstein`);
  expectRel(normalizedWassersteinDistance(ref, cur), g.wasserstein / g.refStd, `${label} normalized wasserstein`);
  const edges = quantileEdges(Float64Array.from(ref).sort(), 10);
  expect(Array.from(edges)).toEqual(g.edges);
  const rc = new Float64Array(edges.length + 1);
  const cc = new Float64Array(edges.length + 1);
  for (const v of ref) rc[binIndex(edges, v)]++;
  for (const v of cur) cc[binIndex(edges, v)]++;
  expect(Array.from(rc)).toEqual(g.refCounts);
  expect(Array.from(cc)).toEqual(g.curCounts);
  expectRel(populationStabilityIndexFromSamples(ref, cur), g.psi, `${label} psi`);
  expectRel(jensenShannonDistance(rc, cc), g.jensenShannon, `${label} js`);
}

describe('kolmogorovSurvival matches scipy.stats.kstwo.sf across all of its regimes', () => {
  it('agrees to 1e-9 relative on a grid of (n, x)', () => {
    for (const c of G.kstwo) expectRel(kolmogorovSurvival(c.n, c.x), c.sf, `kstwo.sf(${c.x}, ${c.n})`);
  });
});

describe('ksTwoSample matches scipy ks_2samp (exact, asymp, auto)', () => {
  it('on adversarial arrays: ties, constants, single values, heavy tails', () => {
    for (const [name, c] of Object.entries<any>(G.adversarial)) {
      const a = Float64Array.from(c.a), b = Float64Array.from(c.b);
      for (const m of Object.keys(c.ks)) {
        const r = ksTwoSample(a, b, { method: m as KsMethod });
        expectRel(r.statistic, c.ks[m].statistic, `${name} ${m} D`);
        expectRel(r.pValue, c.ks[m].pValue, `${name} ${m} p`);
      }
      expectRel(wassersteinDistance(a, b), c.wasserstein, `${name} wasserstein`);
    }
  });

  it('throws typed errors where the statistic is undefined or the input bad', () => {
    expectThrows(() => ksTwoSample(new Float64Array(0), new Float64Array([1])), 'undefined_statistic', ['reference']);
    expectThrows(() => ksTwoSample(new Float64Array([1, NaN]), new Float64Array([1])), 'invalid_argument', ['reference', 1]);
    expectThrows(() => ksTwoSample(new Float64Array([1]), new Float64Array([2]), { method: 'asymp' }), 'undefined_statistic');
    expectThrows(() => ksTwoSample(new Float64Array([1]), new Float64Array([2]), { method: 'fast' as KsMethod }), 'invalid_argument', ['options', 'method']);
  });

  it('resolves auto to exact up to 10 000 values and to asymp above', () => {
    const a = new Float64Array(10001).map((_, i) => i);
    expect(ksTwoSample(a.subarray(0, 100), a.subarray(50, 150)).method).toBe('exact');
    expect(ksTwoSample(a, a.subarray(0, 500)).method).toBe('asymp');
  });
});

describe('chi-square, Jensen–Shannon', () => {
  it('chiSquareSurvival matches scipy.stats.chi2.sf', () => {
    for (const c of G.chi2sf) expectRel(chiSquareSurvival(c.x, c.dof), c.sf, `chi2.sf(${c.x}, ${c.dof})`);
  });
  it('chiSquareTest matches scipy.stats.chisquare, including empty observed categories', () => {
    for (const c of G.chiSquare) {
      const r = chiSquareTest(Float64Array.from(c.observed), Float64Array.from(c.expected));
      expectRel(r.statistic, c.statistic, 'chisquare statistic');
      expectRel(r.pValue, c.pValue, 'chisquare p');
    }
  });
  it('chiSquareTest refuses zero expected counts, one category, unequal totals', () => {
    expectThrows(() => chiSquareTest(new Float64Array([1, 2]), new Float64Array([0, 3])), 'undefined_statistic', ['expected', 0]);
    expectThrows(() => chiSquareTest(new Float64Array([3]), new Float64Array([3])), 'undefined_statistic');
    expectThrows(() => chiSquareTest(new Float64Array([1, 2]), new Float64Array([2, 2])), 'invalid_argument', ['expected']);
    expectThrows(() => chiSquareTest(new Float64Array([1, -2]), new Float64Array([2, -3])), 'invalid_argument', ['observed', 1]);
  });
  it('jensenShannonDistance matches scipy jensenshannon in base 2 and base e', () => {
    for (const c of G.jensenShannon) {
      const p = Float64Array.from(c.p), q = Float64Array.from(c.q);
      expect(Math.abs(jensenShannonDistance(p, q) - c.base2)).toBeLessThanOrEqual(1e-9 * Math.max(c.base2, 1e-7));
      expect(Math.abs(jensenShannonDistance(p, q, { base: Math.E }) - c.baseE)).toBeLessThanOrEqual(1e-9 * Math.max(c.baseE, 1e-7));
    }
    expectThrows(() => jensenShannonDistance(new Float64Array([0, 0]), new Float64Array([1, 1])), 'undefined_statistic', ['p']);
  });
});

describe('PSI', () => {
  it('floors empty bins at epsilon, so a bin empty on both sides adds nothing', () => {
    // hand computation: shares (0.5, 0.5, 0) vs (0.25, 0.75, 0)
    const v = populationStabilityIndex(new Float64Array([2, 2, 0]), new Float64Array([1, 3, 0]));
    expect(v).toBeCloseTo((0.25 - 0.5) * Math.log(0.5) + (0.75 - 0.5) * Math.log(1.5), 14);
    // a bin empty in the reference only: share floored at 1e-4
    const w = populationStabilityIndex(new Float64Array([4, 0]), new Float64Array([2, 2]));
    expect(w).toBeCloseTo((0.5 - 1) * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 12);
    expectThrows(() => populationStabilityIndex(new Float64Array([1, 1]), new Float64Array([0, 0])), 'undefined_statistic', ['currentCounts']);
  });
  it('merges tied quantiles into one edge (constant and binary features)', () => {
    expect(Array.from(quantileEdges(new Float64Array(10).fill(3), 10))).toEqual([3]);
    const bin = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(quantileEdges(bin, 10))).toEqual([0, 0.2999999999999998, 1]); // np.quantile(bin, [.1, …, .9]) de-duplicated
    expect(populationStabilityIndexFromSamples(bin, bin)).toBe(0);
  });
});

describe('real data: Taiwan clients under 30 (reference) vs over 50 (current)', () => {
  const p = sharedDataPath(TAIWAN);
  it.skipIf(!p)(`numeric features match scipy ${p ? '' : missingDataReason(TAIWAN)}`, () => {
    const t = readCsv(p!);
    const age = t.num('AGE');
    for (const [col, g] of Object.entries<any>(G.taiwan.numeric)) {
      const v = t.num(col);
      checkNumericBlock(where(v, age.map((a) => +(a < 30))), where(v, age.map((a) => +(a > 50))), g, col);
    }
  });
  it.skipIf(!p)(`categorical features: chi-square and JS match scipy ${p ? '' : missingDataReason(TAIWAN)}`, () => {
    const t = readCsv(p!);
    const age = t.num('AGE');
    for (const [col, g] of Object.entries<any>(G.taiwan.categorical)) {
      const v = t.num(col);
      const ref = where(v, age.map((a) => +(a < 30)));
      const cur = where(v, age.map((a) => +(a > 50)));
      const rc = new Float64Array(g.categories.length), cc = new Float64Array(g.categories.length);
      for (const x of ref) rc[g.categories.indexOf(x)]++;
      for (const x of cur) { const i = g.categories.indexOf(x); if (i >= 0) cc[i]++; }
      expect(Array.from(cc)).toEqual(g.curCounts);
      let sr = 0, sc = 0;
      for (let i = 0; i < rc.length; i++) { sr += rc[i]; sc += cc[i]; }
      const expected = rc.map((x) => (x / sr) * sc);
      const r = chiSquareTest(cc, expected);
      expectRel(r.statistic, g.chiSquare.statistic, `${col} chi2`);
      expectRel(r.pValue, g.chiSquare.pValue, `${col} chi2 p`);
      expectRel(jensenShannonDistance(rc, cc), g.jensenShannon, `${col} js`);
    }
  });
});

describe('real data: German credit amount, applicants under 30 vs 30 and over', () => {
  const p = sharedDataPath(GERMAN);
  it.skipIf(!p)(`matches scipy ${p ? '' : missingDataReason(GERMAN)}`, () => {
    const t = readCsv(p!);
    const age = t.num('Attribute13');
    const amount = t.num('Attribute5');
    checkNumericBlock(where(amount, age.map((a) => +(a < 30))), where(amount, age.map((a) => +(a >= 30))), G.german.Attribute5, 'german amount');
  });
});

describe('real data: handbook amounts, week 1 vs week 2 of April 2018, and week 2 scaled by 1.3', () => {
  const p = sharedDataPath(FDH);
  it.skipIf(!p)(`matches scipy and separates the shift ${p ? '' : missingDataReason(FDH)}`, () => {
    const t = readCsv(p!);
    const day = Float64Array.from(t.str('TX_DATETIME'), (s) => Number(s.slice(8, 10)));
    const amount = t.num('TX_AMOUNT');
    const w1 = where(amount, day.map((d) => +(d <= 7)));
    const w2 = where(amount, day.map((d) => +(d >= 8 && d <= 14)));
    checkNumericBlock(w1, w2, G.handbook.sameDistribution, 'handbook same');
    checkNumericBlock(w1, w2.map((x) => x * 1.3), G.handbook.scaled1_3, 'handbook x1.3');
    expect(G.handbook.sameDistribution.psi).toBeLessThan(0.1);
    expect(G.handbook.scaled1_3.psi).toBeGreaterThan(0.1);
  });
});
