/**
 * Quality of a model version over the labelled entries of the outcome ring, with
 * explain's metrics (each matches scikit-learn; see `@riskscore/explain` quality/).
 */
import { aucCi, averagePrecision, brierScore, calibrationCurve, ksStatistic, rocAuc, rocSteps } from '@riskscore/explain';
import { RiskscoreError } from '../errors';
import type { OutcomeRing } from './outcome-ring';

/** One model version's quality over its labelled window. */
export interface ModelQuality {
  /** `name@version`. */
  readonly model: string;
  /** Tracked ids of this version still in the ring. */
  readonly tracked: number;
  /** Of those, the ones with a label. */
  readonly labelled: number;
  readonly positives: number;
  /** ROC AUC (ties count one half); null unless both classes are present. */
  readonly rocAuc: number | null;
  /**
   * DeLong's 95 % confidence interval of the AUC (explain's `aucCi`); null unless both
   * classes are present. How sure a champion-vs-challenger comparison is, as labels arrive.
   */
  readonly rocAucCi: { readonly lower: number; readonly upper: number } | null;
  /** Average precision (sklearn's step-wise AP); null unless both classes are present. */
  readonly averagePrecision: number | null;
  /** Two-sample KS between the score distributions of positives and negatives; null unless both classes are present. */
  readonly ks: number | null;
  /** Mean squared error of the probability; null without labels. */
  readonly brier: number | null;
  /** Reliability diagram (uniform bins); null without labels. */
  readonly calibration: { readonly meanPredicted: number[]; readonly fractionPositive: number[]; readonly counts: number[] } | null;
  /** ROC curve points (false and true positive rates from (0, 0) to (1, 1)); null unless both classes are present. */
  readonly roc: { readonly fpr: number[]; readonly tpr: number[] } | null;
}

/**
 * The labelled scores and labels of one model version in the ring (a copy, in ring order).
 *
 * @example
 * const { scores, labels } = labelledOutcomes(ring, 0);
 */
export function labelledOutcomes(ring: OutcomeRing, model: number): { scores: Float64Array; labels: Uint8Array; tracked: number } {
  let n = 0, tracked = 0;
  for (let i = 0; i < ring.capacity; i++) {
    if (ring.ids[i] === undefined || ring.models[i] !== model) continue;
    tracked++;
    if (ring.labels[i] >= 0) n++;
  }
  const scores = new Float64Array(n), labels = new Uint8Array(n);
  let k = 0;
  for (let i = 0; i < ring.capacity; i++) {
    if (ring.ids[i] === undefined || ring.models[i] !== model || ring.labels[i] < 0) continue;
    scores[k] = ring.scores[i];
    labels[k] = ring.labels[i];
    k++;
  }
  return { scores, labels, tracked };
}

/**
 * Quality metrics of one model version from its labelled outcomes.
 *
 * @example
 * modelQualityFromOutcomes('taiwan-credit@1.0.0', labelledOutcomes(ring, 0), 10);
 * // { model: 'taiwan-credit@1.0.0', labelled: 812, positives: 171, rocAuc: 0.78, … }
 */
export function modelQualityFromOutcomes(
  model: string,
  o: { scores: Float64Array; labels: Uint8Array; tracked: number },
  calibrationBins = 10,
): ModelQuality {
  const fn = 'modelQualityFromOutcomes';
  if (typeof model !== 'string') throw new RiskscoreError('invalid_argument', `${fn}: model must be the model version's name (a string), got ${model === null ? 'null' : typeof model}`, { path: ['model'] });
  if (typeof o !== 'object' || o === null) throw new RiskscoreError('invalid_argument', `${fn}: outcomes must be an object { scores: Float64Array, labels: Uint8Array, tracked } (see labelledOutcomes), got ${o === null ? 'null' : typeof o}`, { path: ['outcomes'] });
  if (!(o.scores instanceof Float64Array)) throw new RiskscoreError('invalid_argument', `${fn}: outcomes.scores must be a Float64Array`, { path: ['outcomes', 'scores'] });
  if (!(o.labels instanceof Uint8Array)) throw new RiskscoreError('invalid_argument', `${fn}: outcomes.labels must be a Uint8Array of 0/1`, { path: ['outcomes', 'labels'] });
  if (o.labels.length !== o.scores.length) {
    throw new RiskscoreError('invalid_argument', `${fn}: outcomes.labels has ${o.labels.length} entries, outcomes.scores ${o.scores.length}; they must pair up`, { path: ['outcomes', 'labels'], details: { expected: o.scores.length, actual: o.labels.length } });
  }
  if (typeof o.tracked !== 'number' || !(o.tracked >= 0)) throw new RiskscoreError('invalid_argument', `${fn}: outcomes.tracked must be a count ≥ 0, got ${String(o.tracked)}`, { path: ['outcomes', 'tracked'] });
  if (!Number.isInteger(calibrationBins) || calibrationBins < 1) {
    throw new RiskscoreError('invalid_argument', `${fn}: calibrationBins must be a positive integer, got ${String(calibrationBins)}`, { path: ['calibrationBins'] });
  }
  const n = o.scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const y = o.labels[i];
    if (y > 1) throw new RiskscoreError('invalid_argument', `${fn}: outcomes.labels[${i}] is ${y}; labels are 0 or 1`, { path: ['outcomes', 'labels', i] });
    positives += y;
  }
  const both = positives > 0 && positives < n;
  let roc: ModelQuality['roc'] = null;
  if (both) {
    // The ROC staircase from explain's rocSteps, normalised and anchored at (0, 0).
    const s = rocSteps(o.scores, o.labels);
    const fpr = [0], tpr = [0];
    for (let i = 0; i < s.tps.length; i++) { fpr.push(s.fps[i] / (n - positives)); tpr.push(s.tps[i] / positives); }
    roc = { fpr, tpr };
  }
  const cal = n > 0 ? calibrationCurve(o.scores, o.labels, { bins: calibrationBins, strategy: 'uniform' }) : null;
  return {
    model,
    tracked: o.tracked,
    labelled: n,
    positives,
    rocAuc: both ? rocAuc(o.scores, o.labels) : null,
    rocAucCi: both ? ciOf(o.scores, o.labels) : null,
    averagePrecision: both ? averagePrecision(o.scores, o.labels) : null,
    ks: both ? ksStatistic(o.scores, o.labels) : null,
    brier: n > 0 ? brierScore(o.scores, o.labels) : null,
    calibration: cal && { meanPredicted: Array.from(cal.meanPredicted), fractionPositive: Array.from(cal.fractionPositive), counts: Array.from(cal.counts) },
    roc,
  };
}

function ciOf(scores: Float64Array, labels: Uint8Array): { lower: number; upper: number } {
  const ci = aucCi(scores, labels);
  return { lower: ci.lower, upper: ci.upper };
}
