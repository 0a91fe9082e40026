import { ExplainError } from '../errors';
import type { BinaryLabels } from '../quality/binary-inputs';
import { checkLevel, checkScoredPair, type CompareScores, type LevelOptions } from './compare-inputs';
import { normalQuantile, normalSurvival } from './normal-distribution';
import { studentTQuantile, studentTTwoSided } from './student-t';

/**
 * DeLong placements of one score: for each positive i, the share of negatives it outranks,
 * X_i = (#neg < s_i + ½ #neg = s_i) / n; for each negative j, the share of positives that
 * outrank it, Y_j = (#pos > s_j + ½ #pos = s_j) / m. Both lists are in row order and
 * average to the AUC θ (ties count one half, as in the Mann–Whitney statistic).
 */
export interface DelongPlacements {
  /** Placements of the positives (cases), in row order; length m. */
  readonly x: Float64Array;
  /** Placements of the negatives (controls), in row order; length n. */
  readonly y: Float64Array;
  /** The AUC, mean of `x`. */
  readonly theta: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Row indices in ascending score order: an LSD radix sort (four 16-bit passes, passes
 * whose digit is constant skipped) of the doubles mapped to order-preserving unsigned
 * keys, O(N); small inputs use a comparator sort. `values` must be finite with −0 already
 * made +0.
 */
function ascendingOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  if (n < 2048) return src.sort((a, b) => values[a] - values[b]);
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const lo = new Uint32Array(n), hi = new Uint32Array(n);
  const loAt = LITTLE_ENDIAN ? 0 : 1, hiAt = 1 - loAt;
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + hiAt], l = words[2 * i + loAt];
    // negative doubles: flip every bit; positive: flip the sign bit
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  let dst = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i] >>> shift) & 0xffff]++;
    if (count[(key[0] >>> shift) & 0xffff] === n) continue; // every row has this digit
    for (let d = 0, sum = 0; d < 65536; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = src[i];
      dst[count[(key[r] >>> shift) & 0xffff]++] = r;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * The DeLong placements in O(N) after one O(N) radix sort of the scores (the
 * structure-components of DeLong, DeLong & Clarke-Pearson 1988, computed from the sorted
 * order as in Sun & Xu 2014 instead of the O(m·n) double loop): one pass over runs of
 * equal scores counts the negatives below each positive and the positives above each
 * negative, ties counting one half. Inputs must already be checked (finite scores, 0/1
 * labels, `positives` of them 1).
 *
 * @example
 * delongPlacementsOf(new Float64Array([0.1, 0.5, 0.5, 0.9]), new Uint8Array([0, 0, 1, 1]), 2);
 * // { x: [0.75, 1], y: [1, 0.25], theta: 0.875 }
 */
export function delongPlacementsOf(scores: CompareScores, labels: BinaryLabels, positives: number): DelongPlacements {
  const total = scores.length;
  const m = positives, n = total - positives;
  const values = new Float64Array(total);
  // position of each row within its class, in row order
  const within = new Uint32Array(total);
  for (let r = 0, i = 0, j = 0; r < total; r++) {
    values[r] = scores[r] + 0; // −0 → +0
    within[r] = labels[r] === 1 ? i++ : j++;
  }
  const order = ascendingOrder(values);
  const x = new Float64Array(m), y = new Float64Array(n);
  let controlsBelow = 0, casesBelow = 0;
  for (let start = 0; start < total;) {
    const v = values[order[start]];
    let end = start, tiedCases = 0;
    while (end < total && values[order[end]] === v) {
      if (labels[order[end]] === 1) tiedCases++;
      end++;
    }
    const tiedControls = end - start - tiedCases;
    const caseValue = (controlsBelow + 0.5 * tiedControls) / n;
    const controlValue = (m - casesBelow - tiedCases + 0.5 * tiedCases) / m;
    for (let k = start; k < end; k++) {
      const r = order[k];
      if (labels[r] === 1) x[within[r]] = caseValue;
      else y[within[r]] = controlValue;
    }
    controlsBelow += tiedControls;
    casesBelow += tiedCases;
    start = end;
  }
  let sum = 0;
  for (let i = 0; i < m; i++) sum += x[i];
  return { x, y, theta: sum / m };
}

/** Σ (v − θ)² / (len − 1). */
function spread(v: Float64Array, theta: number): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v[i] - theta;
    s += d * d;
  }
  return s / (v.length - 1);
}

/** DeLong variance of one AUC: S_X/m + S_Y/n. */
function delongVariance(p: DelongPlacements): number {
  return spread(p.x, p.theta) / p.x.length + spread(p.y, p.theta) / p.y.length;
}

/** The AUC with its DeLong variance and confidence interval ({@link aucCi}). */
export interface AucCi {
  /** Area under the ROC curve (ties count one half). */
  readonly auc: number;
  /** DeLong variance of the AUC, S_X/m + S_Y/n. */
  readonly variance: number;
  /** Standard error, √variance. */
  readonly se: number;
  /** Lower confidence limit, clipped to [0, 1] as pROC does. */
  readonly lower: number;
  /** Upper confidence limit, clipped to [0, 1] as pROC does. */
  readonly upper: number;
  /** The confidence level used. */
  readonly level: number;
}

