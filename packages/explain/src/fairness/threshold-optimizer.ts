import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, rocStepsOf, type Scores } from '../quality/binary-inputs';
import { checkGroups, type GroupCodes } from './group-codes';

/** Which parity the group thresholds must reach. */
export type FairnessConstraint = 'demographic_parity' | 'equal_opportunity' | 'equalized_odds';

/** Options of {@link optimizeGroupThresholds}. */
export interface ThresholdOptimizerOptions {
  readonly constraint: FairnessConstraint;
  /** Largest allowed spread across groups of the constrained rate(s) on the fitting data (default 0.02). */
  readonly tolerance?: number;
  /** equalized_odds only: grid anchors per `tolerance` on each axis (default 4). */
  readonly gridSteps?: number;
}

/** Result of {@link optimizeGroupThresholds}. */
export interface GroupThresholds {
  readonly constraint: FairnessConstraint;
  readonly tolerance: number;
  /** Per group code: select rows with score ≥ thresholds[g]; +∞ selects nobody. */
  readonly thresholds: Float64Array;
  /** Accuracy with the group thresholds on the fitting data. */
  readonly accuracy: number;
  /** Accuracy of the best single threshold for everyone, unconstrained, on the same data. */
  readonly baselineAccuracy: number;
  /** baselineAccuracy − accuracy: what the constraint costs (can be slightly negative, since per-group cuts have more freedom than one cut). */
  readonly accuracyLoss: number;
  /** The spread of the constrained rate(s) actually reached (≤ tolerance). */
  readonly achievedDifference: number;
}

interface GroupCurve {
  thr: Float64Array; // candidate thresholds, descending; thr[0] = +∞
  tp: Float64Array;
  fp: Float64Array;
  pos: number;
  neg: number;
  n: number;
}

/**
 * Deterministic group-specific thresholds that satisfy a parity constraint while losing
 * as little accuracy as possible (post-processing in the spirit of Hardt, Price & Srebro
 * 2016, "Equality of opportunity in supervised learning", but with no randomisation:
 * Fairlearn's ThresholdOptimizer mixes two thresholds at random per row; a credit or
 * fraud decision must be reproducible, so every row of a group gets the same cut).
 *
 * Each group's candidates are the cuts "score ≥ s" at its distinct scores plus "nobody".
 * - `demographic_parity` (selection rates) and `equal_opportunity` (TPRs): an exact
 *   search. In an optimal solution the lowest group rate equals some candidate rate a,
 *   and every group's rate lies in [a, a + tolerance]; sweeping a over all candidate
 *   rates with a sliding-window maximum per group finds the most accurate choice in
 *   O(n log n).
 * - `equalized_odds` (TPR and FPR both within tolerance): a grid over box corners
 *   (FPR, TPR) with spacing tolerance / gridSteps; each group takes its most accurate
 *   cut inside the box. The constraint always holds; accuracy is optimal up to the grid.
 * Ties between equally accurate solutions go to the first found, so the result depends
 * only on the data.
 *
 * @throws ExplainError `undefined_statistic` when a group lacks positives or negatives
 *   for a TPR/FPR constraint, or no choice meets the tolerance
 * @example
 * const r = optimizeGroupThresholds(scores, labels, sexCodes, { constraint: 'demographic_parity', tolerance: 0.02 });
 * applyGroupThresholds(newScores, newSex, r.thresholds); // Uint8Array of decisions
 */
