import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, type Scores } from './binary-inputs';

/** Result of {@link calibrationCurve}: one entry per non-empty bin, in bin order. */
export interface CalibrationCurve {
  /** Observed share of positives per bin (sklearn's `prob_true`). */
  readonly fractionPositive: Float64Array;
  /** Mean predicted probability per bin (sklearn's `prob_pred`). */
  readonly meanPredicted: Float64Array;
  /** Rows per bin. */
  readonly counts: Float64Array;
}

/**
 * Reliability diagram data, matching `sklearn.calibration.calibration_curve` (1.2):
 * `uniform` bins split [0, 1] into equal widths (edges i·(1/n) as numpy's linspace
 * computes them), `quantile` bins put equal numbers of predictions in each (numpy
 * linear percentiles). A probability goes to the bin with index = number of interior
 * edges strictly below it; empty bins are dropped.
 *
 * @param options - `bins` (default 5, sklearn's default), `strategy` (default 'uniform')
 * @example
 * calibrationCurve(probs, labels, { bins: 10, strategy: 'quantile' });
 */
export function calibrationCurve(
  probabilities: Scores,
  labels: BinaryLabels,
  options: { bins?: number; strategy?: 'uniform' | 'quantile' } = {},
): CalibrationCurve {
  const fn = 'calibrationCurve';
  checkBinaryInputs(fn, probabilities, labels, false);
  const nb = options.bins ?? 5;
  const strategy = options.strategy ?? 'uniform';
  if (!Number.isInteger(nb) || nb < 1) throw new ExplainError('invalid_argument', `${fn}: bins must be an integer ≥ 1, got ${nb}`, ['options', 'bins']);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (p < 0 || p > 1) throw new ExplainError('invalid_argument', `${fn}: probabilities[${i}] is ${p}; expected a probability in [0, 1]`, ['probabilities', i]);
  }
  const step = 1 / nb;
  const interior = new Float64Array(nb - 1);
  if (strategy === 'uniform') {
    for (let i = 1; i < nb; i++) interior[i - 1] = i * step;
  } else if (strategy === 'quantile') {
    const sorted = Float64Array.from(probabilities).sort();
    const n = sorted.length;
    for (let i = 1; i < nb; i++) {
      const q = (i * step * 100) / 100; // np.percentile(…, q·100) divides by 100 again
      const h = q * (n - 1);
      const lo = Math.floor(h);
      const t = h - lo;
      const a = sorted[lo], c = sorted[Math.min(lo + 1, n - 1)];
      const d = c - a;
      interior[i - 1] = t >= 0.5 ? c - d * (1 - t) : a + d * t;
    }
  } else {
    throw new ExplainError('invalid_argument', `${fn}: strategy must be 'uniform' or 'quantile', got ${String(strategy)}`, ['options', 'strategy']);
  }
  const sums = new Float64Array(nb), trues = new Float64Array(nb), totals = new Float64Array(nb);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    let lo = 0, hi = interior.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (interior[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    sums[lo] += p;
    trues[lo] += labels[i];
    totals[lo]++;
  }
  let k = 0;
  for (let b = 0; b < nb; b++) if (totals[b] > 0) k++;
  const fractionPositive = new Float64Array(k), meanPredicted = new Float64Array(k), counts = new Float64Array(k);
  k = 0;
  for (let b = 0; b < nb; b++) {
    if (totals[b] === 0) continue;
    fractionPositive[k] = trues[b] / totals[b];
    meanPredicted[k] = sums[b] / totals[b];
    counts[k] = totals[b];
    k++;
  }
  return { fractionPositive, meanPredicted, counts };
}