/**
 * The AUC and its DeLong confidence interval, matching R pROC
 * `ci.auc(roc(labels, scores, levels = c(0, 1), direction = "<"), method = "delong")` and
 * `var(roc)`: with placements X (positives) and Y (negatives),
 * variance = Σ(X−θ)²/((m−1)m) + Σ(Y−θ)²/((n−1)n), limits θ ± z_{(1+level)/2}·√variance,
 * clipped to [0, 1]. Higher score = more likely positive. O(N): one radix sort and linear passes.
 *
 * @param scores - one finite score per row (typed array or plain array)
 * @param labels - 0/1 per row, 1 = positive
 * @param options - `level` (default 0.95)
 * @throws ExplainError `invalid_argument` (non-array, mismatched lengths, non-finite score,
 *   label not 0/1, level outside (0, 1)); `undefined_statistic` (fewer than 2 rows of a class)
 * @example
 * aucCi(new Float64Array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2]), new Uint8Array([0, 0, 1, 1, 1, 0]));
 * // { auc: 0.8888888888888888, variance: 0.024691358024691367, se: 0.15713484026367724, lower: 0.5809102612556272, upper: 1, level: 0.95 }
 */
export function aucCi(scores: CompareScores, labels: BinaryLabels, options: LevelOptions = {}): AucCi {
  const level = checkLevel('aucCi', options);
  const pos = checkScoredPair('aucCi', 'scores', scores, 'labels', labels);
  const p = delongPlacementsOf(scores, labels, pos);
  const variance = delongVariance(p);
  const se = Math.sqrt(variance);
  const crit = normalQuantile(1 - (1 - level) / 2);
  const clip = (v: number): number => (v > 1 ? 1 : v < 0 ? 0 : v);
  return { auc: p.theta, variance, se, lower: clip(p.theta - crit * se), upper: clip(p.theta + crit * se), level };
}

/** Result of {@link delongTestPaired}. */
export interface DelongPairedResult {
  /** AUC of score A. */
  readonly aucA: number;
  /** AUC of score B. */
  readonly aucB: number;
  /** aucA − aucB. */
  readonly difference: number;
  /** DeLong variance of the difference, with the covariance of the two AUCs on the same rows. */
  readonly variance: number;
  /** Standard error of the difference. */
  readonly se: number;
  /** difference / se (0 when both are 0, ±∞ when only se is 0). */
  readonly z: number;
  /** Two-sided p-value, 2·P(Z > |z|). */
  readonly pValue: number;
  /** Lower limit of the difference's confidence interval, difference − z_{(1+level)/2}·se (not clipped). */
  readonly lower: number;
  /** Upper limit of the difference's confidence interval. */
  readonly upper: number;
  /** The confidence level used. */
  readonly level: number;
}

/**
 * DeLong's test for two correlated ROC curves: two scores of the same rows (champion and
 * challenger on the same events), matching R pROC
 * `roc.test(rocA, rocB, method = "delong", paired = TRUE)` — its `statistic` (z),
 * `p.value` (two-sided, normal) and `conf.int` (difference ± z·se). The variance of
 * aucA − aucB is L·S·Lᵀ with S the 2×2 DeLong covariance of the placements and L = (1, −1),
 * computed here as the variance of the placement differences, which is the same quantity
 * without the cancellation of S₁₁ + S₂₂ − 2S₁₂.
 *
 * @param scoresA - first score, one per row
 * @param scoresB - second score of the same rows
 * @param labels - 0/1 per row, shared by both scores
 * @param options - `level` (default 0.95)
 * @throws ExplainError `invalid_argument` (as {@link aucCi}, and scoresB's length differing
 *   from scoresA's); `undefined_statistic` (fewer than 2 rows of a class)
 * @example
 * const y = new Uint8Array([0, 0, 1, 1, 1, 0]);
 * delongTestPaired(new Float64Array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2]), new Float64Array([0.3, 0.2, 0.1, 0.9, 0.4, 0.5]), y);
 * // { aucA: 0.8889, aucB: 0.5556, difference: 0.3333, variance: 0.0741, z: 1.2247, pValue: 0.2207, lower: -0.2001, upper: 0.8668, … }
 */
