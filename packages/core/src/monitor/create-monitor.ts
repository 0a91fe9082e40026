/**
 * The in-process monitor: a {@link ScoreObserver} that keeps, in fixed memory, the drift
 * counts of every profiled feature and of the score over tumbling sub-windows summed into
 * a sliding window, a latency histogram and counters per model version, and a bounded
 * ring of recent scores for late labels. At each window close it compares the window with
 * the reference profile (explain's `featureDriftFromCounts`) and emits typed alerts.
 *
 * The per-event path (`observe`) copies the profiled features into one scratch row and
 * bumps typed-array counters: no allocation, no raw event kept.
 */
import {
  createReferenceProfile,
  DEFAULT_DRIFT_THRESHOLDS,
  featureDriftFromCounts,
  summarizeDrift,
  validateReferenceProfile,
  type DriftThresholds,
  type FeatureDrift,
  type FeatureProfile,
  type ReferenceProfile,
} from '@riskscore/explain';
import type { Decision } from '../bundle/manifest';
import type { LoadedBundle } from '../bundle/load-bundle';
import { RiskscoreError } from '../errors';
import type { ScoreObserver } from '../scorer/create-scorer';
import { createLatencyHistogram, latencyBucketBoundsUs, LATENCY_FINITE_BUCKETS, recordLatency } from './latency-histogram';
import type { DriftAlert, MonitorAlert, MonitorStatistic, WindowReport } from './monitor-alert';
import { labelledOutcomes, modelQualityFromOutcomes, type ModelQuality } from './model-quality';
import { createOutcomeRing, joinOutcome, trackOutcome } from './outcome-ring';
import { prometheusText, type PrometheusFamily, type PrometheusSample } from './prometheus-text';
import { SCORE_FEATURE } from './reference-from-rows';
import { createDriftSignificance, driftTestKey, type DriftSignificanceTester, type DriftTest } from './drift-significance';
import { closeSubWindow, createSlidingDriftWindow, recordWindowRow } from './sliding-drift-window';

/** What to monitor when there is no bundle: a reference profile and the scorer's feature order. */
export interface MonitorReferenceSource {
  /** A reference profile (checked with explain's `validateReferenceProfile`). */
  readonly reference: unknown;
  /** The feature order of the rows the scorer passes to `observe`. */
  readonly featureNames: readonly string[];
  /** The primary model version's name (default `model`). */
  readonly model?: string;
}

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /**
   * The tumbling sub-window: it closes after `events` rows or once `ms` milliseconds
   * passed since its first row, whichever comes first (default 1000 events).
   */
  readonly window?: { readonly events?: number; readonly ms?: number };
  /** Sub-windows summed into the evaluated sliding window (default 1: tumbling windows). */
  readonly slidingWindows?: number;
  /**
   * Fewest rows an evaluated window needs before it may raise an alert (default 100; 1:
   * every window). A smaller window (the tail `flush()` closes, a time window on a quiet
   * minute) is still reported, with `belowMinimum: true`, but alerts nothing: at a few
   * dozen rows every distance statistic is large by chance alone.
   */
  readonly minWindowEvents?: number;
  /**
   * False discovery rate of the window's drift tests (default 0.005; null: no test, the
   * fixed thresholds alone decide). A PSI or Jensen–Shannon alert then needs both the
   * value past its threshold (the effect is large enough to matter) and the feature's
   * test rejected: its JS distance improbable at this window's size under the null
   * (window and reference drawn from one population), after Benjamini–Hochberg across the
   * window's features. With no shift, BH rejects anything in about this share of windows
   * or fewer (fewer when features are correlated), at every window size: the default
   * keeps the any-alert share under 1 % with margin. docs/monitoring.md has the measured rates.
   */
  readonly falseDiscoveryRate?: number | null;
  /** Resamples behind each feature's null distribution at a window size (default 2000). */
  readonly nullResamples?: number;
  /** A reference profile to use instead of the bundle's. */
  readonly reference?: unknown;
  /** The model's scores on reference data, when the profile has no `__score__` entry. */
  readonly referenceScores?: ArrayLike<number>;
  /** Quantile bins of the score profile built from `referenceScores` (default 10). */
  readonly scoreBins?: number;
  readonly thresholds?: DriftThresholds;
  /**
   * Statistics that raise alerts (default PSI and Jensen–Shannon). All three are always
   * computed and reported; chi-square is a test whose p-value falls below 0.05 in 5 % of
   * windows with no shift at all, per categorical feature, so it is opt-in.
   */
  readonly alertOn?: readonly MonitorStatistic[];
  /** Further model versions (challenger, shadow) whose observers `observerFor` hands out. */
  readonly models?: readonly string[];
  /** Recent scored ids kept for late labels (default 10 000). */
  readonly outcomeCapacity?: number;
  /** Uniform bins of the calibration curve in `quality()` (default 10). */
  readonly calibrationBins?: number;
  /** Receives every alert. */
  readonly onAlert?: (alert: MonitorAlert) => void;
  /** Receives every window report. */
  readonly onWindow?: (report: WindowReport) => void;
  /** Milliseconds (default `Date.now`); called once per window, or per event with `window.ms`. */
  readonly clock?: () => number;
}

