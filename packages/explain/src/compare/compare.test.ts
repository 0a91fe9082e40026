import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { missingDataReason, sharedDataPath } from '../../../../testing/shared-data';
import { readCsv, readGolden, relClose, type Table } from '../../test/fixtures/stats/load-data';
import { ExplainError } from '../errors';
import { rocAuc } from '../quality/roc-auc';
import { aucCi, delongPlacementsOf, delongTestPaired, delongTestUnpaired } from './delong';
import { normalCdf, normalQuantile, normalSurvival } from './normal-distribution';
import { createSequentialTest, mixtureHalfWidth, mixtureLogLikelihoodRatio, sequentialTest } from './sequential-test';
import { studentTQuantile, studentTTwoSided } from './student-t';
import { twoProportionTest, wilsonInterval } from './two-proportion';
import { bootstrapCi } from './bootstrap-ci';

const D = readGolden('compare-delong.json');
const P = readGolden('compare-proportions.json');
const TAIWAN = 'taiwan-credit-default/default_of_credit_card_clients.csv';
const GERMAN = 'german-credit/german-numeric.csv';

/** ≤ 1e-9 relative; a reference value of exactly 0 must come out exactly 0 (or within 1e-15 for a limit that is 0 only in exact arithmetic). */
function rel(actual: number, expected: number, what: string, zeroSlack = 0): void {
  const ok = relClose(actual, expected, 1e-9) || (expected === 0 && Math.abs(actual) <= zeroSlack);
  if (!ok) throw new Error(`${what}: got ${actual}, reference ${expected}`);
}
function relAll(actual: Record<string, number>, expected: Record<string, number>, keys: string[], what: string): void {
  for (const k of keys) rel(actual[k], expected[k], `${what} ${k}`);
}
const AUC_KEYS = ['auc', 'variance', 'lower', 'upper', 'level'];
const PAIRED_KEYS = ['aucA', 'aucB', 'difference', 'variance', 'z', 'pValue', 'lower', 'upper'];
const UNPAIRED_KEYS = ['aucA', 'aucB', 'difference', 'variance', 't', 'df', 'pValue', 'lower', 'upper'];

function checkAuc(s: ArrayLike<number>, y: Uint8Array, g: any, what: string): void {
  const r = aucCi(Float64Array.from(s), y, { level: g.level });
  relAll(r as any, g, AUC_KEYS, what);
  rel(r.se, Math.sqrt(g.variance), `${what} se`);
}
function checkPaired(a: ArrayLike<number>, b: ArrayLike<number>, y: Uint8Array, g: any, what: string): void {
  const r = delongTestPaired(Float64Array.from(a), Float64Array.from(b), y, { level: g.level });
  relAll(r as any, g, PAIRED_KEYS, what);
}
function checkUnpaired(a: ArrayLike<number>, ya: Uint8Array, b: ArrayLike<number>, yb: Uint8Array, g: any, what: string): void {
  const r = delongTestUnpaired(Float64Array.from(a), ya, Float64Array.from(b), yb, { level: g.level });
  relAll(r as any, g, UNPAIRED_KEYS, what);
}

/** s = 0 + c1·x1 + c2·x2 + … left to right, as the R script builds it. */
function linearScore(t: Table, spec: { features: string[]; coefs: number[] }): Float64Array {
  const s = new Float64Array(t.rows.length);
  spec.features.forEach((f, k) => {
    const col = t.num(f);
    for (let i = 0; i < s.length; i++) s[i] = s[i] + spec.coefs[k] * col[i];
  });
  return s;
}
function subset<T extends Float64Array | Uint8Array>(v: T, mask: ArrayLike<boolean>): T {
  const idx: number[] = [];
  for (let i = 0; i < v.length; i++) if (mask[i]) idx.push(i);
  const out = new (v.constructor as new (n: number) => T)(idx.length);
  idx.forEach((r, i) => { out[i] = v[r]; });
  return out;
}

function codeOf(f: () => unknown): [string, ReadonlyArray<string | number>] | [string] {
  try { f(); } catch (e) { return ExplainError.isInstance(e) ? [e.code, e.path] : ['untyped: ' + String(e)]; }
  return ['none'];
}

