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
  /** P(ŷ = 0 | y = 1, group) = 1 − TPR; null without positives. */
  readonly falseNegativeRate: number | null;
  /** P(ŷ = 0 | y = 0, group) = 1 − FPR; null without negatives. */
  readonly trueNegativeRate: number | null;
  /** P(ŷ = y | group). */
  readonly accuracy: number;
  /** P(y = 1 | group): the group's share of adverse outcomes. */
  readonly baseRate: number;
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
    const tn = neg - fp[g];
    out.push({
      group: g,
      n: n[g],
      selectionRate: sel[g] / n[g],
      truePositiveRate: pos[g] > 0 ? tp[g] / pos[g] : null,
      falsePositiveRate: neg > 0 ? fp[g] / neg : null,
      precision: sel[g] > 0 ? tp[g] / sel[g] : null,
      auc,
      falseNegativeRate: pos[g] > 0 ? (pos[g] - tp[g]) / pos[g] : null,
      trueNegativeRate: neg > 0 ? tn / neg : null,
      accuracy: (tp[g] + tn) / n[g],
      baseRate: pos[g] / n[g],
    });
  }
  return out;
}

/** Which side of the threshold is the outcome a person wants. */
export type FavourableOutcome = 'selected' | 'not_selected';

/** Options of {@link fairnessSummary}. */
export interface FairnessSummaryOptions {
  /** The group ratios are taken against (default: the highest favourable rate among the groups kept). */
  referenceGroup?: number;
  /**
   * The favourable outcome (default `'selected'`). For a risk score, where selected
   * (score ≥ threshold) means flagged, declined or reviewed, the favourable outcome is
   * `'not_selected'` (approval): the four-fifths rule is then read on approval rates.
   */
  favourable?: FavourableOutcome;
  /** Groups with fewer rows are reported in `excluded` and kept out of every aggregate (default 1: none). */
  minGroupSize?: number;
}

/** Disparities across groups (Fairlearn's definitions), over the groups of at least `minGroupSize` rows. */
export interface FairnessSummary {
  /** The convention the favourable rates and the four-fifths rule were read with. */
  readonly favourable: FavourableOutcome;
  readonly minGroupSize: number;
  /** Groups below `minGroupSize`: reported, kept out of every aggregate. */
  readonly excluded: readonly { group: number; n: number }[];
  /** Groups left out of one metric's aggregate because the metric is undefined for them (TPR without positives, FPR without negatives). */
  readonly skipped: readonly { group: number; metric: 'truePositiveRate' | 'falsePositiveRate' }[];
  /** max − min selection rate. */
  readonly demographicParityDifference: number;
  /** min / max selection rate. */
  readonly demographicParityRatio: number;
  /** The group the disparate-impact ratios are taken against. */
  readonly referenceGroup: number;
  /** Per group kept: favourable rate (selection rate, or 1 − it for `'not_selected'`) / the reference group's. */
  readonly disparateImpact: readonly { group: number; favourableRate: number; ratio: number }[];
  /** min / max favourable rate. */
  readonly fourFifthsRatio: number;
  /** True when every favourable-rate ratio is ≥ 0.8 (the EEOC four-fifths rule). */
  readonly passesFourFifthsRule: boolean;
  /** max − min TPR over the groups where it is defined; null when fewer than two. */
  readonly equalOpportunityDifference: number | null;
  /** max(TPR difference, FPR difference); null when either is undefined. */
  readonly equalizedOddsDifference: number | null;
  /** min(min/max TPR, min/max FPR) (Fairlearn's equalized_odds_ratio); null when either is undefined or a max is 0. */
  readonly equalizedOddsRatio: number | null;
}

/**
 * Demographic-parity difference and ratio, disparate impact and the four-fifths rule on
 * favourable rates against a reference group, equal-opportunity and equalized-odds
 * differences and ratio. Groups below `minGroupSize` are excluded (and listed); a group
 * whose TPR or FPR is undefined is skipped for that metric only (and listed).
 *
 * @throws ExplainError `undefined_statistic` for fewer than two groups of at least
 *   `minGroupSize` rows, or a zero favourable rate in the reference group or every group
 * @example
 * fairnessSummary(groupMetrics(scores, labels, ageBands, 0.3), { favourable: 'not_selected', minGroupSize: 30 });
 */
