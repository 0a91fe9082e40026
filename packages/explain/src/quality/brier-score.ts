import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, type Scores } from './binary-inputs';

/**
 * Brier score, mean squared error of predicted probabilities: (1/n) Σ (p_i − y_i)²,
 * matching `sklearn.metrics.brier_score_loss`.
 *
 * @throws ExplainError `invalid_argument` for a probability outside [0, 1]
 * @example
 * brierScore(new Float64Array([0.1, 0.9, 0.8, 0.3]), new Uint8Array([0, 1, 1, 0])); // 0.0375
 */
export function brierScore(probabilities: Scores, labels: BinaryLabels): number {
  checkBinaryInputs('brierScore', probabilities, labels, false);
  let s = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (p < 0 || p > 1) throw new ExplainError('invalid_argument', `brierScore: probabilities[${i}] is ${p}; expected a probability in [0, 1]`, ['probabilities', i]);
    s += (p - labels[i]) ** 2;
  }
  return s / probabilities.length;
}
