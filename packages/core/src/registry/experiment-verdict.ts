/**
 * The verdict on an experiment from its labelled events (outcome-ledger.ts): is the
 * challenger better than the champion, worse, or not yet known?
 *
 * - Challenger a shadow: both scored the same events (those the champion decided), so
 *   the AUCs are compared by DeLong's test for correlated ROC curves (paired).
 * - Challenger an arm: each arm scored its own entities, so by DeLong's test for
 *   independent curves, and the decline rates by a two-proportion z-test.
 * - The decision itself is the always-valid sequential test (mixture SPRT) on the AUC
 *   difference, one look per verdict call with new labels: checking every day as labels
 *   arrive does not inflate false promotions, which repeated fixed-horizon tests do
 *   (benchmarks/README.md, experiments). The fixed-horizon p-value is reported beside it.
 *
 * Per version: AUC with its DeLong interval, average precision, recall at a fixed false
 * positive rate, approval and decline rates with Wilson intervals.
 */
import {
  aucCi, averagePrecision, bootstrapCi, createSequentialTest, delongTestPaired, delongTestUnpaired, recallAtFpr, twoProportionTest, wilsonInterval,
  type AucCi, type SequentialTest, type SequentialTestState,
} from '@riskscore/explain';
import { RiskscoreError } from '../errors';
import type { ExperimentConfig } from './experiment';
import type { LabelledSample } from './outcome-ledger';

/** Options of a verdict: which arms or shadow are compared, and the levels and sizes of its tests; every one has a default. */
export interface VerdictOptions {
  /** The champion: an arm name (default: the experiment's first arm). */
  readonly champion?: string;
  /** The challenger: an arm name or a shadow's `name@version` (default: the second arm, else the first shadow). */
  readonly challenger?: string;
  /** False positive rate of the recall reported (default 0.01). */
  readonly fpr?: number;
  /** Confidence level of the intervals (default 0.95). */
  readonly level?: number;
  /** Error bound of the sequential decision over all looks (default 0.05). */
  readonly alpha?: number;
  /** Mixing variance of the sequential test: the squared smallest AUC difference worth finding (default 1e-4: 0.01). */
  readonly tau2?: number;
  /** Positives and negatives each side needs before a look counts (default 30). */
  readonly minPerClass?: number;
  /** Stratified bootstrap resamples for the intervals of average precision and recall (default 200; 0: no intervals). */
  readonly bootstrap?: number;
}

/** A rate (`count` of n) with its Wilson interval at the verdict's confidence level. */
export interface RateWithCi { readonly rate: number; readonly lower: number; readonly upper: number; readonly count: number }

/**
 * The quality of one side of a verdict over its labelled events: AUC with its DeLong
 * interval, average precision, recall at the fixed false positive rate, and approval and
 * decline rates (each null when the events do not allow it).
 */
export interface VersionQuality {
  readonly role: 'champion' | 'challenger';
  /** The arm, or `shadow`. */
  readonly arm: string;
  readonly versions: string[];
  readonly n: number;
  readonly positives: number;
  readonly auc: AucCi | null;
  /** With a stratified percentile bootstrap interval (seed 1) when `bootstrap` > 0. */
  readonly averagePrecision: { readonly estimate: number; readonly lower?: number; readonly upper?: number } | null;
  readonly recallAtFpr: { readonly fpr: number; readonly recall: number; readonly threshold: number; readonly lower?: number; readonly upper?: number } | null;
  readonly approvalRate: RateWithCi | null;
  readonly declineRate: RateWithCi | null;
}

/**
 * The verdict on an experiment: challenger `better`, `worse` or `not_yet` by the
 * always-valid sequential test of the AUC difference, with each side's quality, the
 * fixed-horizon differences and the reason in words.
 */
