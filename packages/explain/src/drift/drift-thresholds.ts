/** Thresholds that turn a drift statistic into a verdict. */
export interface DriftThresholds {
  /** PSI at or above this is a moderate shift ("warning"). */
  readonly psiWarning: number;
  /** PSI at or above this is a significant shift ("drift"). */
  readonly psiDrift: number;
  /** KS and chi-square: p below this is drift. */
  readonly pValue: number;
  /** Jensen–Shannon distance (base 2) at or above this is drift. */
  readonly jensenShannon: number;
  /** Wasserstein-1 over the reference standard deviation at or above this is drift. */
  readonly normalizedWasserstein: number;
  /** The dataset drifts when at least this share of features drift. */
  readonly datasetShare: number;
}

/**
 * The usual defaults: PSI 0.1 / 0.25 (Siddiqi 2006), p < 0.05, JS distance 0.1 and
 * normalised Wasserstein 0.1 (Evidently's defaults), dataset drift when half the features drift.
 *
 * @example
 * const t = { ...DEFAULT_DRIFT_THRESHOLDS, psiDrift: 0.2 };
 */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = Object.freeze({
  psiWarning: 0.1,
  psiDrift: 0.25,
  pValue: 0.05,
  jensenShannon: 0.1,
  normalizedWasserstein: 0.1,
  datasetShare: 0.5,
});
