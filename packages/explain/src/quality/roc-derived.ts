import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, rocStepsOf, type Scores } from './binary-inputs';

/**
 * The highest recall (TPR) reachable while the false-positive rate stays ≤ `maxFpr`,
 * over the thresholds "score ≥ t" at the observed scores (no interpolation between ROC
 * corners, so the threshold is usable as is): max{TPR_k : FPR_k ≤ maxFpr} on sklearn's
 * `roc_curve(drop_intermediate=False)`. Threshold +∞ (recall 0) if no corner qualifies.
 *
 * @example
 * recallAtFpr(scores, labels, 0.1); // { recall: 0.43, threshold: 0.61, falsePositiveRate: 0.098 }
 */
export function recallAtFpr(scores: Scores, labels: BinaryLabels, maxFpr: number): { recall: number; threshold: number; falsePositiveRate: number } {
  if (!(maxFpr >= 0 && maxFpr <= 1)) throw new ExplainError('invalid_argument', `recallAtFpr: maxFpr must be in [0, 1], got ${maxFpr}`, ['maxFpr']);
  const pos = checkBinaryInputs('recallAtFpr', scores, labels, true);
  const neg = scores.length - pos;
  const { thresholds, tps, fps } = rocStepsOf(scores, labels);
  let best = { recall: 0, threshold: Infinity, falsePositiveRate: 0 };
  for (let k = 0; k < tps.length; k++) {
    const fpr = fps[k] / neg;
    if (fpr > maxFpr) break; // fps only grows down the staircase
    best = { recall: tps[k] / pos, threshold: thresholds[k], falsePositiveRate: fpr };
  }
  return best;
}

/**
 * Kolmogorov–Smirnov statistic of a score: max_t |TPR(t) − FPR(t)|, the largest gap between
 * the score distributions of positives and negatives (equals scipy's
 * `ks_2samp(s[y==1], s[y==0]).statistic`).
 *
 * @example
 * ksStatistic(new Float64Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])); // 0.5
 */
export function ksStatistic(scores: Scores, labels: BinaryLabels): number {
  const pos = checkBinaryInputs('ksStatistic', scores, labels, true);
  const neg = scores.length - pos;
  const { tps, fps } = rocStepsOf(scores, labels);
  let d = 0;
  for (let k = 0; k < tps.length; k++) d = Math.max(d, Math.abs(tps[k] / pos - fps[k] / neg));
  return d;
}