describe('distribution functions match R (pnorm, qnorm, pt, qt)', () => {
  it('normal survival, CDF and quantile, far tails included', () => {
    for (const c of D.distributions.normalSurvival) {
      rel(normalSurvival(c.x), c.upper, `pnorm(${c.x}, lower=FALSE)`);
      rel(normalCdf(-c.x), c.lowerAtMinus, `pnorm(-${c.x})`);
    }
    for (const c of D.distributions.normalQuantile) rel(normalQuantile(c.p), c.q, `qnorm(${c.p})`);
  });
  it('Student t two-sided p-values and quantiles for non-integer df', () => {
    for (const c of D.distributions.tTwoSided) rel(studentTTwoSided(c.t, c.df), c.p, `2*pt(-${c.t}, ${c.df})`);
    for (const c of D.distributions.tQuantile) rel(studentTQuantile(c.p, c.df), c.q, `qt(${c.p}, ${c.df})`);
  });
});

describe('DeLong on adversarial arrays matches pROC', () => {
  it('AUC CIs, paired tests (also a score against itself) and unpaired tests', () => {
    for (const [name, c] of Object.entries<any>(D.adversarial)) {
      const y = Uint8Array.from(c.y);
      checkAuc(c.a, y, c.aucA, `${name} A`);
      checkAuc(c.b, y, c.aucB, `${name} B`);
      checkPaired(c.a, c.b, y, c.paired, `${name} paired`);
      checkPaired(c.a, c.a, y, c.pairedSelf, `${name} self`);
    }
    const A = D.adversarial;
    const pick = (k: string, s: 'a' | 'b') => [Float64Array.from(A[k][s]), Uint8Array.from(A[k].y)] as const;
    const u = D.adversarialUnpaired;
    checkUnpaired(...pick('heavyTies', 'a'), ...pick('threePerClass', 'a'), u.heavyTiesVsThreePerClass, 'ties vs 3/class');
    checkUnpaired(...pick('nearPerfect', 'a'), ...pick('binormal', 'b'), u.nearPerfectVsBinormal, 'near-perfect vs binormal');
    checkUnpaired(...pick('perfectVsTied', 'a'), ...pick('heavyTies', 'b'), u.perfectVsHeavyTies, 'perfect vs ties');
  });

  it('a perfect ranking has variance 0 and the CI [1, 1]; plain arrays and Float32Array work', () => {
    const c = D.adversarial.perfectVsTied;
    const r = aucCi(c.a, c.y);
    expect([r.auc, r.variance, r.lower, r.upper]).toEqual([1, 0, 1, 1]);
    const f32 = aucCi(Float32Array.from(D.adversarial.threePerClass.a), Uint8Array.from(D.adversarial.threePerClass.y));
    rel(f32.auc, D.adversarial.threePerClass.aucA.auc, 'float32 auc');
  });
});

describe('real data: DeLong matches pROC', () => {
  const pt = sharedDataPath(TAIWAN);
  it.skipIf(!pt)(`Taiwan: AUC CIs, paired (champion vs challengers) and unpaired (halves, segments) ${pt ? '' : missingDataReason(TAIWAN)}`, () => {
    const t = readCsv(pt!);
    const g = D.taiwan;
    const y = Uint8Array.from(t.num('default payment next month'));
    const s: Record<string, Float64Array> = {};
    for (const [k, spec] of Object.entries<any>(g.scores)) s[k] = linearScore(t, spec);
    const id = t.num('ID'), sex = t.num('SEX');
    const small = Array.from(id, (v) => v <= g.smallMaxId);
    checkAuc(s.champion, y, g.aucCi.champion, 'champion');
    checkAuc(s.champion, y, g.aucCi.champion90, 'champion 90%');
    checkAuc(s.pay0, y, g.aucCi.pay0, 'PAY_0');
    checkAuc(s.challenger, y, g.aucCi.challenger, 'challenger');
    checkAuc(subset(s.challenger, small), subset(y, small), g.aucCi.challengerSmall, 'challenger ID ≤ 3000 99%');
    checkPaired(s.champion, s.pay0, y, g.paired.championVsPay0, 'champion vs PAY_0');
    checkPaired(s.champion, s.challenger, y, g.paired.championVsChallenger, 'champion vs challenger');
    checkPaired(s.challenger, s.pay0, y, g.paired.challengerVsPay0_90, 'challenger vs PAY_0 90%');
    checkPaired(subset(s.champion, small), subset(s.challenger, small), subset(y, small), g.paired.championVsChallengerSmall, 'small paired');
    const first = Array.from(id, (v) => v <= g.firstHalfMaxId), second = first.map((b) => !b);
    checkUnpaired(subset(s.champion, first), subset(y, first), subset(s.champion, second), subset(y, second), g.unpaired.championFirstVsSecondHalf, 'halves');
    const male = Array.from(sex, (v) => v === 1), female = male.map((b) => !b);
    checkUnpaired(subset(s.champion, male), subset(y, male), subset(s.challenger, female), subset(y, female), g.unpaired.championMaleVsChallengerFemale, 'male vs female');
    // the AUC is the same Mann–Whitney AUC that rocAuc matches against scikit-learn
    rel(aucCi(s.pay0, y).auc, rocAuc(s.pay0, y), 'aucCi vs rocAuc');
  });

  const pg = sharedDataPath(GERMAN);
  it.skipIf(!pg || !pt)(`German credit: CIs, paired, and unpaired against the Taiwan champion (two datasets) ${pg && pt ? '' : missingDataReason(GERMAN)}`, () => {
    const t = readCsv(pg!);
    const g = D.german;
    const y = Uint8Array.from(t.num('class'), (c) => +(c === 2));
    const a = linearScore(t, g.scores.a), b = linearScore(t, g.scores.b);
    checkAuc(a, y, g.aucCi.a, 'german a');
    checkAuc(b, y, g.aucCi.b, 'german b');
    checkPaired(a, b, y, g.paired.aVsB, 'german a vs b');
    const tw = readCsv(pt!);
    const ty = Uint8Array.from(tw.num('default payment next month'));
    checkUnpaired(a, y, linearScore(tw, D.taiwan.scores.champion), ty, g.unpairedVsTaiwanChampion, 'german vs taiwan');
  });
});

