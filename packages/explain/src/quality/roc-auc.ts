import { type BinaryLabels, checkBinaryInputs, rocStepsOf, type Scores } from './binary-inputs';

/**
 * Area under the ROC curve, matching `sklearn.metrics.roc_auc_score`: the trapezoidal area
 * under the ROC staircase, which equals the Mann–Whitney probability
 * P(score₊ > score₋) + ½ P(score₊ = score₋), so ties count one half.
 *
 * @throws ExplainError `undefined_statistic` when only one class is present
 * @example
 * rocAuc(new Float64Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])); // 0.75
 */
export function rocAuc(scores: Scores, labels: BinaryLabels): number {
  const pos = checkBinaryInputs('rocAuc', scores, labels, true);
  const neg = scores.length - pos;
  const { tps, fps } = rocStepsOf(scores, labels);
  let area = 0, tpPrev = 0, fpPrev = 0;
  for (let k = 0; k < tps.length; k++) {
    // trapezoid between consecutive staircase corners
    area += (fps[k] - fpPrev) * (tps[k] + tpPrev);
    tpPrev = tps[k];
    fpPrev = fps[k];
  }
  return area / (2 * pos * neg);
}

/**
 * Gini coefficient (accuracy ratio) = 2·AUC − 1, the credit-scoring convention.
 *
 * @example
 * gini(new Float64Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])); // 0.5
 */
export function gini(scores: Scores, labels: BinaryLabels): number {
  return 2 * rocAuc(scores, labels) - 1;
}
