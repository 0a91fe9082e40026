import { ExplainError } from '../errors';
import { checkFiniteSample, sortedCopy, type NumericSample } from './check-sample';
import { kolmogorovSurvival } from './kolmogorov-distribution';

/** How the p-value of {@link ksTwoSample} is computed; the same choices as scipy. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/** Result of {@link ksTwoSample}. */
export interface KsTwoSampleResult {
  /** D = sup_x |F_ref(x) − F_cur(x)|, the largest gap between the two empirical CDFs. */
  readonly statistic: number;
  /** P(D ≥ observed) under the null hypothesis that both samples share one distribution. */
  readonly pValue: number;
  /** The method actually used (`auto` resolves to one of the two; `exact` falls back to `asymp` when the path count overflows, as in scipy). */
  readonly method: 'exact' | 'asymp';
}

/** scipy's `MAX_AUTO_N`: `auto` uses the exact distribution while max(n1, n2) ≤ 10 000. */
const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's round-half-to-even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * P(D_{n,n} ≥ h/n) for equal sample sizes: 2 Σ_k (−1)^(k+1) C(2n, n − kh) / C(2n, n)
 * (Gnedenko–Korolyuk), evaluated as scipy does in the nested Horner form
 * 2·A0·(1 − A1·(1 − A2·(…))) to avoid the alternating sum's cancellation.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * 1 − (share of lattice paths from (0,0) to (m,n) that stay strictly inside
 * |x/m − y/n| < h/lcm(m,n)): the exact two-sided p-value for unequal sizes. Hodges' (1958)
 * "inside method", in Viehmann's (2021, arXiv:2102.08037) recursion that carries the
 * normalised count A(x,y)/C(x+y,y) column by column, so nothing overflows.
 */
function probOutsideInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0, n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(maxj - minj + (lastlen - curlen), lenA));
  }
  return A[maxj - minj - 1];
}

/**
 * Two-sample Kolmogorov–Smirnov test (two-sided), matching `scipy.stats.ks_2samp`
 * (scipy 1.10) for `method` = `'exact'`, `'asymp'` and `'auto'`.
 *
 * D is the largest vertical gap between the two empirical CDFs, evaluated at every
 * observed value with right-continuous CDFs, so ties are counted on both sides at once.
 * The exact p-value counts lattice paths (Hodges 1958); the asymptotic one is the
 * one-sample Kolmogorov distribution at n = round(n1·n2/(n1+n2)) (scipy's choice,
 * computed by Simard & L'Ecuyer's method). Drift rule: p < 0.05.
 *
 * @param reference - the reference sample (finite values, any order)
 * @param current - the current sample (finite values, any order)
 * @param options - `method`, default `'auto'` (exact while both samples have ≤ 10 000 values)
 * @throws ExplainError `undefined_statistic` for an empty sample; `invalid_argument` for a non-finite value
 * @example
 * ksTwoSample(new Float64Array([1, 2, 3, 4]), new Float64Array([3, 4, 5, 6]));
 * // { statistic: 0.5, pValue: 0.7714285714285715, method: 'exact' }
 */
export function ksTwoSample(
  reference: NumericSample,
  current: NumericSample,
  options: { method?: KsMethod } = {},
): KsTwoSampleResult {
  checkFiniteSample('ksTwoSample', 'reference', reference);
  checkFiniteSample('ksTwoSample', 'current', current);
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new ExplainError('invalid_argument', `ksTwoSample: method must be 'auto', 'exact' or 'asymp', got ${String(requested)}`, ['options', 'method']);
  }
  const a = sortedCopy(reference);
  const b = sortedCopy(current);
  const n1 = a.length;
  const n2 = b.length;
  // Walk the merged order; at each distinct value both CDFs have absorbed all its ties.
  let i = 0, j = 0;
  let maxS = -Infinity, minDiff = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  let d = minS > maxS ? minS : maxS;

  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let method: 'exact' | 'asymp';
  if (requested === 'auto') method = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  else if (requested === 'exact' && n1g >= INT32_MAX / n2g) method = 'asymp';
  else method = requested;

  let p = NaN;
  if (method === 'exact') {
    const lcm = n1g * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) p = 1;
    else p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideInside(n1, n2, g, h);
    if (!(p >= 0 && p <= 1)) method = 'asymp';
  }
  if (method === 'asymp') {
    const en = roundHalfEven((n1 * n2) / (n1 + n2));
    if (en < 1) {
      throw new ExplainError('undefined_statistic', `ksTwoSample: the asymptotic p-value needs n1·n2/(n1+n2) ≥ 1, got sizes ${n1} and ${n2}; use method 'exact'`, ['options', 'method']);
    }
    p = kolmogorovSurvival(en, d);
  }
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method };
}
