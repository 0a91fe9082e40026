import { ExplainError } from '../errors';

/** Scores (higher = more likely positive), one per row. */
export type Scores = Float64Array | Float32Array;
/** Binary outcomes, one per row: 1 = positive (default, fraud), 0 = negative. */
export type BinaryLabels = Uint8Array | Int32Array | Float64Array | Float32Array;

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** A typed array of numbers or a plain array (what the quality functions index into). */
function isNumberArray(v: unknown): v is ArrayLike<number> {
  return (ArrayBuffer.isView(v) && !(v instanceof DataView)) || Array.isArray(v);
}

/**
 * Checks scores and labels row by row and returns the number of positives.
 *
 * @throws ExplainError `invalid_argument` (length mismatch, non-finite score, label not 0/1) with the offending path;
 *   `undefined_statistic` when `needBothClasses` and one class is absent
 * @example
 * checkBinaryInputs('rocAuc', new Float64Array([0.2, 0.8]), new Uint8Array([0, 1]), true); // 1
 */
export function checkBinaryInputs(fn: string, scores: Scores, labels: BinaryLabels, needBothClasses: boolean): number {
  if (!isNumberArray(scores)) {
    throw new ExplainError('invalid_argument', `${fn}: scores must be a Float64Array or Float32Array of scores, got ${kindOf(scores)}`, ['scores']);
  }
  if (!isNumberArray(labels)) {
    throw new ExplainError('invalid_argument', `${fn}: labels must be a typed array of 0/1 labels (e.g. Uint8Array), got ${kindOf(labels)}`, ['labels']);
  }
  if (scores.length !== labels.length) {
    throw new ExplainError('invalid_argument', `${fn}: scores has ${scores.length} rows but labels has ${labels.length}`, ['labels']);
  }
  if (scores.length === 0) throw new ExplainError('undefined_statistic', `${fn}: no rows`, ['scores']);
  let pos = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new ExplainError('invalid_argument', `${fn}: scores[${i}] is ${scores[i]}; expected a finite number`, ['scores', i]);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new ExplainError('invalid_argument', `${fn}: labels[${i}] is ${y}; expected 0 or 1`, ['labels', i]);
    pos += y;
  }
  if (needBothClasses && (pos === 0 || pos === scores.length)) {
    throw new ExplainError('undefined_statistic', `${fn}: labels hold only ${pos === 0 ? 'negatives' : 'positives'}; the statistic needs both classes`, ['labels']);
  }
  return pos;
}

/** Row indices ordered by descending score (ties keep row order). @example descendingOrder(new Float64Array([1, 3, 2])); // [1, 2, 0] */
export function descendingOrder(scores: Scores): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx;
}

/**
 * The ROC staircase at each distinct score, from the highest down: cumulative true and
 * false positives when every row with score ≥ that value is called positive (sklearn's
 * `_binary_clf_curve`). Tied scores form one step, so ties are neither optimistic nor
 * pessimistic. Scores and labels are checked as by the metrics (`invalid_argument` for a
 * non-array, mismatched lengths, a non-finite score or a label other than 0/1;
 * `undefined_statistic` for no rows).
 *
 * @example
 * rocSteps(new Float64Array([0.9, 0.5, 0.5]), new Uint8Array([1, 0, 1]));
 * // { thresholds: [0.9, 0.5], tps: [1, 2], fps: [0, 1] }
 */
export function rocSteps(scores: Scores, labels: BinaryLabels): { thresholds: Float64Array; tps: Float64Array; fps: Float64Array } {
  checkBinaryInputs('rocSteps', scores, labels, false);
  return rocStepsOf(scores, labels);
}

/** {@link rocSteps} without the checks, for callers that ran {@link checkBinaryInputs} already. */
export function rocStepsOf(scores: Scores, labels: BinaryLabels): { thresholds: Float64Array; tps: Float64Array; fps: Float64Array } {
  const order = descendingOrder(scores);
  const n = order.length;
  const thresholds = new Float64Array(n), tps = new Float64Array(n), fps = new Float64Array(n);
  let k = 0, tp = 0, fp = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i];
    if (labels[r] === 1) tp++;
    else fp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[r]) {
      thresholds[k] = scores[r];
      tps[k] = tp;
      fps[k] = fp;
      k++;
    }
  }
  return { thresholds: thresholds.slice(0, k), tps: tps.slice(0, k), fps: fps.slice(0, k) };
}
