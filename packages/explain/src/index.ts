// Public API of @riskscore/explain: explicit named exports only.
// Each area keeps its own block; add your lines inside your block.

export { ExplainError } from './errors';
export type { ExplainErrorCode } from './errors';

// --- attribution (TreeSHAP, KernelSHAP, LIME) ---
export { NodeMode } from './attribution/tree-ensemble-arrays';
export type { TreeEnsembleArrays } from './attribution/tree-ensemble-arrays';
export { createTreeExplainer } from './attribution/tree-explainer';
export type { FeatureRow, TreeExplainer, TreeExplainerOptions } from './attribution/tree-explainer';
export { createInterventionalTreeExplainer } from './attribution/interventional-tree-explainer';
export type { InterventionalTreeExplainer } from './attribution/interventional-tree-explainer';
export { createKernelExplainer } from './attribution/kernel-explainer';
export type { KernelExplainer, KernelExplainerOptions } from './attribution/kernel-explainer';
export { predictInBatches } from './attribution/batch-predict';
export type { BatchPredict } from './attribution/batch-predict';
export { checkTreeEnsemble } from './attribution/check-tree-ensemble';
export type { TreeEnsembleShape } from './attribution/check-tree-ensemble';
export { createSeededRandom } from './attribution/seeded-random';
export type { SeededRandom } from './attribution/seeded-random';
// --- end attribution ---

// --- statistics (drift, quality, fairness) ---
// --- end statistics ---