export interface Verdict {
  readonly experiment: string;
  readonly comparison: 'paired' | 'independent';
  readonly champion: VersionQuality;
  readonly challenger: VersionQuality;
  /** challenger − champion AUC, by DeLong (fixed-horizon p-value and interval: valid at one pre-planned look only). */
  readonly aucDifference: { readonly estimate: number; readonly se: number; readonly pValue: number; readonly lower: number; readonly upper: number; readonly test: 'delong_paired' | 'delong_unpaired' } | null;
  /** challenger − champion decline rate, two-proportion z-test (independent arms only). */
  readonly declineRateDifference: { readonly estimate: number; readonly pValue: number; readonly lower: number; readonly upper: number } | null;
  /** The always-valid test of the AUC difference over every look so far. */
  readonly sequential: SequentialTestState | null;
  readonly verdict: 'better' | 'worse' | 'not_yet';
  readonly reason: string;
}

/** The sequential tests of one registry, by experiment and comparison (their looks persist across calls). */
export class VerdictLooks {
  private readonly tests = new Map<string, { test: SequentialTest; lastN: number }>();
  look(key: string, n: number, estimate: number, variance: number, alpha: number, tau2: number): SequentialTestState {
    let t = this.tests.get(key);
    if (t === undefined || t.test.options.alpha !== alpha || t.test.options.tau2 !== tau2) {
      t = { test: createSequentialTest({ alpha, tau2 }), lastN: -1 };
      this.tests.set(key, t);
    }
    // A look is new labelled data: asking twice about the same events is one look.
    if (n !== t.lastN) { t.test.update(estimate, variance); t.lastN = n; }
    return t.test.state;
  }
}

function quality(role: 'champion' | 'challenger', arm: string, versions: string[], scores: Float64Array, labels: Uint8Array, decisions: Float32Array, o: Required<VerdictOptions>): VersionQuality {
  const n = scores.length;
  let pos = 0, declines = 0, approvals = 0;
  for (let i = 0; i < n; i++) { pos += labels[i]; if (decisions[i] === 1) declines++; else if (decisions[i] === 0) approvals++; }
  const both = pos > 0 && pos < n;
  const rate = (x: number): RateWithCi | null => {
    if (n === 0) return null;
    const w = wilsonInterval(x, n, { level: o.level });
    return { rate: x / n, lower: w.lower, upper: w.upper, count: x };
  };
  const twoEach = pos >= 2 && n - pos >= 2;
  const interval = (f: (s: Float64Array, y: Uint8Array) => number) => {
    if (o.bootstrap === 0 || !twoEach) return {};
    const b = bootstrapCi(f, scores, labels, { resamples: o.bootstrap, level: o.level, seed: 1 });
    return { lower: b.lower, upper: b.upper };
  };
  let rec: VersionQuality['recallAtFpr'] = null;
  if (both) {
    const r = recallAtFpr(scores, labels, o.fpr);
    rec = { fpr: o.fpr, recall: r.recall, threshold: r.threshold, ...interval((s, y) => recallAtFpr(s, y, o.fpr).recall) };
  }
  return {
    role, arm, versions, n, positives: pos,
    auc: twoEach ? aucCi(scores, labels, { level: o.level }) : null,
    averagePrecision: both ? { estimate: averagePrecision(scores, labels), ...interval(averagePrecision) } : null,
    recallAtFpr: rec, approvalRate: rate(approvals), declineRate: rate(declines),
  };
}

function gather(s: LabelledSample, pick: (i: number) => number | undefined, decisionAt: (i: number) => number) {
  const idx: number[] = [];
  for (let i = 0; i < s.n; i++) { const v = pick(i); if (v !== undefined && Number.isFinite(v)) idx.push(i); }
  const scores = new Float64Array(idx.length), labels = new Uint8Array(idx.length), decisions = new Float32Array(idx.length);
  idx.forEach((i, k) => { scores[k] = pick(i)!; labels[k] = s.labels[i]; decisions[k] = decisionAt(i); });
  return { idx, scores, labels, decisions };
}

const enough = (labels: Uint8Array, min: number): boolean => {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  return pos >= min && labels.length - pos >= min;
};