describe('two proportions and Wilson intervals match statsmodels', () => {
  it('z, p-value and Wald CI of the difference (real counts and edge cases)', () => {
    for (const c of P.twoProportion) {
      const r = twoProportionTest(c.x1, c.n1, c.x2, c.n2, { level: c.level });
      rel(r.z, c.z, `${c.name} z`);
      rel(r.pValue, c.pValue, `${c.name} p`);
      rel(r.lower, c.lower, `${c.name} lower`);
      rel(r.upper, c.upper, `${c.name} upper`);
      expect(r.difference).toBe(c.x1 / c.n1 - c.x2 / c.n2);
    }
    for (const c of P.undefined) {
      expect(c.z).toBeNull(); // statsmodels gives nan
      expect(codeOf(() => twoProportionTest(c.x1, c.n1, c.x2, c.n2))[0]).toBe('undefined_statistic');
    }
  });
  it('Wilson intervals, x = 0 and x = n included', () => {
    for (const c of P.wilson) {
      const r = wilsonInterval(c.x, c.n, { level: c.level });
      rel(r.lower, c.lower, `${c.name} lower`, 1e-15);
      rel(r.upper, c.upper, `${c.name} upper`);
    }
  });
  it('typed refusals', () => {
    expect(codeOf(() => twoProportionTest(1, 0, 1, 5))).toEqual(['undefined_statistic', ['n1']]);
    expect(codeOf(() => twoProportionTest(6, 5, 1, 5))).toEqual(['invalid_argument', ['x1']]);
    expect(codeOf(() => twoProportionTest(1, 5, 1.5, 5))).toEqual(['invalid_argument', ['x2']]);
    expect(codeOf(() => twoProportionTest(1, 5, 1, -5))).toEqual(['invalid_argument', ['n2']]);
    expect(codeOf(() => wilsonInterval(0, 0))).toEqual(['undefined_statistic', ['n']]);
    expect(codeOf(() => wilsonInterval(1, 10, { level: 95 }))).toEqual(['invalid_argument', ['options', 'level']]);
  });
});

