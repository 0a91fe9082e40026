import { ExplainError } from '../errors';
import { chiSquareSurvival } from './chi-square-distribution';

/** Result of {@link chiSquareTest}. */
export interface ChiSquareResult {
  /** Pearson's statistic Σ (observed − expected)² / expected. */
  readonly statistic: number;
  /** P(χ²(dof) ≥ statistic). */
  readonly pValue: number;
  /** Degrees of freedom: categories − 1 − ddof. */
  readonly dof: number;
}

function checkCounts(fn: string, name: string, v: Float64Array, allowZero: boolean): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x) || x < 0 || (!allowZero && x === 0)) {
      throw new ExplainError('invalid_argument', `${fn}: ${name}[${i}] is ${x}; expected a finite ${allowZero ? 'non-negative' : 'positive'} count`, [name, i]);
    }
    sum += x;
  }
  return sum;
}

/**
 * Pearson's chi-square goodness-of-fit test, matching `scipy.stats.chisquare(f_obs, f_exp, ddof)`.
 *
 * Used for categorical drift: `observed` are the current window's category counts and
 * `expected` the reference shares scaled to the same total. Like scipy, the two totals
 * must agree to a relative 1e−8. Drift rule: p < 0.05.
 *
 * @param observed - observed counts per category (≥ 0)
 * @param expected - expected counts per category (> 0; a zero expected count makes the statistic undefined)
 * @param options - `ddof`, extra degrees of freedom to remove (default 0)
 * @throws ExplainError `undefined_statistic` for fewer than 2 categories or a zero expected count; `invalid_argument` for bad counts or totals that disagree
 * @example
 * chiSquareTest(new Float64Array([16, 18, 16, 14, 12, 12]), new Float64Array([16, 16, 16, 16, 16, 8]));
 * // { statistic: 3.5, pValue: 0.6233876277495822, dof: 5 }
 */
export function chiSquareTest(observed: Float64Array, expected: Float64Array, options: { ddof?: number } = {}): ChiSquareResult {
  const fn = 'chiSquareTest';
  if (observed.length !== expected.length) {
    throw new ExplainError('invalid_argument', `${fn}: observed has ${observed.length} categories but expected has ${expected.length}`, ['expected']);
  }
  const ddof = options.ddof ?? 0;
  const dof = observed.length - 1 - ddof;
  if (!Number.isInteger(ddof) || ddof < 0) {
    throw new ExplainError('invalid_argument', `${fn}: ddof must be a non-negative integer, got ${ddof}`, ['options', 'ddof']);
  }
  if (dof < 1) {
    throw new ExplainError('undefined_statistic', `${fn}: needs at least ${2 + ddof} categories for ddof=${ddof}, got ${observed.length}`, ['observed']);
  }
  const so = checkCounts(fn, 'observed', observed, true);
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === 0) {
      throw new ExplainError('undefined_statistic', `${fn}: expected[${i}] is 0, so (observed − expected)²/expected is undefined; merge empty categories or smooth the reference (referenceProfile drift does)`, ['expected', i]);
    }
  }
  const se = checkCounts(fn, 'expected', expected, false);
  if (Math.abs(so - se) > 1e-8 * Math.max(so, se)) {
    throw new ExplainError('invalid_argument', `${fn}: observed sums to ${so} but expected to ${se}; scale expected to the observed total`, ['expected']);
  }
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const diff = observed[i] - expected[i];
    stat += (diff * diff) / expected[i];
  }
  return { statistic: stat, pValue: chiSquareSurvival(stat, dof), dof };
}