/** The verdict for `sample` under `experiment` (its arms and shadows), with `looks` keeping the sequential test. */
export function experimentVerdict(experiment: ExperimentConfig, sample: LabelledSample | undefined, looks: VerdictLooks, options: VerdictOptions = {}): Verdict {
  if (options === null || typeof options !== 'object') throw new RiskscoreError('invalid_argument', 'verdict: options must be an object', { path: ['options'] });
  const o: Required<VerdictOptions> = {
    champion: options.champion ?? experiment.arms[0].name,
    challenger: options.challenger ?? experiment.arms[1]?.name ?? experiment.shadows?.[0]?.target ?? '',
    fpr: options.fpr ?? 0.01, level: options.level ?? 0.95, alpha: options.alpha ?? 0.05, tau2: options.tau2 ?? 1e-4, minPerClass: options.minPerClass ?? 30,
    bootstrap: options.bootstrap ?? 200,
  };
  if (!Number.isInteger(o.bootstrap) || (o.bootstrap !== 0 && (o.bootstrap < 10 || o.bootstrap > 100_000))) {
    throw new RiskscoreError('invalid_argument', `verdict: options.bootstrap must be 0 or an integer in [10, 100000], got ${String(o.bootstrap)}`, { path: ['options', 'bootstrap'] });
  }
  for (const [k, v, lo, hi] of [['fpr', o.fpr, 0, 1], ['level', o.level, 0, 1], ['alpha', o.alpha, 0, 1]] as const) {
    if (typeof v !== 'number' || !(v > lo && v < hi)) throw new RiskscoreError('invalid_argument', `verdict: options.${k} must be a number in (${lo}, ${hi}), got ${String(v)}`, { path: ['options', k] });
  }
  if (typeof o.tau2 !== 'number' || !(o.tau2 > 0 && o.tau2 < Infinity)) throw new RiskscoreError('invalid_argument', `verdict: options.tau2 must be a finite number > 0, got ${String(o.tau2)}`, { path: ['options', 'tau2'] });
  if (!Number.isInteger(o.minPerClass) || o.minPerClass < 1) throw new RiskscoreError('invalid_argument', `verdict: options.minPerClass must be a positive integer, got ${String(o.minPerClass)}`, { path: ['options', 'minPerClass'] });
  const armNames = experiment.arms.map((a) => a.name);
  if (!armNames.includes(o.champion)) throw new RiskscoreError('invalid_argument', `verdict: champion must be an arm of ${experiment.name} (${armNames.join(', ')}), got ${JSON.stringify(o.champion)}`, { path: ['options', 'champion'] });
  const paired = !armNames.includes(o.challenger);
  if (paired && !(experiment.shadows ?? []).some((s) => s.target === o.challenger)) {
    throw new RiskscoreError('invalid_argument', `verdict: challenger must be an arm or a shadow target of ${experiment.name}, got ${JSON.stringify(o.challenger)}`, { path: ['options', 'challenger'] });
  }
  const empty = new LabelledSampleView();
  const s = sample ?? empty.sample(experiment.name);
  const champArm = s.arms.indexOf(o.champion);
  const champ = gather(s, (i) => (s.armOf[i] === champArm ? s.deciderScore[i] : undefined), (i) => s.deciderDecision[i]);
  const versionsOf = (idx: number[]) => [...new Set(idx.map((i) => s.versions[s.deciderVersion[i]]))];
  let chal: ReturnType<typeof gather>;
  let chalVersions: string[];
  if (paired) {
    const col = s.shadowScores.get(o.challenger), dec = s.shadowDecisions.get(o.challenger);
    // The same events: those the champion decided and the shadow scored.
    chal = gather(s, (i) => (s.armOf[i] === champArm && col !== undefined ? col[i] : undefined), (i) => dec?.[i] ?? NaN);
    chalVersions = [o.challenger];
  } else {
    const chalArm = s.arms.indexOf(o.challenger);
    chal = gather(s, (i) => (s.armOf[i] === chalArm ? s.deciderScore[i] : undefined), (i) => s.deciderDecision[i]);
    chalVersions = versionsOf(chal.idx);
  }
  // Paired: the champion on exactly the challenger's events.
  const onChal = new Set(chal.idx);
  const champOn = paired ? gather(s, (i) => (onChal.has(i) ? s.deciderScore[i] : undefined), (i) => s.deciderDecision[i]) : champ;
  const champion = quality('champion', o.champion, versionsOf(champOn.idx), champOn.scores, champOn.labels, champOn.decisions, o);
  const challenger = quality('challenger', paired ? 'shadow' : o.challenger, chalVersions, chal.scores, chal.labels, chal.decisions, o);
  const base = { experiment: experiment.name, comparison: paired ? 'paired' as const : 'independent' as const, champion, challenger };
  if (!enough(champOn.labels, o.minPerClass) || !enough(chal.labels, o.minPerClass)) {
    return { ...base, aucDifference: null, declineRateDifference: null, sequential: null, verdict: 'not_yet', reason: `each side needs ${o.minPerClass} labelled positives and negatives before a look counts (champion ${champion.positives}/${champion.n - champion.positives}, challenger ${challenger.positives}/${challenger.n - challenger.positives})` };
  }
  let auc: NonNullable<Verdict['aucDifference']>;
  if (paired) {
    const t = delongTestPaired(chal.scores, champOn.scores, chal.labels, { level: o.level });
    auc = { estimate: t.difference, se: t.se, pValue: t.pValue, lower: t.lower, upper: t.upper, test: 'delong_paired' };
  } else {
    const t = delongTestUnpaired(chal.scores, chal.labels, champ.scores, champ.labels, { level: o.level });
    auc = { estimate: t.difference, se: t.se, pValue: t.pValue, lower: t.lower, upper: t.upper, test: 'delong_unpaired' };
  }
  let decline: Verdict['declineRateDifference'] = null;
  if (!paired && challenger.declineRate && champion.declineRate) {
    const t = twoProportionTest(challenger.declineRate.count, challenger.n, champion.declineRate.count, champion.n, { level: o.level });
    decline = { estimate: t.difference, pValue: t.pValue, lower: t.lower, upper: t.upper };
  }
  if (!(auc.se > 0)) {
    return { ...base, aucDifference: auc, declineRateDifference: decline, sequential: null, verdict: 'not_yet', reason: 'the AUC difference has no variance yet (identical rankings)' };
  }
  const seq = looks.look(`${experiment.name}\u0000${o.champion}\u0000${o.challenger}`, s.n, auc.estimate, auc.se * auc.se, o.alpha, o.tau2);
  const verdict = seq.decided === 'better' ? 'better' : seq.decided === 'worse' ? 'worse' : 'not_yet';
  const reason = verdict === 'not_yet'
    ? `AUC difference ${auc.estimate.toFixed(4)} (always-valid p ${seq.pValue.toPrecision(3)} > ${o.alpha} after ${seq.looks} looks); keep collecting labels`
    : `the challenger's AUC is ${verdict} by ${Math.abs(auc.estimate).toFixed(4)} (always-valid p ${seq.pValue.toPrecision(3)} ≤ ${o.alpha}, decided at look ${seq.decidedAtLook})`;
  return { ...base, aucDifference: auc, declineRateDifference: decline, sequential: seq, verdict, reason };
}

/** An empty labelled sample (an experiment nobody has labelled yet). */
class LabelledSampleView {
  sample(experiment: string): LabelledSample {
    return { experiment, n: 0, labels: new Uint8Array(0), armOf: new Uint16Array(0), arms: [], deciderScore: new Float64Array(0), deciderVersion: new Uint16Array(0), deciderDecision: new Float32Array(0), versions: [], shadowScores: new Map(), shadowDecisions: new Map() };
  }
}