describe('typed refusals of the DeLong tests', () => {
  const s = new Float64Array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2]);
  const y = new Uint8Array([0, 0, 1, 1, 1, 0]);
  it('mismatched lengths, one class only, too few of a class, non-finite, bad labels, bad level', () => {
    expect(codeOf(() => aucCi(s, y.subarray(1)))).toEqual(['invalid_argument', ['labels']]);
    expect(codeOf(() => aucCi(s, new Uint8Array(6)))).toEqual(['undefined_statistic', ['labels']]);
    expect(codeOf(() => aucCi(s, new Uint8Array([0, 0, 0, 1, 0, 0])))).toEqual(['undefined_statistic', ['labels']]);
    expect(codeOf(() => aucCi(new Float64Array([0.1, NaN, 0.3, 0.4, 0.2, 0.1]), y))).toEqual(['invalid_argument', ['scores', 1]]);
    expect(codeOf(() => aucCi(new Float64Array([0.1, 0.2, Infinity, 0.4, 0.2, 0.1]), y))).toEqual(['invalid_argument', ['scores', 2]]);
    expect(codeOf(() => aucCi(s, new Uint8Array([0, 0, 2, 1, 1, 0])))).toEqual(['invalid_argument', ['labels', 2]]);
    expect(codeOf(() => aucCi(s, y, { level: 1 }))).toEqual(['invalid_argument', ['options', 'level']]);
    expect(codeOf(() => delongTestPaired(s, s.subarray(1), y))).toEqual(['invalid_argument', ['scoresB']]);
    expect(codeOf(() => delongTestPaired(s, Float64Array.from(s, (v, i) => (i === 4 ? -Infinity : v)), y))).toEqual(['invalid_argument', ['scoresB', 4]]);
    expect(codeOf(() => delongTestUnpaired(s, y, s, new Uint8Array(6).fill(1)))).toEqual(['undefined_statistic', ['labelsB']]);
    expect(codeOf(() => delongTestUnpaired(s, y.subarray(2), s, y))).toEqual(['invalid_argument', ['labelsA']]);
    const perfect = new Float64Array([0, 0, 1, 1, 1, 0]);
    expect(codeOf(() => delongTestUnpaired(perfect, y, perfect, y))).toEqual(['undefined_statistic', ['scoresB']]);
    const e = (() => { try { delongTestPaired(s, [0.1, 0.2, 0.3, NaN, 0.5, 0.6], y); } catch (err) { return err as ExplainError; } })()!;
    expect(e.message).toMatch(/scoresB\[3\] is NaN; expected a finite number/);
  });
});

/** Brute-force DeLong (the O(m·n) definitions) for the property tests. */
function bruteForce(s: ArrayLike<number>, y: ArrayLike<number>): { x: number[]; y: number[]; theta: number } {
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < s.length; i++) (y[i] === 1 ? pos : neg).push(s[i]);
  const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
  const x = pos.map((p) => neg.reduce((t, q) => t + psi(p, q), 0) / neg.length);
  const yy = neg.map((q) => pos.reduce((t, p) => t + psi(p, q), 0) / pos.length);
  return { x, y: yy, theta: x.reduce((a, b) => a + b, 0) / x.length };
}

const scoredRows = fc
  .array(fc.record({ s: fc.integer({ min: 0, max: 12 }), t: fc.double({ min: -5, max: 5, noNaN: true }), y: fc.integer({ min: 0, max: 1 }) }), { minLength: 4, maxLength: 80 })
  .filter((rows) => rows.filter((r) => r.y === 1).length >= 2 && rows.filter((r) => r.y === 0).length >= 2);

describe('properties', () => {
  it('placements equal the O(m·n) definitions (with ties); the AUC equals rocAuc', () => {
    fc.assert(fc.property(scoredRows, (rows) => {
      const s = Float64Array.from(rows, (r) => r.s / 4), y = Uint8Array.from(rows, (r) => r.y);
      const pos = rows.filter((r) => r.y === 1).length;
      const fast = delongPlacementsOf(s, y, pos), slow = bruteForce(s, y);
      slow.x.forEach((v, i) => expect(fast.x[i]).toBe(v));
      slow.y.forEach((v, j) => expect(fast.y[j]).toBe(v));
      expect(relClose(fast.theta, rocAuc(s, y), 1e-12)).toBe(true);
    }), { numRuns: 300 });
  });

  it('a score against itself: difference 0, z 0, p-value 1; swapping A and B negates z and keeps p', () => {
    fc.assert(fc.property(scoredRows, (rows) => {
      const a = Float64Array.from(rows, (r) => r.s), b = Float64Array.from(rows, (r) => r.t), y = Uint8Array.from(rows, (r) => r.y);
      const self = delongTestPaired(a, a, y);
      expect([self.difference, self.z, self.pValue, self.variance]).toEqual([0, 0, 1, 0]);
      const ab = delongTestPaired(a, b, y), ba = delongTestPaired(b, a, y);
      expect(ba.z === -ab.z).toBe(true); // (0 and −0 alike)
      expect(ba.difference === -ab.difference).toBe(true);
      expect(ba.pValue).toBe(ab.pValue);
      expect(ab.lower).toBeLessThanOrEqual(ab.difference);
      if (aucCi(a, y).variance + aucCi(b, y).variance === 0) {
        expect(codeOf(() => delongTestUnpaired(a, y, b, y))[0]).toBe('undefined_statistic');
        return;
      }
      const un = delongTestUnpaired(a, y, b, y), nu = delongTestUnpaired(b, y, a, y);
      expect(nu.t === -un.t).toBe(true);
      expect(nu.pValue).toBe(un.pValue);
    }), { numRuns: 200 });
  });

  it('two proportions: swapping the samples negates z; Wilson contains p̂ and stays in [0, 1]', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n1, n2, f1, f2) => {
      const x1 = Math.round(f1 * n1), x2 = Math.round(f2 * n2);
      if ((x1 + x2) === 0 || (x1 + x2) === n1 + n2) return;
      const r = twoProportionTest(x1, n1, x2, n2), s = twoProportionTest(x2, n2, x1, n1);
      expect(s.z === -r.z).toBe(true);
      expect(s.pValue).toBe(r.pValue);
      const w = wilsonInterval(x1, n1);
      expect(w.lower).toBeGreaterThanOrEqual(-1e-15);
      expect(w.upper).toBeLessThanOrEqual(1 + 1e-15);
      expect(w.lower).toBeLessThanOrEqual(x1 / n1 + 1e-15);
      expect(w.upper).toBeGreaterThanOrEqual(x1 / n1 - 1e-15);
    }));
  });
});

