// Public API of @riskscore/explain: explicit named exports only.
// Each area keeps its own block; add your lines inside your block.

export { ExplainError } from './errors';
export type { ExplainErrorCode, ExplainErrorOptions } from './errors';

// --- attribution (TreeSHAP, KernelSHAP, LIME) ---
export { NodeMode } from './attribution/tree-ensemble-arrays';
export type { TreeEnsembleArrays } from './attribution/tree-ensemble-arrays';
export { createTreeExplainer } from './attribution/tree-explainer';
export type { FeatureRow, TreeExplainer, TreeExplainerOptions } from './attribution/tree-explainer';
export { createTreeInteractionExplainer } from './attribution/tree-interaction-explainer';
export type { TreeInteractionExplainer } from './attribution/tree-interaction-explainer';
export { createInterventionalTreeExplainer } from './attribution/interventional-tree-explainer';
export type { InterventionalTreeExplainer } from './attribution/interventional-tree-explainer';
export { createKernelExplainer } from './attribution/kernel-explainer';
export type { KernelExplainer, KernelExplainerOptions } from './attribution/kernel-explainer';
export { createLimeExplainer } from './attribution/lime-explainer';
export type { LimeExplainer, LimeExplainerOptions, LimeExplanation } from './attribution/lime-explainer';
export { combineEnsembleAttributions } from './attribution/ensemble-attribution';
export { createFieldGrouping } from './attribution/field-grouping';
export type { FieldGrouping } from './attribution/field-grouping';
export { topAdverseFactors } from './attribution/top-adverse-factors';
export type { AdverseFactor, TopAdverseOptions } from './attribution/top-adverse-factors';
export { waterfallSvg } from './plots/waterfall-svg';
export type { WaterfallInput } from './plots/waterfall-svg';
export { summarySvg } from './plots/summary-svg';
export { escapeXml } from './plots/svg-helpers';
export type { SummaryInput } from './plots/summary-svg';
export { predictInBatches } from './attribution/batch-predict';
export type { BatchPredict } from './attribution/batch-predict';
export { checkTreeEnsemble } from './attribution/check-tree-ensemble';
export type { TreeEnsembleShape } from './attribution/check-tree-ensemble';
export { createSeededRandom } from './attribution/seeded-random';
export type { SeededRandom } from './attribution/seeded-random';
// --- end attribution ---

// --- statistics (drift, quality, fairness) ---
export { ksTwoSample } from './drift/ks-two-sample';
export type { KsMethod, KsTwoSampleResult } from './drift/ks-two-sample';
export { kolmogorovSurvival, smirnovSurvival } from './drift/kolmogorov-distribution';
export { chiSquareSurvival } from './drift/chi-square-distribution';
export { chiSquareTest } from './drift/chi-square-test';
export type { ChiSquareResult } from './drift/chi-square-test';
export { jensenShannonDistance } from './drift/jensen-shannon';
export { wassersteinDistance, normalizedWassersteinDistance } from './drift/wasserstein';
export { populationStabilityIndex, populationStabilityIndexFromSamples, DEFAULT_PSI_EPSILON } from './drift/population-stability-index';
export { quantileEdges, binIndex } from './drift/quantile-edges';
export type { NumericSample } from './drift/check-sample';
export { DEFAULT_DRIFT_THRESHOLDS } from './drift/drift-thresholds';
export type { DriftThresholds } from './drift/drift-thresholds';
export { createReferenceProfile, validateReferenceProfile } from './drift/reference-profile';
export type { ReferenceProfile, FeatureProfile, NumericFeatureProfile, CategoricalFeatureProfile, ReferenceColumn } from './drift/reference-profile';
export { createDriftCounts, recordDriftRow, recordDriftColumn, addDriftCounts, resetDriftCounts, referenceBucketCounts } from './drift/drift-counts';
export type { DriftCounts } from './drift/drift-counts';
export { driftStatus, featureDriftFromSamples, featureDriftFromCounts, summarizeDrift } from './drift/feature-drift';
export type { DriftStatistic, DriftStatus, FeatureDrift, DriftSummary, CountsDriftOptions } from './drift/feature-drift';
export { driftNullModel, driftPValue } from './drift/drift-null';
export type { DriftNullModel, DriftNullOptions } from './drift/drift-null';
export { benjaminiHochberg } from './drift/benjamini-hochberg';
export type { BenjaminiHochbergResult } from './drift/benjamini-hochberg';
export { rocAuc, gini } from './quality/roc-auc';
export { averagePrecision } from './quality/average-precision';
export { thresholdMetrics } from './quality/threshold-metrics';
export type { ThresholdMetrics } from './quality/threshold-metrics';
export { recallAtFpr, ksStatistic } from './quality/roc-derived';
export { brierScore } from './quality/brier-score';
export { calibrationCurve } from './quality/calibration-curve';
export type { CalibrationCurve } from './quality/calibration-curve';
export { cardPrecisionAtK } from './quality/card-precision-at-k';
export { rocSteps } from './quality/binary-inputs';
export type { Scores, BinaryLabels } from './quality/binary-inputs';
export { groupMetrics, fairnessSummary } from './fairness/group-metrics';
export type { FairnessSummaryOptions, FavourableOutcome } from './fairness/group-metrics';
export type { GroupMetrics, FairnessSummary } from './fairness/group-metrics';
export type { GroupCodes } from './fairness/group-codes';
export { kamiranCaldersWeights } from './fairness/reweighing';
export { optimizeGroupThresholds, applyGroupThresholds } from './fairness/threshold-optimizer';
export type { FairnessConstraint, ThresholdOptimizerOptions, GroupThresholds } from './fairness/threshold-optimizer';
// model comparison (DeLong, two proportions, always-valid sequential test)
export { aucCi, delongTestPaired, delongTestUnpaired } from './compare/delong';
export type { AucCi, DelongPairedResult, DelongUnpairedResult } from './compare/delong';
export type { CompareScores, LevelOptions } from './compare/compare-inputs';
export { twoProportionTest, wilsonInterval } from './compare/two-proportion';
export type { TwoProportionResult, ProportionInterval } from './compare/two-proportion';
export { createSequentialTest, sequentialTest, mixtureLogLikelihoodRatio, mixtureHalfWidth } from './compare/sequential-test';
export type { SequentialTest, SequentialTestOptions, SequentialTestState, SequentialDecision } from './compare/sequential-test';
export { normalCdf, normalSurvival, normalQuantile } from './compare/normal-distribution';
export { studentTTwoSided, studentTSurvival, studentTQuantile } from './compare/student-t';
export { bootstrapCi } from './compare/bootstrap-ci';
export type { BootstrapCi, BootstrapOptions } from './compare/bootstrap-ci';
// --- end statistics ---
