/**
 * What a monitor reports: the span of a window, a drift alert, the report of one window
 * close. Plain JSON-serialisable objects.
 */
import type { DriftSummary, FeatureDrift } from '@riskscore/explain';
import type { DriftSignificance } from './drift-significance';

/** The drift statistics a monitor computes and can alert on. */
export type MonitorStatistic = 'psi' | 'jensen_shannon' | 'chi_square';

/** The events a window covered: clock times (ms) of its first and closing event, and its row count. */
export interface MonitorWindowSpan {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/**
 * A feature (or the score, `feature === SCORE_FEATURE`) whose window distribution moved
 * away from the reference. `threshold` is what `value` crossed: the PSI warning or drift
 * level, the Jensen–Shannon distance level, or for chi-square the p-value level that
 * `pValue` fell below (`value` is then the chi-square statistic; with the monitor's
 * false discovery rate on, `threshold` is that rate, which the adjusted p-value fell below). With the false discovery rate on (the default), `pValue` is the
 * feature's test (its JS distance against the null at this window's size, or its
 * chi-square) and `adjustedPValue` that p-value after Benjamini–Hochberg.
 */
export interface DriftAlert {
  readonly type: 'drift';
  readonly feature: string;
  readonly statistic: MonitorStatistic;
  readonly value: number;
  readonly pValue: number | null;
  /** Benjamini–Hochberg adjusted p-value of the feature's test; null when the monitor tests nothing (falseDiscoveryRate: null). */
  readonly adjustedPValue: number | null;
  readonly threshold: number;
  /** `warning`: PSI between the warning and drift levels; `critical`: past the PSI drift level, and every JS or chi-square alert. */
  readonly severity: 'warning' | 'critical';
  readonly window: MonitorWindowSpan;
}

/** The alert types a monitor emits (one for now; a union so that more can join). */
export type MonitorAlert = DriftAlert;

/** The result of one window close. */
export interface WindowReport {
  /** 1 for the first sub-window closed, then 2, 3, … */
  readonly index: number;
  /** The evaluated (sliding) window: the last ≤ k sub-windows. */
  readonly window: MonitorWindowSpan;
  /** Sub-windows in the evaluated window. */
  readonly subWindows: number;
  /** Every statistic of every monitored feature and of the score. */
  readonly drift: readonly FeatureDrift[];
  /** Share of drifted features by PSI (the score left out). */
  readonly summary: DriftSummary;
  readonly alerts: readonly MonitorAlert[];
  /** True when the window held fewer rows than the monitor's `minWindowEvents`: reported, but it raised no alert. */
  readonly belowMinimum: boolean;
  /** The window's drift tests after Benjamini–Hochberg; null below the minimum or with falseDiscoveryRate: null. */
  readonly significance: DriftSignificance | null;
}