export function fairnessSummary(metrics: readonly GroupMetrics[], options: FairnessSummaryOptions = {}): FairnessSummary {
  const fn = 'fairnessSummary';
  if (!Array.isArray(metrics as unknown)) {
    throw new ExplainError('invalid_argument', `${fn}: metrics must be the array groupMetrics returns, got ${metrics === null ? 'null' : typeof metrics}`, ['metrics']);
  }
  metrics.forEach((m, i) => {
    if (typeof m !== 'object' || m === null) throw new ExplainError('invalid_argument', `${fn}: metrics[${i}] must be a GroupMetrics object, got ${m === null ? 'null' : typeof m}`, ['metrics', i]);
  });
  if (typeof options !== 'object' || options === null) {
    throw new ExplainError('invalid_argument', `${fn}: options must be an object { referenceGroup?, favourable?, minGroupSize? }`, ['options']);
  }
  const favourable = options.favourable ?? 'selected';
  if (favourable !== 'selected' && favourable !== 'not_selected') {
    throw new ExplainError('invalid_argument', `${fn}: options.favourable must be 'selected' or 'not_selected', got ${JSON.stringify(favourable)}`, ['options', 'favourable']);
  }
  const minGroupSize = options.minGroupSize ?? 1;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw new ExplainError('invalid_argument', `${fn}: options.minGroupSize must be a positive integer, got ${String(minGroupSize)}`, ['options', 'minGroupSize']);
  }
  const excluded = metrics.filter((m) => m.n < minGroupSize).map((m) => ({ group: m.group, n: m.n }));
  const kept = metrics.filter((m) => m.n >= minGroupSize);
  if (kept.length < 2) {
    throw new ExplainError('undefined_statistic', `${fn}: needs at least two groups of ${minGroupSize} or more rows, got ${kept.length}${excluded.length ? ` (${excluded.length} smaller groups excluded)` : ''}`, ['metrics']);
  }
  const skipped: { group: number; metric: 'truePositiveRate' | 'falsePositiveRate' }[] = [];
  const spread = (metric: 'selectionRate' | 'truePositiveRate' | 'falsePositiveRate'): [number, number] | null => {
    let lo = Infinity, hi = -Infinity, count = 0;
    for (const m of kept) {
      const v = m[metric];
      if (v === null) {
        if (metric !== 'selectionRate') skipped.push({ group: m.group, metric });
        continue;
      }
      count++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return count >= 2 ? [lo, hi] : null;
  };
  const [sLo, sHi] = spread('selectionRate')!;
  const tpr = spread('truePositiveRate');
  const fpr = spread('falsePositiveRate');
  const rate = (m: GroupMetrics): number => (favourable === 'selected' ? m.selectionRate : 1 - m.selectionRate);
  let ref = options.referenceGroup;
  if (ref === undefined) ref = kept.reduce((a, b) => (rate(b) > rate(a) ? b : a)).group;
  const refM = kept.find((m) => m.group === ref);
  if (!refM) {
    const why = metrics.some((m) => m.group === ref) ? `is below minGroupSize ${minGroupSize}` : 'is not among the groups';
    throw new ExplainError('invalid_argument', `${fn}: reference group ${ref} ${why}`, ['options', 'referenceGroup']);
  }
  if (rate(refM) === 0) throw new ExplainError('undefined_statistic', `${fn}: the reference group ${ref} has favourable rate 0, so ratios are undefined`, ['options', 'referenceGroup']);
  if (sHi === 0 && favourable === 'selected') throw new ExplainError('undefined_statistic', `${fn}: no group has any selection, so the parity ratio is undefined`, ['metrics']);
  const rates = kept.map(rate);
  const fHi = Math.max(...rates);
  const disparateImpact = kept.map((m) => ({ group: m.group, favourableRate: rate(m), ratio: rate(m) / rate(refM) }));
  const ratio = (r: [number, number] | null): number | null => (r === null || r[1] === 0 ? null : r[0] / r[1]);
  const tRatio = ratio(tpr), fRatio = ratio(fpr);
  return {
    favourable,
    minGroupSize,
    excluded,
    skipped,
    demographicParityDifference: sHi - sLo,
    demographicParityRatio: sHi === 0 ? 1 : sLo / sHi,
    referenceGroup: ref,
    disparateImpact,
    fourFifthsRatio: Math.min(...rates) / fHi,
    passesFourFifthsRule: disparateImpact.every((d) => d.ratio >= 0.8),
    equalOpportunityDifference: tpr === null ? null : tpr[1] - tpr[0],
    equalizedOddsDifference: tpr === null || fpr === null ? null : Math.max(tpr[1] - tpr[0], fpr[1] - fpr[0]),
    equalizedOddsRatio: tRatio === null || fRatio === null ? null : Math.min(tRatio, fRatio),
  };
}