export function optimizeGroupThresholds(scores: Scores, labels: BinaryLabels, groups: GroupCodes, options: ThresholdOptimizerOptions): GroupThresholds {
  const fn = 'optimizeGroupThresholds';
  const P = checkBinaryInputs(fn, scores, labels, false);
  const N = scores.length;
  const G = checkGroups(fn, groups, N);
  if (typeof options !== 'object' || options === null) {
    throw new ExplainError('invalid_argument', `${fn}: options must be an object { constraint, tolerance? }, got ${options === null ? 'null' : typeof options}`, ['options']);
  }
  const constraint = options.constraint;
  if (constraint !== 'demographic_parity' && constraint !== 'equal_opportunity' && constraint !== 'equalized_odds') {
    throw new ExplainError('invalid_argument', `${fn}: constraint must be 'demographic_parity', 'equal_opportunity' or 'equalized_odds', got ${String(constraint)}`, ['options', 'constraint']);
  }
  const tol = options.tolerance ?? 0.02;
  if (!(tol >= 0 && tol < 1)) throw new ExplainError('invalid_argument', `${fn}: tolerance must be in [0, 1), got ${tol}`, ['options', 'tolerance']);
  const slack = 1e-12; // rounding in rate ratios must not reject an exact tolerance

  // Per-group ROC staircases.
  const curves: (GroupCurve | null)[] = [];
  for (let g = 0; g < G; g++) {
    let n = 0;
    for (let i = 0; i < N; i++) if (groups[i] === g) n++;
    if (n === 0) { curves.push(null); continue; }
    const s = new Float64Array(n), y = new Uint8Array(n);
    let k = 0, pos = 0;
    for (let i = 0; i < N; i++) if (groups[i] === g) { s[k] = scores[i]; y[k] = labels[i]; pos += labels[i]; k++; }
    const st = rocStepsOf(s, y);
    const m = st.thresholds.length + 1;
    const thr = new Float64Array(m), tp = new Float64Array(m), fp = new Float64Array(m);
    thr[0] = Infinity;
    thr.set(st.thresholds, 1); tp.set(st.tps, 1); fp.set(st.fps, 1);
    if (constraint !== 'demographic_parity' && (pos === 0 || pos === n)) {
      throw new ExplainError('undefined_statistic', `${fn}: group ${g} has only ${pos === 0 ? 'negatives' : 'positives'}, so its ${pos === 0 ? 'TPR' : 'FPR'} is undefined under ${constraint}`, ['groups']);
    }
    curves.push({ thr, tp, fp, pos, neg: n - pos, n });
  }
  const live = curves.map((c, g) => (c ? g : -1)).filter((g) => g >= 0);
  const correct = (c: GroupCurve, k: number): number => c.tp[k] + (c.neg - c.fp[k]);

  const best = { total: -1, choice: new Int32Array(G) };
  if (constraint === 'equalized_odds') {
    const steps = options.gridSteps ?? 4;
    const delta = tol > 0 ? tol / steps : 1 / 1000;
    const choice = new Int32Array(G);
    for (let fa = 0; fa <= 1 + slack; fa += delta) {
      for (let ta = 0; ta <= 1 + slack; ta += delta) {
        let total = 0, ok = true;
        for (const g of live) {
          const c = curves[g]!;
          let bk = -1, bc = -1;
          for (let k = 0; k < c.thr.length; k++) {
            const fpr = c.fp[k] / c.neg, tpr = c.tp[k] / c.pos;
            if (fpr > fa + tol + slack) break; // fpr only grows along the staircase
            if (fpr < fa - slack || tpr < ta - slack || tpr > ta + tol + slack) continue;
            const cc = correct(c, k);
            if (cc > bc) { bc = cc; bk = k; }
          }
          if (bk < 0) { ok = false; break; }
          choice[g] = bk;
          total += bc;
        }
        if (ok && total > best.total) { best.total = total; best.choice.set(choice); }
      }
    }
  } else {
    const rate = (c: GroupCurve, k: number): number => (constraint === 'demographic_parity' ? (c.tp[k] + c.fp[k]) / c.n : c.tp[k] / c.pos);
    // All candidate rates, ascending (each group's rates are already ascending in k).
    const anchors: number[] = [];
    for (const g of live) { const c = curves[g]!; for (let k = 0; k < c.thr.length; k++) anchors.push(rate(c, k)); }
    const sortedAnchors = Float64Array.from(anchors).sort();
    // Sliding window [a, a + tol] per group with a monotone deque of candidate indices.
    const lo = new Int32Array(G), hi = new Int32Array(G);
    const deques = live.map((g) => new Int32Array(curves[g]!.thr.length));
    const dHead = new Int32Array(G), dTail = new Int32Array(G);
    for (let ai = 0; ai < sortedAnchors.length; ai++) {
      const a = sortedAnchors[ai];
      if (ai > 0 && a === sortedAnchors[ai - 1]) continue;
      let total = 0, ok = true;
      for (let li = 0; li < live.length; li++) {
        const g = live[li], c = curves[g]!, dq = deques[li];
        const m = c.thr.length;
        while (hi[g] < m && rate(c, hi[g]) <= a + tol + slack) {
          const cc = correct(c, hi[g]);
          while (dTail[g] > dHead[g] && correct(c, dq[dTail[g] - 1]) < cc) dTail[g]--;
          dq[dTail[g]++] = hi[g]++;
        }
        while (lo[g] < m && rate(c, lo[g]) < a - slack) lo[g]++;
        while (dTail[g] > dHead[g] && dq[dHead[g]] < lo[g]) dHead[g]++;
        if (dTail[g] === dHead[g]) { ok = false; continue; }
        total += correct(c, dq[dHead[g]]);
      }
      if (ok && total > best.total) {
        best.total = total;
        for (let li = 0; li < live.length; li++) best.choice[live[li]] = deques[li][dHead[live[li]]];
      }
    }
  }
  if (best.total < 0) throw new ExplainError('undefined_statistic', `${fn}: no group thresholds reach ${constraint} within ${tol}; raise the tolerance`, ['options', 'tolerance']);

  const thresholds = new Float64Array(G).fill(Infinity);
  let spreadA = 0, spreadB = 0;
  {
    let aLo = Infinity, aHi = -Infinity, bLo = Infinity, bHi = -Infinity;
    for (const g of live) {
      const c = curves[g]!, k = best.choice[g];
      thresholds[g] = c.thr[k];
      const ra = constraint === 'demographic_parity' ? (c.tp[k] + c.fp[k]) / c.n : c.tp[k] / c.pos;
      aLo = Math.min(aLo, ra); aHi = Math.max(aHi, ra);
      if (constraint === 'equalized_odds') { const rb = c.fp[k] / c.neg; bLo = Math.min(bLo, rb); bHi = Math.max(bHi, rb); }
    }
    spreadA = aHi - aLo;
    spreadB = constraint === 'equalized_odds' ? bHi - bLo : 0;
  }
  // Unconstrained baseline: the best single cut for everyone.
  const all = rocStepsOf(scores, labels);
  let baseCorrect = N - P; // nobody selected
  for (let k = 0; k < all.tps.length; k++) baseCorrect = Math.max(baseCorrect, all.tps[k] + (N - P - all.fps[k]));
  const accuracy = best.total / N;
  const baselineAccuracy = baseCorrect / N;
  return { constraint, tolerance: tol, thresholds, accuracy, baselineAccuracy, accuracyLoss: baselineAccuracy - accuracy, achievedDifference: Math.max(spreadA, spreadB) };
}