/** Sizes of a monitor's state, for checking it stays flat. */
export interface MonitorStateSize {
  /** Bytes held in typed arrays (drift windows, histogram, counters, outcome ring). */
  readonly typedArrayBytes: number;
  /** Ids held for late labels (≤ outcomeCapacity). */
  readonly trackedIds: number;
  /** Rows in the evaluated sliding window (≤ slidingWindows × window.events). */
  readonly windowRows: number;
}

/** The monitor: plug it in with `createScorer(bundle, { observer: monitor })`. */
export interface Monitor extends ScoreObserver {
  /**
   * The primary model version's observer: counters, latency and drift.
   *
   * Not checked: this is the per-event hot path, called by the scorer with a row it has
   * just built and validated (`row` holds the bundle's feature order at `offset`, `score`
   * is finite, `latencyUs` ≥ 0). Called by hand with other values it does not throw; a
   * short row or bad offset counts NaN (missing) values, a NaN score counts as missing,
   * a negative latency lands in the first bucket.
   */
  observe(row: Float32Array, offset: number, score: number, latencyUs: number, decision: Decision): void;
  /**
   * The observer of a model version: counters and latency under its name. Drift is
   * counted only by the primary version's observer (a shadow scoring the same events
   * would count them twice). Throws `invalid_argument` for a version not declared.
   */
  observerFor(model: string): ScoreObserver;
  /**
   * Remembers the score of an event id for a later label (call after `score()`). Throws
   * `invalid_argument` for an empty id, a non-finite score or an unknown model version.
   */
  track(id: string, score: number, model?: string): void;
  /**
   * Joins a late label to a tracked id: true when joined, false when the id is not (or no
   * longer) held. Throws `invalid_argument` for a label other than 0/1/false/true.
   */
  recordOutcome(id: string, label: 0 | 1 | boolean): boolean;
  /** Quality of each model version over its labelled window (explain's metrics). */
  quality(): ModelQuality[];
  /** Closes the current sub-window now (end of a batch); null when it is empty. */
  flush(): WindowReport | null;
  /** Closes the current sub-window when its time span has passed (for idle streams); else null. */
  tick(): WindowReport | null;
  /** Counters, latency histogram and last drift values in the Prometheus text format. */
  metrics(): string;
  /** Adds an alert listener; returns the function that removes it. Throws `invalid_argument` (`['listener']`) for a non-function. */
  subscribe(listener: (alert: MonitorAlert) => void): () => void;
  /** The last window report, or null before the first close. */
  readonly lastWindow: WindowReport | null;
  /** Profiled features, in the profile's order (the score, when profiled, is `__score__` and last). */
  readonly monitored: readonly string[];
  /** Features of the row that the profile does not cover. */
  readonly unmonitored: readonly string[];
  /** Model versions, the primary first. */
  readonly models: readonly string[];
  /** The current sizes of the monitor's state (typed-array bytes, tracked ids, window rows). */
  stateSize(): MonitorStateSize;
}

const STATISTICS: readonly MonitorStatistic[] = ['psi', 'jensen_shannon', 'chi_square'];
const DECISIONS: readonly Decision[] = ['approve', 'review', 'decline'];

