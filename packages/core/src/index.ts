// Public API of @riskscore/core: explicit named exports only.

/** The version of @riskscore/core (the package's `version`). */
export const VERSION = '0.1.0';

export { RiskscoreError, isRiskscoreError, RISKSCORE_ERROR_CODES } from './errors';
export type { RiskscoreErrorCode, RiskscoreErrorLike, RiskscoreErrorOptions } from './errors';
export { fromWireError, toWireError } from './wire-error';
export type { WireError } from './wire-error';

// ONNX reading and writing
export { onnxModelFromBytes, OnnxDataType } from './onnx/model';
export type { OnnxModel, OnnxNode, OnnxAttribute, OnnxValueInfo, OnnxTensor } from './onnx/model';
export { onnxModelToBytes } from './onnx/write-model';
export type { OnnxModelSpec, OnnxNodeSpec, OnnxTensorSpec, OnnxAttributeValue } from './onnx/write-model';

// Tree ensembles
export { TreeEnsemble, sigmoid } from './trees/tree-ensemble';
export type { TreeAggregate, TreePostTransform, TreeEnsembleInit } from './trees/tree-ensemble';
export { treeGraphFromOnnx, TREE_OP_TYPES } from './trees/tree-ensemble-from-onnx';
export type { TreeGraph } from './trees/tree-ensemble-from-onnx';
export { treeEnsembleFromXgboostJson, xgboostModelFromJson } from './trees/xgboost-json';
export type { XgboostModelInfo } from './trees/xgboost-json';
export { treeEnsembleToOnnx, onnxFromXgboostJson } from './trees/tree-ensemble-to-onnx';
export type { TreeOnnxOptions } from './trees/tree-ensemble-to-onnx';

// Bundles
export {
  ManifestSchema, MemberSchema, InputFieldSchema, CalibrationSchema, DecisionPolicySchema, DecisionRuleSchema,
  DecisionSchema, ReasonCodeSchema, BundleFileSchema, manifestJsonSchema,
  InputSchemaSchema, InputCategoriesSchema, GroupingSchema, categoriesOf, categoryLabel,
} from './bundle/manifest';
export type { InputSchema, InputCategories, Grouping } from './bundle/manifest';
export { eventGrouping, bandLabels, bandIndex } from './bundle/event-grouping';
export type { EventGrouping } from './bundle/event-grouping';
export type { Manifest, ManifestInput, Member, InputField, Calibration, DecisionPolicy, DecisionRule, Decision, ReasonCode } from './bundle/manifest';
export { loadBundle } from './bundle/load-bundle';
export type { BundleFiles, LoadBundleOptions, LoadedBundle, LoadedMember } from './bundle/load-bundle';
export { DEFAULT_BUNDLE_LIMITS } from './bundle/bundle-limits';
export { fitIsotonic, fitLogistic } from './ensemble/fit-logistic';
export type { LogisticFit } from './ensemble/fit-logistic';
export type { BundleLimits } from './bundle/bundle-limits';
export { bundleKeyId, signBundle, SIGNATURE_FILE } from './bundle/bundle-signature';
export type { BundleKey, BundleTrust, Ed25519Jwk, WebCryptoKey } from './bundle/bundle-signature';
export { graphOutputKind, treeOutputKind } from './bundle/member-checks';
export type { ResolvedOutput } from './bundle/member-checks';
export { sealBundle } from './bundle/seal-bundle';
export type { ManifestDraft } from './bundle/seal-bundle';

// Inference backends (implemented by @riskscore/node and @riskscore/browser)
export type { InferenceBackend, InferenceSession } from './backend/inference-backend';
export { backendFromOrt } from './backend/ort-backend';
export type { OrtModuleLike } from './backend/ort-backend';

// Scoring
export { createCalibrator, logit } from './ensemble/calibrate';
export { createDecisionPolicy } from './decision/decision-policy';
export type { DecisionOutcome } from './decision/decision-policy';
export { createEventValidator } from './scorer/event-validator';
export type { EventValidator, UnknownFieldPolicy } from './scorer/event-validator';
export { identityFeatureStep, specFeatureStep } from './scorer/feature-step';
export type { FeatureStep } from './scorer/feature-step';
export { createScorer } from './scorer/create-scorer';
export { scoreStream } from './scorer/score-stream';
export type { StreamAbortSignal, StreamOptions, StreamOutcome } from './scorer/score-stream';
export type {
  Scorer, ScorerOptions, ScoreOptions, ScoreResult, ScoreReason, ScoreTimings, ScoreObserver, ScoreOutcome, IdempotencyOptions,
} from './scorer/create-scorer';
export type { ExplainOptions, ScoreExplanation } from './scorer/score-explainer';
export { sha256Hex } from './util/sha256';
export { eventIdOf } from './util/event-id';

// --- monitor (drift, latency, counters, late outcomes) ---
export { createMonitor } from './monitor/create-monitor';
export type { Monitor, MonitorOptions, MonitorReferenceSource, MonitorStateSize } from './monitor/create-monitor';
export type { DriftAlert, MonitorAlert, MonitorStatistic, MonitorWindowSpan, WindowReport } from './monitor/monitor-alert';
export type { DriftSignificance, DriftTest } from './monitor/drift-significance';
export { modelQualityFromOutcomes } from './monitor/model-quality';
export type { ModelQuality } from './monitor/model-quality';
export { referenceProfileFromRows, categoricalFeaturesOf, SCORE_FEATURE } from './monitor/reference-from-rows';
export type { ReferenceFromRowsOptions } from './monitor/reference-from-rows';
export { latencyBucketBoundsUs, latencyBucket } from './monitor/latency-histogram';
export { prometheusText } from './monitor/prometheus-text';
export type { PrometheusFamily, PrometheusSample } from './monitor/prometheus-text';
// --- end monitor ---

// --- model registry (versions, aliases, experiments, shadows, outcomes) ---
export { createModelRegistry } from './registry/model-registry';
export type {
  ModelRegistry, ModelRegistryOptions, RoutedScoreResult, RoutedScoreOutcome, VersionInfo, AuditEntry, ChangeOptions, RegistryStats,
} from './registry/model-registry';
export { checkExperiment } from './registry/experiment';
export type { ExperimentConfig, ExperimentArm, SegmentRule, ShadowSpec } from './registry/experiment';
export type { LabelledSample, LedgerScore } from './registry/outcome-ledger';
export type { Verdict, VerdictOptions, VersionQuality, RateWithCi } from './registry/experiment-verdict';
export { createExperimentGuard } from './registry/experiment-guard';
export type { ExperimentGuard, ExperimentGuardOptions, GuardCheck, GuardrailLimits } from './registry/experiment-guard';
export { splitPoint } from './registry/split-hash';
export { featureSpecKey } from './scorer/create-scorer';
export type { BatchOptions } from './scorer/create-scorer';
// --- end model registry ---