/**
 * Decisions (1 = selected) from per-group thresholds: score ≥ thresholds[group]. A NaN
 * threshold, or a group code without a threshold, throws `invalid_argument`.
 *
 * @example
 * applyGroupThresholds(new Float64Array([0.4, 0.6]), new Uint8Array([0, 1]), new Float64Array([0.5, 0.5])); // Uint8Array [0, 1]
 */
export function applyGroupThresholds(scores: Scores, groups: GroupCodes, thresholds: Float64Array): Uint8Array {
  const fn = 'applyGroupThresholds';
  if (!ArrayBuffer.isView(scores) && !Array.isArray(scores)) {
    throw new ExplainError('invalid_argument', `${fn}: scores must be a Float64Array or Float32Array, got ${scores === null ? 'null' : typeof scores}`, ['scores']);
  }
  if (!ArrayBuffer.isView(thresholds) && !Array.isArray(thresholds)) {
    throw new ExplainError('invalid_argument', `${fn}: thresholds must be a Float64Array with one threshold per group, got ${thresholds === null ? 'null' : typeof thresholds}`, ['thresholds']);
  }
  // One pass over the G thresholds, not the rows: +Infinity (never select) is allowed, NaN is not.
  for (let g = 0; g < thresholds.length; g++) {
    if (Number.isNaN(thresholds[g])) {
      throw new ExplainError('invalid_argument', `${fn}: thresholds[${g}] is NaN; use a number (Infinity selects nobody in that group)`, ['thresholds', g]);
    }
  }
  checkGroups(fn, groups, scores.length);
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const g = groups[i];
    if (g >= thresholds.length) throw new ExplainError('invalid_argument', `applyGroupThresholds: groups[${i}] = ${g} has no threshold`, ['groups', i]);
    out[i] = scores[i] >= thresholds[g] ? 1 : 0;
  }
  return out;
}