function invalid(message: string, path: Array<string | number>, cause?: unknown): RiskscoreError {
  return new RiskscoreError('invalid_argument', `createMonitor: ${message}`, { path, cause });
}

function isBundle(s: unknown): s is LoadedBundle {
  return typeof s === 'object' && s !== null && 'manifest' in s && 'members' in s;
}

function positiveInt(v: unknown, path: Array<string | number>, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw invalid(`${path.join('.')} must be an integer in 1…${max}, got ${String(v)}`, path);
  return v;
}

/**
 * Creates a monitor for a bundle (its reference profile and feature order) or for a
 * reference profile and a feature order.
 *
 * @throws RiskscoreError `invalid_argument` (path names the option or the profile field) when
 *   the bundle has no reference and none is given, the profile is malformed or names a
 *   feature the rows lack, or an option is out of range
 * @example
 * const monitor = createMonitor(bundle, {
 *   window: { events: 1000 }, slidingWindows: 4, referenceScores,
 *   onAlert: (a) => console.warn(`${a.feature} ${a.statistic}=${a.value.toFixed(3)} ≥ ${a.threshold}`),
 * });
 * const scorer = await createScorer(bundle, { observer: monitor, backend });
 * const r = await scorer.score(event);
 * monitor.track(event.id, r.score);
 * // … weeks later
 * monitor.recordOutcome(event.id, 1);
 * monitor.quality(); // [{ model: 'taiwan-credit@1.0.0', rocAuc: 0.78, brier: 0.13, … }]
 * monitor.metrics(); // Prometheus text
 */
