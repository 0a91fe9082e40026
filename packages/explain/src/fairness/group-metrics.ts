import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, type Scores } from '../quality/binary-inputs';
import { rocAuc } from '../quality/roc-auc';
import { checkGroups, type GroupCodes } from './group-codes';

/** Rates of one group when rows with score ≥ threshold are "selected" (predicted positive). */
export interface GroupMetrics {
  readonly group: number;
  readonly n: number;
  /** P(ŷ = 1 | group). */
  readonly selectionRate: number;
  /** P(ŷ = 1 | y = 1, group); null without positives. */
  readonly truePositiveRate: number | null;
  /** P(ŷ = 1 | y = 0, group); null without negatives. */
  readonly falsePositiveRate: number | null;
  /** P(y = 1 | ŷ = 1, group); null when nobody is selected. */
  readonly precision: number | null;
  /** ROC AUC of the score within the group; null with one class only. */
  readonly auc: number | null;
}

/**
 * Per-group selection rate, TPR, FPR, precision and AUC (Fairlearn's MetricFrame by
 * group). Groups with no rows are skipped. "Selected" means predicted positive, e.g.
 * flagged as likely to default; read the parity metrics with that in mind.
 *
 * @example
 * groupMetrics(scores, labels, sexCodes, 0.3); // [{ group: 0, n: 4012, selectionRate: 0.14, … }, …]
 */
export function groupMetrics(scores: Scores, labels: BinaryLabels, groups: GroupCodes, threshold: number): GroupMetrics[] {
  const fn = 'groupMetrics';
  checkBinaryInputs(fn, scores, labels, false);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new ExplainError('invalid_argument', `${fn}: threshold must be a number`, ['threshold']);
  const G = checkGroups(fn, groups, scores.length);
  const n = new Float64Array(G), sel = new Float64Array(G), pos = new Float64Array(G), tp = new Float64Array(G), fp = new Float64Array(G);
  for (let i = 0; i < scores.length; i++) {
    const g = groups[i];
    const s = scores[i] >= threshold ? 1 : 0;
    n[g]++;
    sel[g] += s;
    pos[g] += labels[i];
    if (labels[i] === 1) tp[g] += s;
    else fp[g] += s;
  }
  const out: GroupMetrics[] = [];
  for (let g = 0; g < G; g++) {
    if (n[g] === 0) continue;
    const neg = n[g] - pos[g];
    let auc: number | null = null;
    if (pos[g] > 0 && neg > 0) {
      const sg = new Float64Array(n[g]), yg = new Uint8Array(n[g]);
      let k = 0;
      for (let i = 0; i < scores.length; i++) if (groups[i] === g) { sg[k] = scores[i]; yg[k++] = labels[i]; }
      auc = rocAuc(sg, yg);
    }
    out.push({
      group: g,
      n: n[g],
      selectionRate: sel[g] / n[g],
      truePositiveRate: pos[g] > 0 ? tp[g] / pos[g] : null,
      falsePositiveRate: neg > 0 ? fp[g] / neg : null,
      precision: sel[g] > 0 ? tp[g] / sel[g] : null,
      auc,
    });
  }
  return out;
}

/** Disparities across groups (Fairlearn's definitions). */
export interface FairnessSummary {
  /** max − min selection rate. */
  readonly demographicParityDifference: number;
  /** min / max selection rate. */
  readonly demographicParityRatio: number;
  /** The group the disparate-impact ratios are taken against. */
  readonly referenceGroup: number;
  /** Per group (same order as the input): selection rate / reference group's selection rate. */
  readonly disparateImpact: readonly { group: number; ratio: number }[];
  /** True when every ratio is ≥ 0.8 (the EEOC four-fifths rule). */
  readonly passesFourFifthsRule: boolean;
  /** max − min TPR. */
  readonly equalOpportunityDifference: number;
  /** max(TPR difference, FPR difference). */
  readonly equalizedOddsDifference: number;
}

/**
 * Demographic-parity difference and ratio, disparate impact against a reference group
 * (default: the group with the highest selection rate, which makes the smallest ratio
 * equal the parity ratio), equal-opportunity and equalized-odds differences.
 *
 * @throws ExplainError `undefined_statistic` for fewer than two groups, a group without
 *   positives or negatives (TPR/FPR undefined), or a zero reference selection rate
 * @example
 * fairnessSummary(groupMetrics(scores, labels, ageBands, 0.3));
 */
export function fairnessSummary(metrics: readonly GroupMetrics[], options: { referenceGroup?: number } = {}): FairnessSummary {
  const fn = 'fairnessSummary';
  if (!Array.isArray(metrics as unknown)) {
    throw new ExplainError('invalid_argument', `${fn}: metrics must be the array groupMetrics returns, got ${metrics === null ? 'null' : typeof metrics}`, ['metrics']);
  }
  metrics.forEach((m, i) => {
    if (typeof m !== 'object' || m === null) throw new ExplainError('invalid_argument', `${fn}: metrics[${i}] must be a GroupMetrics object, got ${m === null ? 'null' : typeof m}`, ['metrics', i]);
  });
  if (typeof options !== 'object' || options === null) {
    throw new ExplainError('invalid_argument', `${fn}: options must be an object { referenceGroup? }`, ['options']);
  }
  if (metrics.length < 2) throw new ExplainError('undefined_statistic', `${fn}: needs at least two groups, got ${metrics.length}`, ['metrics']);
  const spread = (get: (m: GroupMetrics) => number | null, what: string): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    metrics.forEach((m, i) => {
      const v = get(m);
      if (v === null) throw new ExplainError('undefined_statistic', `${fn}: group ${m.group} has no ${what === 'TPR' ? 'positives' : 'negatives'}, so its ${what} is undefined`, ['metrics', i]);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    });
    return [lo, hi];
  };
  const [sLo, sHi] = spread((m) => m.selectionRate, 'selection rate');
  const [tLo, tHi] = spread((m) => m.truePositiveRate, 'TPR');
  const [fLo, fHi] = spread((m) => m.falsePositiveRate, 'FPR');
  let ref = options.referenceGroup;
  if (ref === undefined) ref = metrics.reduce((a, b) => (b.selectionRate > a.selectionRate ? b : a)).group;
  const refM = metrics.find((m) => m.group === ref);
  if (!refM) throw new ExplainError('invalid_argument', `${fn}: reference group ${ref} is not among the groups`, ['options', 'referenceGroup']);
  if (refM.selectionRate === 0) throw new ExplainError('undefined_statistic', `${fn}: the reference group ${ref} has selection rate 0, so ratios are undefined`, ['options', 'referenceGroup']);
  if (sHi === 0) throw new ExplainError('undefined_statistic', `${fn}: no group has any selection, so the parity ratio is undefined`, ['metrics']);
  const disparateImpact = metrics.map((m) => ({ group: m.group, ratio: m.selectionRate / refM.selectionRate }));
  return {
    demographicParityDifference: sHi - sLo,
    demographicParityRatio: sLo / sHi,
    referenceGroup: ref,
    disparateImpact,
    passesFourFifthsRule: disparateImpact.every((d) => d.ratio >= 0.8),
    equalOpportunityDifference: tHi - tLo,
    equalizedOddsDifference: Math.max(tHi - tLo, fHi - fLo),
  };
}