export function delongTestPaired(scoresA: CompareScores, scoresB: CompareScores, labels: BinaryLabels, options: LevelOptions = {}): DelongPairedResult {
  const fn = 'delongTestPaired';
  const level = checkLevel(fn, options);
  const pos = checkScoredPair(fn, 'scoresA', scoresA, 'labels', labels);
  if (scoresB == null || typeof scoresB.length !== 'number' || scoresB.length !== scoresA.length) {
    throw new ExplainError('invalid_argument', `${fn}: scoresB must score the same rows as scoresA (${scoresA.length} rows), got ${scoresB == null ? String(scoresB) : `${scoresB.length} rows`}`, ['scoresB'], {
      details: { expected: scoresA.length, actual: scoresB?.length },
    });
  }
  checkScoredPair(fn, 'scoresB', scoresB, 'labels', labels);
  const a = delongPlacementsOf(scoresA, labels, pos);
  const b = delongPlacementsOf(scoresB, labels, pos);
  const m = a.x.length, n = a.y.length;
  const dTheta = a.theta - b.theta;
  let sx = 0, sy = 0;
  for (let i = 0; i < m; i++) {
    const d = a.x[i] - a.theta - (b.x[i] - b.theta);
    sx += d * d;
  }
  for (let j = 0; j < n; j++) {
    const d = a.y[j] - a.theta - (b.y[j] - b.theta);
    sy += d * d;
  }
  const variance = sx / (m - 1) / m + sy / (n - 1) / n;
  const se = Math.sqrt(variance);
  const z = dTheta === 0 && se === 0 ? 0 : dTheta / se;
  const crit = normalQuantile(1 - (1 - level) / 2);
  return {
    aucA: a.theta,
    aucB: b.theta,
    difference: dTheta,
    variance,
    se,
    z,
    pValue: Math.min(1, 2 * normalSurvival(Math.abs(z))),
    lower: dTheta - crit * se,
    upper: dTheta + crit * se,
    level,
  };
}

/** Result of {@link delongTestUnpaired}. */
export interface DelongUnpairedResult {
  /** AUC of score A on its rows. */
  readonly aucA: number;
  /** AUC of score B on its rows. */
  readonly aucB: number;
  /** aucA − aucB. */
  readonly difference: number;
  /** Variance of the difference: the sum of the two DeLong variances (independent samples). */
  readonly variance: number;
  /** Standard error of the difference. */
  readonly se: number;
  /** difference / se, referred to Student's t with `df` degrees of freedom (pROC's D). */
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom (V_A + V_B)² / (V_A²/(N_A−1) + V_B²/(N_B−1)). */
  readonly df: number;
  /** Two-sided p-value, 2·P(T_df > |t|). */
  readonly pValue: number;
  /** difference − t_{df,(1+level)/2}·se (pROC 1.18 reports no interval here; this one inverts the same t test). */
  readonly lower: number;
  /** difference + t_{df,(1+level)/2}·se. */
  readonly upper: number;
  /** The confidence level used. */
  readonly level: number;
}

/**
 * DeLong's test for two ROC curves on independent samples (two segments, two periods, two
 * portfolios), matching R pROC `roc.test(rocA, rocB, method = "delong", paired = FALSE)`:
 * D = (θA − θB)/√(V_A + V_B) against Student's t with the Welch–Satterthwaite degrees of
 * freedom pROC uses, N being each sample's row count.
 *
 * @throws ExplainError `invalid_argument` (as {@link aucCi}, per sample, with paths
 *   `scoresA`, `labelsA`, `scoresB`, `labelsB`); `undefined_statistic` (fewer than 2 rows
 *   of a class in a sample, or both AUC variances 0, where D and its degrees of freedom are 0/0)
 * @example
 * delongTestUnpaired(
 *   new Float64Array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2]), new Uint8Array([0, 0, 1, 1, 1, 0]),
 *   new Float64Array([0.3, 0.2, 0.1, 0.9, 0.4]), new Uint8Array([0, 1, 0, 1, 1]));
 * // { aucA: 0.8889, aucB: 0.8333, difference: 0.0556, t: 0.1961, df: 7.2068, pValue: 0.8499, … }
 */
export function delongTestUnpaired(
  scoresA: CompareScores,
  labelsA: BinaryLabels,
  scoresB: CompareScores,
  labelsB: BinaryLabels,
  options: LevelOptions = {},
): DelongUnpairedResult {
  const fn = 'delongTestUnpaired';
  const level = checkLevel(fn, options);
  const posA = checkScoredPair(fn, 'scoresA', scoresA, 'labelsA', labelsA);
  const posB = checkScoredPair(fn, 'scoresB', scoresB, 'labelsB', labelsB);
  const a = delongPlacementsOf(scoresA, labelsA, posA);
  const b = delongPlacementsOf(scoresB, labelsB, posB);
  const va = delongVariance(a), vb = delongVariance(b);
  const variance = va + vb;
  if (!(variance > 0)) {
    throw new ExplainError('undefined_statistic', `${fn}: both AUCs have DeLong variance 0 (each sample perfectly or degenerately separated); the t statistic and its degrees of freedom are 0/0. Compare the AUCs directly`, ['scoresB'], {
      details: { aucA: a.theta, aucB: b.theta },
    });
  }
  const se = Math.sqrt(variance);
  const difference = a.theta - b.theta;
  const t = difference / se;
  const df = (variance * variance) / ((va * va) / (scoresA.length - 1) + (vb * vb) / (scoresB.length - 1));
  const crit = studentTQuantile(1 - (1 - level) / 2, df);
  return {
    aucA: a.theta,
    aucB: b.theta,
    difference,
    variance,
    se,
    t,
    df,
    pValue: studentTTwoSided(t, df),
    lower: difference - crit * se,
    upper: difference + crit * se,
    level,
  };
}