export function createMonitor(source: LoadedBundle | MonitorReferenceSource, options: MonitorOptions = {}): Monitor {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`, ['options']);
  }
  // ---- resolve the reference and the feature order (nothing is kept until all is checked)
  let rawProfile: unknown;
  let featureNames: readonly string[];
  let primary: string;
  if (isBundle(source)) {
    rawProfile = options.reference ?? source.reference;
    featureNames = source.manifest.features.order;
    primary = source.id;
    if (rawProfile === null || rawProfile === undefined) {
      throw invalid(`bundle ${source.id} carries no reference profile: pass options.reference (see referenceProfileFromRows)`, ['reference']);
    }
  } else {
    if (typeof source !== 'object' || source === null || !Array.isArray(source.featureNames)) {
      throw invalid('expected a loaded bundle or { reference, featureNames }', ['source']);
    }
    rawProfile = options.reference ?? source.reference;
    featureNames = source.featureNames;
    primary = source.model ?? 'model';
  }
  let profile: ReferenceProfile;
  try {
    profile = validateReferenceProfile(rawProfile);
  } catch (cause) {
    const e = cause as { message: string; path?: ReadonlyArray<string | number> };
    throw invalid(`reference profile: ${e.message}`, ['reference', ...(e.path ?? [])], cause);
  }
  const column = new Map(featureNames.map((n, i) => [n, i]));
  const featureProfiles: FeatureProfile[] = [];
  const cols: number[] = [];
  let scoreProfile: FeatureProfile | undefined;
  profile.features.forEach((fp, f) => {
    if (fp.name === SCORE_FEATURE) { scoreProfile = fp; return; }
    const c = column.get(fp.name);
    if (c === undefined) throw invalid(`the reference profiles feature ${fp.name}, which is not in the feature order`, ['reference', 'features', f, 'name']);
    featureProfiles.push(fp);
    cols.push(c);
  });
  if (scoreProfile !== undefined && options.referenceScores !== undefined) {
    // Two score references would silently disagree: the profile's entry wins, so refuse the other.
    throw invalid(`options.referenceScores is given but the reference profile already has a ${SCORE_FEATURE} entry; drop referenceScores (and scoreBins), or pass a profile without ${SCORE_FEATURE}`, ['options', 'referenceScores']);
  }
  if (options.scoreBins !== undefined) positiveInt(options.scoreBins, ['scoreBins'], 1000);
  if (scoreProfile === undefined && options.referenceScores !== undefined) {
    const s = options.referenceScores;
    if (typeof s !== 'object' || s === null || typeof s.length !== 'number' || s.length === 0) throw invalid('referenceScores must be a non-empty array of scores', ['referenceScores']);
    for (let i = 0; i < s.length; i++) {
      if (!Number.isFinite(s[i])) throw invalid(`referenceScores[${i}] is ${s[i]}; expected a finite score`, ['referenceScores', i]);
    }
    const bins = positiveInt(options.scoreBins ?? 10, ['scoreBins'], 1000);
    scoreProfile = createReferenceProfile([{ name: SCORE_FEATURE, kind: 'numeric', values: Float64Array.from(s) }], { bins }).features[0];
  }
  if (featureProfiles.length === 0 && scoreProfile === undefined) throw invalid('the reference profile covers no feature of the rows and no score', ['reference', 'features']);

  const win0 = options.window ?? {};
  const windowMs = win0.ms === undefined ? 0 : win0.ms;
  if (win0.ms !== undefined && !(typeof win0.ms === 'number' && win0.ms > 0 && Number.isFinite(win0.ms))) throw invalid(`window.ms must be a positive number, got ${String(win0.ms)}`, ['window', 'ms']);
  const windowEvents = win0.events === undefined ? (win0.ms === undefined ? 1000 : 0) : positiveInt(win0.events, ['window', 'events'], 2 ** 31 - 1);
  const minWindowEvents = options.minWindowEvents === undefined ? 100 : positiveInt(options.minWindowEvents, ['minWindowEvents'], 2 ** 31 - 1);
  const k = positiveInt(options.slidingWindows ?? 1, ['slidingWindows'], 4096);
  const fdr = options.falseDiscoveryRate === undefined ? 0.005 : options.falseDiscoveryRate;
  if (fdr !== null && !(typeof fdr === 'number' && fdr > 0 && fdr < 1)) throw invalid(`falseDiscoveryRate must be a number in (0, 1) or null, got ${String(fdr)}`, ['falseDiscoveryRate']);
  const nullResamples = positiveInt(options.nullResamples ?? 2000, ['nullResamples'], 1_000_000);
  if (nullResamples < 100) throw invalid(`nullResamples must be at least 100, got ${nullResamples}`, ['nullResamples']);
  const thresholds = options.thresholds ?? DEFAULT_DRIFT_THRESHOLDS;
  const alertOn = options.alertOn ?? ['psi', 'jensen_shannon'];
  alertOn.forEach((s, i) => { if (!STATISTICS.includes(s)) throw invalid(`alertOn[${i}] is ${String(s)}; expected one of ${STATISTICS.join(', ')}`, ['alertOn', i]); });
  const alertMask = STATISTICS.map((s) => alertOn.includes(s));
  const models = [primary];
  (options.models ?? []).forEach((m, i) => {
    if (typeof m !== 'string' || m === '') throw invalid(`models[${i}] must be a non-empty string`, ['models', i]);
    if (!models.includes(m)) models.push(m);
  });
  if (models.length > 65535) throw invalid('at most 65535 model versions', ['models']);
  const ring = createOutcomeRing(options.outcomeCapacity ?? 10_000);
  const calibrationBins = positiveInt(options.calibrationBins ?? 10, ['calibrationBins'], 1000);
  const clock = options.clock ?? Date.now;

  // ---- state: fixed typed arrays from here on
  const monitoredProfiles = scoreProfile ? [...featureProfiles, scoreProfile] : featureProfiles;
  const combined: ReferenceProfile = { version: 1, rows: profile.rows, features: monitoredProfiles };
  const nMon = featureProfiles.length;
  const nProfiled = monitoredProfiles.length;
  const hasScore = scoreProfile !== undefined;
  const colIndex = Int32Array.from(cols);
  const scratch = new Float64Array(nProfiled);
  const win = createSlidingDriftWindow(combined, k);
  const tester: DriftSignificanceTester | null = fdr === null ? null : createDriftSignificance(combined, { level: fdr, resamples: nullResamples });
  const chiAlerts = alertOn.includes('chi_square');
  const anyCategorical = monitoredProfiles.some((p) => p.kind === 'categorical');
  const nModels = models.length;
  const modelIndex = new Map(models.map((m, i) => [m, i]));
  const scored = new Float64Array(nModels);
  const decisions = new Float64Array(nModels * 3);
  const outcomes = new Float64Array(nModels * 2);
  const latency = createLatencyHistogram(nModels);
  const alertCounts = new Float64Array(STATISTICS.length * 2);
  /** Last window's value per profiled feature × statistic (NaN before the first, and for chi-square on numeric features). */
  const lastValue = new Float64Array(nProfiled * STATISTICS.length).fill(NaN);
  let windowsClosed = 0;
  let listenerErrors = 0;
  let lastWindow: WindowReport | null = null;
  const alertListeners: Array<(a: MonitorAlert) => void> = [];
  if (options.onAlert) alertListeners.push(options.onAlert);
  const onWindow = options.onWindow;

  function call<T>(fn: (x: T) => void, x: T): void {
    // A listener's failure must not reach the scoring path (ScoreObserver must not throw).
    try { fn(x); } catch { listenerErrors++; }
  }

  function alertOf(d: FeatureDrift, span: DriftAlert['window'], test: DriftTest | undefined): DriftAlert | null {
    const s = d.statistic as MonitorStatistic;
    if (!alertMask[STATISTICS.indexOf(s)]) return null;
    if (tester !== null) {
      // The test decides whether the window moved at all; for PSI and JS the value must also pass its level.
      if (test === undefined || !test.rejected) return null;
      if (s !== 'chi_square' && d.status === 'stable') return null;
    } else if (d.status === 'stable') return null;
    const threshold = s === 'psi'
      ? (d.status === 'drift' ? thresholds.psiDrift : thresholds.psiWarning)
      : s === 'jensen_shannon' ? thresholds.jensenShannon : tester !== null ? fdr! : thresholds.pValue;
    const severity = s === 'psi' ? (d.status === 'drift' ? 'critical' : 'warning') : 'critical';
    return {
      type: 'drift', feature: d.feature, statistic: s, value: d.value,
      pValue: test ? test.pValue : d.pValue,
      adjustedPValue: test ? test.adjustedPValue : null,
      threshold, severity, window: span,
    };
  }

  /** Closes the current sub-window and evaluates the sliding window (once per window: allocation is fine here). */
  function closeWindow(end: number): WindowReport {
    const start = closeSubWindow(win);
    windowsClosed++;
    const span = { start, end, count: win.sum.rows };
    const psi = featureDriftFromCounts(win.sum, { numeric: 'psi', categorical: 'psi', thresholds });
    const js = featureDriftFromCounts(win.sum, { numeric: 'jensen_shannon', categorical: 'jensen_shannon', thresholds });
    const chi = anyCategorical ? featureDriftFromCounts(win.sum, { numeric: 'psi', categorical: 'chi_square', thresholds }) : null;
    const drift: FeatureDrift[] = [];
    for (let f = 0; f < nProfiled; f++) {
      drift.push(psi.features[f], js.features[f]);
      lastValue[f * 3] = psi.features[f].value;
      lastValue[f * 3 + 1] = js.features[f].value;
      if (chi && monitoredProfiles[f].kind === 'categorical') {
        drift.push(chi.features[f]);
        lastValue[f * 3 + 2] = chi.features[f].value;
      }
    }
    const alerts: MonitorAlert[] = [];
    const belowMinimum = win.sum.rows < minWindowEvents;
    const significance = tester !== null && !belowMinimum
      ? tester.evaluate(win.sum.rows, js.features, chi && chiAlerts ? chi.features.map((c, f) => (monitoredProfiles[f].kind === 'categorical' ? c : undefined)) : [])
      : null;
    const testOf = new Map<string, DriftTest>();
    if (significance) for (const t of significance.tests) testOf.set(driftTestKey(t.statistic, t.feature), t);
    for (const d of belowMinimum ? [] : drift) {
      // PSI and JS values are both judged by the feature's JS test.
      const a = alertOf(d, span, testOf.get(driftTestKey(d.statistic, d.feature)));
      if (a) {
        alerts.push(a);
        alertCounts[STATISTICS.indexOf(a.statistic) * 2 + (a.severity === 'critical' ? 1 : 0)]++;
      }
    }
    const report: WindowReport = {
      index: windowsClosed,
      window: span,
      subWindows: win.held,
      drift,
      summary: summarizeDrift(psi.features.slice(0, nMon), thresholds),
      alerts,
      belowMinimum,
      significance,
    };
    lastWindow = report;
    for (const a of alerts) for (const l of alertListeners) call(l, a);
    if (onWindow) call(onWindow, report);
    return report;
  }

  function count(v: number, latencyUs: number, decision: Decision): void {
    scored[v]++;
    decisions[v * 3 + (decision === 'approve' ? 0 : decision === 'review' ? 1 : 2)]++;
    recordLatency(latency, v, latencyUs);
  }

  function observe(row: Float32Array, offset: number, score: number, latencyUs: number, decision: Decision): void {
    count(0, latencyUs, decision);
    let now = NaN;
    if (windowMs > 0) {
      now = clock();
      if (win.current.rows > 0 && now - win.currentStart >= windowMs) closeWindow(now);
    } else if (win.current.rows === 0) now = clock();
    for (let f = 0; f < nMon; f++) scratch[f] = row[offset + colIndex[f]];
    if (hasScore) scratch[nMon] = score;
    recordWindowRow(win, scratch, now);
    if (windowEvents > 0 && win.current.rows >= windowEvents) closeWindow(clock());
  }

  const observers: ScoreObserver[] = models.map((_, v) => (v === 0
    ? { observe }
    : { observe: (_row: Float32Array, _offset: number, _score: number, latencyUs: number, decision: Decision) => count(v, latencyUs, decision) }));

  function modelOf(model: string | undefined, path: string): number {
    if (model === undefined) return 0;
    const v = modelIndex.get(model);
    if (v === undefined) throw new RiskscoreError('invalid_argument', `${path}: unknown model version ${JSON.stringify(model)}; declare it in createMonitor's models (${models.join(', ')})`, { path: ['model'] });
    return v;
  }

  function metrics(): string {
    const bounds = latencyBucketBoundsUs();
    const families: PrometheusFamily[] = [];
    const perModel = (values: Float64Array): PrometheusSample[] => models.map((m, v) => ({ labels: { model: m }, value: values[v] }));
    families.push({ name: 'riskscore_scored_total', help: 'Events scored, per model version.', type: 'counter', samples: perModel(scored) });
    families.push({
      name: 'riskscore_decisions_total', help: 'Decisions taken, per model version and decision.', type: 'counter',
      samples: models.flatMap((m, v) => DECISIONS.map((d, j) => ({ labels: { model: m, decision: d }, value: decisions[v * 3 + j] }))),
    });
    const hist: PrometheusSample[] = [];
    for (let v = 0; v < nModels; v++) {
      let cum = 0;
      const base = v * (LATENCY_FINITE_BUCKETS + 1);
      for (let b = 0; b < LATENCY_FINITE_BUCKETS; b++) {
        cum += latency.counts[base + b];
        hist.push({ suffix: '_bucket', labels: { model: models[v], le: String(bounds[b] * 1e-6) }, value: cum });
      }
      cum += latency.counts[base + LATENCY_FINITE_BUCKETS];
      hist.push({ suffix: '_bucket', labels: { model: models[v], le: '+Inf' }, value: cum });
      hist.push({ suffix: '_sum', labels: { model: models[v] }, value: latency.sumUs[v] * 1e-6 });
      hist.push({ suffix: '_count', labels: { model: models[v] }, value: cum });
    }
    families.push({ name: 'riskscore_score_latency_seconds', help: 'Scoring latency (event in to decision out), per model version.', type: 'histogram', samples: hist });
    families.push({
      name: 'riskscore_outcomes_total', help: 'Late labels joined to a tracked score, per model version and label.', type: 'counter',
      samples: models.flatMap((m, v) => [0, 1].map((y) => ({ labels: { model: m, label: String(y) }, value: outcomes[v * 2 + y] }))),
    });
    families.push({ name: 'riskscore_outcomes_unmatched_total', help: 'Labels for ids no longer (or never) tracked.', type: 'counter', samples: [{ labels: {}, value: ring.unmatched }] });
    families.push({ name: 'riskscore_tracked_evicted_total', help: 'Tracked scores overwritten in the outcome ring.', type: 'counter', samples: [{ labels: {}, value: ring.evicted }] });
    families.push({ name: 'riskscore_monitor_windows_total', help: 'Monitor sub-windows closed.', type: 'counter', samples: [{ labels: {}, value: windowsClosed }] });
    families.push({
      name: 'riskscore_drift_alerts_total', help: 'Drift alerts raised, per statistic and severity.', type: 'counter',
      samples: STATISTICS.flatMap((s, i) => [{ labels: { statistic: s, severity: 'warning' }, value: alertCounts[i * 2] }, { labels: { statistic: s, severity: 'critical' }, value: alertCounts[i * 2 + 1] }]),
    });
    const gauges: PrometheusSample[] = [];
    for (let f = 0; f < nProfiled; f++) {
      for (let s = 0; s < STATISTICS.length; s++) {
        const v = lastValue[f * 3 + s];
        if (!Number.isNaN(v)) gauges.push({ labels: { feature: monitoredProfiles[f].name, statistic: STATISTICS[s] }, value: v });
      }
    }
    families.push({ name: 'riskscore_feature_drift', help: 'Drift statistic of the last evaluated window, per feature (__score__: the score).', type: 'gauge', samples: gauges });
    families.push({ name: 'riskscore_monitor_listener_errors_total', help: 'Alert or window listeners that threw.', type: 'counter', samples: [{ labels: {}, value: listenerErrors }] });
    return prometheusText(families);
  }

  return {
    observe,
    observerFor(model) {
      return observers[modelOf(model, 'observerFor')];
    },
    track(id, score, model) {
      if (typeof id !== 'string' || id === '') throw new RiskscoreError('invalid_argument', `track: id must be a non-empty string, got ${JSON.stringify(id)}`, { path: ['id'] });
      if (!Number.isFinite(score)) throw new RiskscoreError('invalid_argument', `track: score must be a finite number, got ${score}`, { path: ['score'] });
      trackOutcome(ring, id, score, modelOf(model, 'track'));
    },
    recordOutcome(id, label) {
      const y = label === true ? 1 : label === false ? 0 : label;
      if (y !== 0 && y !== 1) throw new RiskscoreError('invalid_argument', `recordOutcome: label must be 0, 1, false or true, got ${JSON.stringify(label)}`, { path: ['label'] });
      if (typeof id !== 'string') throw new RiskscoreError('invalid_argument', `recordOutcome: id must be a string, got ${typeof id}`, { path: ['id'] });
      const slot = ring.slotOf.get(id);
      const joined = joinOutcome(ring, id, y);
      if (joined && slot !== undefined) outcomes[ring.models[slot] * 2 + y]++;
      return joined;
    },
    quality: () => models.map((m, v) => modelQualityFromOutcomes(m, labelledOutcomes(ring, v), calibrationBins)),
    flush: () => (win.current.rows > 0 ? closeWindow(clock()) : null),
    tick() {
      if (windowMs === 0 || win.current.rows === 0) return null;
      const now = clock();
      return now - win.currentStart >= windowMs ? closeWindow(now) : null;
    },
    metrics,
    subscribe(listener) {
      if (typeof listener !== 'function') {
        throw new RiskscoreError('invalid_argument', `subscribe: listener must be a function called with each alert, got ${listener === null ? 'null' : typeof listener}`, { path: ['listener'] });
      }
      alertListeners.push(listener);
      return () => {
        const i = alertListeners.indexOf(listener);
        if (i >= 0) alertListeners.splice(i, 1);
      };
    },
    get lastWindow() { return lastWindow; },
    monitored: monitoredProfiles.map((p) => p.name),
    unmonitored: featureNames.filter((n) => !featureProfiles.some((p) => p.name === n)),
    models,
    stateSize() {
      let bytes = win.sum.counts.byteLength + win.current.counts.byteLength + win.closedStart.byteLength;
      for (const c of win.closed) bytes += c.counts.byteLength;
      bytes += scratch.byteLength + scored.byteLength + decisions.byteLength + outcomes.byteLength + latency.counts.byteLength + latency.sumUs.byteLength;
      bytes += alertCounts.byteLength + lastValue.byteLength + ring.scores.byteLength + ring.models.byteLength + ring.labels.byteLength;
      return { typedArrayBytes: bytes, trackedIds: ring.slotOf.size, windowRows: win.sum.rows + win.current.rows };
    },
  };
}
