import { ExplainError } from '../errors';
import { checkLevel, type LevelOptions } from './compare-inputs';
import { normalQuantile, normalSurvival } from './normal-distribution';

/** Result of {@link twoProportionTest}. */
export interface TwoProportionResult {
  /** x1 / n1. */
  readonly p1: number;
  /** x2 / n2. */
  readonly p2: number;
  /** p1 − p2. */
  readonly difference: number;
  /** (p1 − p2) / √(p̄(1 − p̄)(1/n1 + 1/n2)), p̄ = (x1 + x2)/(n1 + n2) the pooled proportion. */
  readonly z: number;
  /** Two-sided p-value, 2·P(Z > |z|). */
  readonly pValue: number;
  /** Wald lower limit of p1 − p2: difference − z_{(1+level)/2}·√(p1(1−p1)/n1 + p2(1−p2)/n2) (not clipped). */
  readonly lower: number;
  /** Wald upper limit of p1 − p2. */
  readonly upper: number;
  /** The confidence level used. */
  readonly level: number;
}

function checkCount(fn: string, xName: string, x: number, nName: string, n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ExplainError('invalid_argument', `${fn}: ${nName} must be a non-negative integer (the number of trials), got ${String(n)}`, [nName], { details: { actual: n } });
  }
  if (n === 0) {
    throw new ExplainError('undefined_statistic', `${fn}: ${nName} is 0; a proportion needs at least one trial`, [nName], { details: { actual: n } });
  }
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > n) {
    throw new ExplainError('invalid_argument', `${fn}: ${xName} must be an integer count between 0 and ${nName} = ${n}, got ${String(x)}`, [xName], {
      details: { actual: x, max: n },
    });
  }
}

/**
 * Two-sample z-test of equal proportions, matching statsmodels
 * `proportions_ztest([x1, x2], [n1, n2])` (pooled variance, two-sided), with the Wald
 * interval of p1 − p2 of `confint_proportions_2indep(x1, n1, x2, n2, method='wald',
 * compare='diff')` (unpooled variance, not clipped). Use it for rates such as the share of
 * frauds caught at a fixed alert budget, or the approval rate of two policies.
 *
 * @param x1 - successes in sample 1 (integer, 0 ≤ x1 ≤ n1)
 * @param n1 - trials in sample 1 (integer ≥ 1)
 * @param x2 - successes in sample 2
 * @param n2 - trials in sample 2
 * @param options - `level` of the interval (default 0.95)
 * @throws ExplainError `invalid_argument` (a count not an integer, x outside [0, n], bad
 *   level); `undefined_statistic` (n = 0, or a pooled proportion of 0 or 1, where the
 *   pooled variance is 0 and z is 0/0)
 * @example
 * twoProportionTest(45, 500, 30, 500);
 * // { p1: 0.09, p2: 0.06, difference: 0.03, z: 1.8009, pValue: 0.0717, lower: -0.0026, upper: 0.0626, level: 0.95 }
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number, options: LevelOptions = {}): TwoProportionResult {
  const fn = 'twoProportionTest';
  const level = checkLevel(fn, options);
  checkCount(fn, 'x1', x1, 'n1', n1);
  checkCount(fn, 'x2', x2, 'n2', n2);
  const p1 = x1 / n1, p2 = x2 / n2;
  const difference = p1 - p2;
  const pooled = (x1 + x2) / (n1 + n2);
  if (pooled === 0 || pooled === 1) {
    throw new ExplainError(
      'undefined_statistic',
      `${fn}: both samples are all ${pooled === 0 ? 'failures' : 'successes'} (pooled proportion ${pooled}); the pooled variance is 0 and z is 0/0`,
      ['x2'],
      { details: { x1, n1, x2, n2 } },
    );
  }
  const z = difference / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const crit = normalQuantile(1 - (1 - level) / 2);
  const half = crit * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return { p1, p2, difference, z, pValue: 2 * normalSurvival(Math.abs(z)), lower: difference - half, upper: difference + half, level };
}

/** Result of {@link wilsonInterval}. */
export interface ProportionInterval {
  /** x / n. */
  readonly proportion: number;
  /** Lower Wilson limit. */
  readonly lower: number;
  /** Upper Wilson limit. */
  readonly upper: number;
  /** The confidence level used. */
  readonly level: number;
}

/**
 * Wilson score interval of a proportion, matching statsmodels
 * `proportion_confint(x, n, alpha = 1 − level, method='wilson')`: centre
 * (p̂ + z²/2n)/(1 + z²/n), half-width z·√(p̂(1−p̂)/n + z²/4n²)/(1 + z²/n). Unlike the
 * Wald interval it stays inside [0, 1] and is not degenerate at x = 0 or x = n, so it is
 * the one to report for a rare-event rate (fraud, default) on a small segment.
 *
 * @throws ExplainError `invalid_argument` (x outside [0, n], non-integer counts, bad
 *   level); `undefined_statistic` (n = 0)
 * @example
 * wilsonInterval(0, 50); // { proportion: 0, lower: 0, upper: 0.07134759913335868, level: 0.95 }
 */
export function wilsonInterval(x: number, n: number, options: LevelOptions = {}): ProportionInterval {
  const fn = 'wilsonInterval';
  const level = checkLevel(fn, options);
  checkCount(fn, 'x', x, 'n', n);
  const q = x / n;
  // the operation order of statsmodels, so x = 0 and x = n give the same doubles
  const crit = normalQuantile(1 - (1 - level) / 2);
  const crit2 = crit ** 2;
  const denom = 1 + crit2 / n;
  const center = (q + crit2 / (2 * n)) / denom;
  let dist = crit * Math.sqrt((q * (1 - q)) / n + crit2 / (4 * n ** 2));
  dist /= denom;
  return { proportion: q, lower: center - dist, upper: center + dist, level };
}