describe('sequential test (normal-mixture SPRT)', () => {
  it('Λ is the N(0, τ²) mixture of normal likelihood ratios (checked by quadrature)', () => {
    for (const [est, v, tau2] of [[0.02, 1e-4, 1e-4], [-0.013, 4e-5, 2.5e-5], [0.001, 1e-3, 1e-2]]) {
      // ∫ φ((θ̂−θ)/√V) / φ(θ̂/√V) · N(θ; 0, τ²) dθ, Simpson's rule over ±12τ
      const tau = Math.sqrt(tau2), k = 20000, h = (24 * tau) / k;
      let sum = 0;
      for (let i = 0; i <= k; i++) {
        const th = -12 * tau + i * h;
        const f = Math.exp((est * est - (est - th) * (est - th)) / (2 * v)) * Math.exp(-(th * th) / (2 * tau2)) / Math.sqrt(2 * Math.PI * tau2);
        sum += (i === 0 || i === k ? 1 : i % 2 ? 4 : 2) * f;
      }
      const numeric = (sum * h) / 3;
      expect(relClose(Math.exp(mixtureLogLikelihoodRatio(est, v, tau2)), numeric, 1e-9)).toBe(true);
    }
    expect(Math.exp(mixtureLogLikelihoodRatio(0.02, 1e-4, 1e-4))).toBeCloseTo(Math.E / Math.SQRT2, 14);
  });

  it('the interval ends are where Λ(θ0) = 1/α', () => {
    for (const [est, v, tau2, alpha] of [[0.01, 1e-4, 1e-4, 0.05], [-0.03, 2e-6, 1e-4, 0.01], [0.2, 0.5, 0.01, 0.1]]) {
      const h = mixtureHalfWidth(v, tau2, alpha);
      for (const th0 of [est - h, est + h]) expect(relClose(Math.exp(mixtureLogLikelihoodRatio(est, v, tau2, th0)), 1 / alpha, 1e-9)).toBe(true);
      const s = sequentialTest([{ estimate: est, variance: v }], { tau2, alpha });
      expect(relClose(s.lower, est - h, 1e-15) && relClose(s.upper, est + h, 1e-15)).toBe(true);
    }
  });

  it('a clear effect is decided, by sign; stateful and pure forms agree', () => {
    const looks = [1, 2, 3, 4, 5, 6, 8, 10].map((k) => ({ estimate: 0.02 + 0.01 / k, variance: 4e-4 / k }));
    const t = createSequentialTest({ tau2: 1e-4 });
    const states = looks.map((l) => t.update(l.estimate, l.variance));
    expect(states.at(-1)).toEqual(sequentialTest(looks, { tau2: 1e-4 }));
    expect(t.state).toBe(states.at(-1));
    const first = states.findIndex((s) => s.pValue <= 0.05);
    expect(first).toBeGreaterThan(0);
    expect(states[first].decided).toBe('better');
    expect(states[first].decidedAtLook).toBe(first + 1);
    expect(states[first].lower).toBeGreaterThan(0);
    expect(states[first - 1].decided).toBeNull();
    const worse = sequentialTest(looks.map((l) => ({ ...l, estimate: -l.estimate })), { tau2: 1e-4 });
    expect([worse.decided, worse.upper < 0]).toEqual(['worse', true]);
  });

  it('property: the p-value never increases, the confidence sequence only shrinks, a verdict never changes', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ estimate: fc.double({ min: -0.1, max: 0.1, noNaN: true }), variance: fc.double({ min: 1e-7, max: 1e-2, noNaN: true }) }), { minLength: 1, maxLength: 40 }),
      fc.double({ min: 1e-6, max: 1e-1, noNaN: true }),
      (looks, tau2) => {
        const t = createSequentialTest({ tau2 });
        let prev = t.state;
        for (const l of looks) {
          const s = t.update(l.estimate, l.variance);
          expect(s.pValue).toBeLessThanOrEqual(prev.pValue);
          expect(s.lower).toBeGreaterThanOrEqual(prev.lower);
          expect(s.upper).toBeLessThanOrEqual(prev.upper);
          if (prev.decided !== null) expect(s.decided).toBe(prev.decided);
          expect(s.decided !== null).toBe(s.pValue <= 0.05);
          prev = s;
        }
      }));
  });

  it('typed refusals', () => {
    expect(codeOf(() => createSequentialTest({ tau2: 0 }))).toEqual(['invalid_argument', ['options', 'tau2']]);
    expect(codeOf(() => createSequentialTest({ tau2: 1e-4, alpha: 1 }))).toEqual(['invalid_argument', ['options', 'alpha']]);
    const t = createSequentialTest({ tau2: 1e-4 });
    expect(codeOf(() => t.update(NaN, 1e-4))).toEqual(['invalid_argument', ['estimate']]);
    expect(codeOf(() => t.update(0.01, 0))).toEqual(['invalid_argument', ['variance']]);
    expect(codeOf(() => sequentialTest([{ estimate: 0, variance: 1 }, { estimate: 0, variance: -1 }], { tau2: 1 }))).toEqual(['invalid_argument', ['looks', 1, 'variance']]);
    expect(t.state.looks).toBe(0);
  });
});

