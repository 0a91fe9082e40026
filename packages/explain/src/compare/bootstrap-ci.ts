/**
 * A stratified percentile bootstrap interval for any statistic of scores and labels
 * (average precision, recall at a fixed false positive rate, …): positives and negatives
 * are resampled apart, with replacement, keeping their counts (pROC's `stratified = TRUE`),
 * and the interval is the statistic's (1 − level)/2 and (1 + level)/2 quantiles over the
 * resamples. Seeded (explain's mulberry32, attribution/seeded-random.ts), so the same call gives the same interval.
 *
 * For the AUC, DeLong's interval (`aucCi`) is exact and cheaper; the tests check that the
 * bootstrap interval of the AUC agrees with it, which is how this one is validated.
 */
import { createSeededRandom } from '../attribution/seeded-random';
import { ExplainError } from '../errors';
import type { BinaryLabels } from '../quality/binary-inputs';
import { checkLevel, checkScoredPair, type CompareScores, type LevelOptions } from './compare-inputs';

export interface BootstrapOptions extends LevelOptions {
  /** Resamples (default 200). */
  readonly resamples?: number;
  /** Seed of the resampling (default 1). */
  readonly seed?: number;
}

/** A statistic with its stratified percentile bootstrap interval at `level`, as bootstrapCi returns it. */
export interface BootstrapCi {
  /** The statistic on the data as given. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  /** Resamples whose statistic was finite (the others, e.g. a recall with no threshold, are left out). */
  readonly resamples: number;
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantileOf(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/**
 * @example
 * bootstrapCi(averagePrecision, scores, labels, { resamples: 500 }); // { estimate, lower, upper, level: 0.95, resamples: 500 }
 */
export function bootstrapCi(
  statistic: (scores: Float64Array, labels: Uint8Array) => number,
  scores: CompareScores, labels: BinaryLabels, options: BootstrapOptions = {},
): BootstrapCi {
  if (typeof statistic !== 'function') throw new ExplainError('invalid_argument', 'bootstrapCi: statistic must be a function (scores, labels) => number', ['statistic']);
  checkScoredPair('bootstrapCi', 'scores', scores, 'labels', labels);
  const level = checkLevel('bootstrapCi', options);
  const resamples = options.resamples ?? 200;
  if (!Number.isInteger(resamples) || resamples < 10 || resamples > 100_000) {
    throw new ExplainError('invalid_argument', `bootstrapCi: options.resamples must be an integer in [10, 100000], got ${String(resamples)}`, ['options', 'resamples']);
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new ExplainError('invalid_argument', `bootstrapCi: options.seed must be an integer, got ${String(seed)}`, ['options', 'seed']);
  const n = scores.length;
  const s = Float64Array.from(scores as ArrayLike<number>);
  const y = Uint8Array.from(labels as ArrayLike<number>);
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < n; i++) (y[i] === 1 ? pos : neg).push(i);
  const estimate = statistic(s, y);
  const rng = createSeededRandom(seed);
  const rnd = rng.next;
  const rs = new Float64Array(n), ry = new Uint8Array(n);
  const stats = new Float64Array(resamples);
  let kept = 0;
  for (let b = 0; b < resamples; b++) {
    let k = 0;
    for (let i = 0; i < pos.length; i++) { rs[k] = s[pos[(rnd() * pos.length) | 0]]; ry[k++] = 1; }
    for (let i = 0; i < neg.length; i++) { rs[k] = s[neg[(rnd() * neg.length) | 0]]; ry[k++] = 0; }
    const v = statistic(rs, ry);
    if (Number.isFinite(v)) stats[kept++] = v;
  }
  if (kept === 0) throw new ExplainError('undefined_statistic', 'bootstrapCi: the statistic was not finite on any resample', ['statistic']);
  const sorted = stats.subarray(0, kept).sort();
  return { estimate, lower: quantileOf(sorted, (1 - level) / 2), upper: quantileOf(sorted, (1 + level) / 2), level, resamples: kept };
}
