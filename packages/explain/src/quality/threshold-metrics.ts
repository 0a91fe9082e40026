import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, type Scores } from './binary-inputs';

/** Confusion counts and the rates derived from them at one threshold. */
export interface ThresholdMetrics {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  /** tp / (tp + fp); null when nothing is predicted positive. */
  readonly precision: number | null;
  /** tp / (tp + fn); null when there are no positives. */
  readonly recall: number | null;
  /** 2tp / (2tp + fp + fn), the harmonic mean of precision and recall (0 when tp = 0); null only when nothing is predicted positive or labelled positive. */
  readonly f1: number | null;
  /** fp / (fp + tn); null when there are no negatives. */
  readonly falsePositiveRate: number | null;
}

/**
 * Precision, recall, F1 and FPR when rows with score ≥ threshold are called positive
 * (sklearn's precision_score / recall_score / f1_score on `scores >= threshold`).
 * Undefined ratios are `null`, never NaN; sklearn would warn and report 0.
 *
 * @example
 * thresholdMetrics(new Float64Array([0.2, 0.7, 0.9]), new Uint8Array([0, 0, 1]), 0.5);
 * // { tp: 1, fp: 1, tn: 1, fn: 0, precision: 0.5, recall: 1, f1: 0.6666666666666666, falsePositiveRate: 0.5, threshold: 0.5 }
 */
export function thresholdMetrics(scores: Scores, labels: BinaryLabels, threshold: number): ThresholdMetrics {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new ExplainError('invalid_argument', `thresholdMetrics: threshold must be a number, got ${threshold}`, ['threshold']);
  }
  checkBinaryInputs('thresholdMetrics', scores, labels, false);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i] === 1) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : null;
  const recall = tp + fn > 0 ? tp / (tp + fn) : null;
  // 2tp / (2tp + fp + fn) is defined (0) whenever anything was predicted or is positive, tp = 0 included (sklearn's f1_score gives 0 there too).
  const f1 = 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null;
  const falsePositiveRate = fp + tn > 0 ? fp / (fp + tn) : null;
  return { threshold, tp, fp, tn, fn, precision, recall, f1, falsePositiveRate };
}