describe('stratified bootstrap intervals', () => {
  const pt = sharedDataPath(TAIWAN);
  it.skipIf(!pt)(`the bootstrap interval of the AUC agrees with DeLong's on Taiwan (30,000 rows) ${pt ? '' : missingDataReason(TAIWAN)}`, () => {
    const t = readCsv(pt!);
    const y = Uint8Array.from(t.num('default payment next month'));
    const s = linearScore(t, D.taiwan.scores.champion);
    const d = aucCi(s, y);
    const b = bootstrapCi(rocAuc, s, y, { resamples: 400, seed: 7 });
    expect(b.estimate).toBe(d.auc);
    // Percentile bootstrap vs the asymptotic interval: the ends within a tenth of DeLong's width.
    const width = d.upper - d.lower;
    expect(Math.abs(b.lower - d.lower)).toBeLessThan(0.1 * width);
    expect(Math.abs(b.upper - d.upper)).toBeLessThan(0.1 * width);
    expect(bootstrapCi(rocAuc, s, y, { resamples: 400, seed: 7 })).toEqual(b); // seeded: the same interval
  });

  it('keeps class counts, narrows with more data, and refuses bad options by name', () => {
    const rnd = (k: number) => { let x = Math.sin(k * 12.9898) * 43758.5453; return x - Math.floor(x); };
    const make = (n: number) => {
      const y = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
      return { s: Float64Array.from(y, (v, i) => v + 1.5 * rnd(i)), y };
    };
    const counts: number[] = [];
    const stat = (s: Float64Array, y: Uint8Array) => { counts.push(y.reduce((a, v) => a + v, 0)); return rocAuc(s, y); };
    const small = make(500), big = make(20_000);
    bootstrapCi(stat, small.s, small.y, { resamples: 20 });
    expect(new Set(counts)).toEqual(new Set([100]));
    const a = bootstrapCi(rocAuc, small.s, small.y), b = bootstrapCi(rocAuc, big.s, big.y);
    expect(b.upper - b.lower).toBeLessThan((a.upper - a.lower) / 3);
    expect(a.lower).toBeLessThanOrEqual(a.estimate);
    expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
    expect(codeOf(() => bootstrapCi(rocAuc, small.s, small.y, { resamples: 5 }))).toEqual(['invalid_argument', ['options', 'resamples']]);
    expect(codeOf(() => bootstrapCi(null as never, small.s, small.y))).toEqual(['invalid_argument', ['statistic']]);
    expect(codeOf(() => bootstrapCi(() => NaN, small.s, small.y))).toEqual(['undefined_statistic', ['statistic']]);
  });
});
