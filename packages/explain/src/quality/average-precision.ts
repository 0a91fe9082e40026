import { type BinaryLabels, checkBinaryInputs, rocStepsOf, type Scores } from './binary-inputs';
import { ExplainError } from '../errors';

/**
 * Average precision, matching `sklearn.metrics.average_precision_score`:
 * AP = Σ_k (R_k − R_{k−1}) P_k over the distinct score thresholds (ties form one step),
 * the step-wise area under the precision–recall curve, without interpolation.
 *
 * @throws ExplainError `undefined_statistic` when there are no positives (recall is undefined)
 * @example
 * averagePrecision(new Float64Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])); // 0.8333333333333333
 */
export function averagePrecision(scores: Scores, labels: BinaryLabels): number {
  const pos = checkBinaryInputs('averagePrecision', scores, labels, false);
  if (pos === 0) throw new ExplainError('undefined_statistic', 'averagePrecision: there are no positive labels, so recall is undefined', ['labels']);
  const { tps, fps } = rocStepsOf(scores, labels);
  let ap = 0, tpPrev = 0;
  for (let k = 0; k < tps.length; k++) {
    ap += ((tps[k] - tpPrev) / pos) * (tps[k] / (tps[k] + fps[k]));
    tpPrev = tps[k];
  }
  return ap;
}
