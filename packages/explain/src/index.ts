// Public API of @riskscore/explain: explicit named exports only.
// Each area keeps its own block; add your lines inside your block.

export { ExplainError } from './errors';
export type { ExplainErrorCode } from './errors';

// --- attribution (TreeSHAP, KernelSHAP, LIME) ---
export { NodeMode } from './attribution/tree-ensemble-arrays';
export type { TreeEnsembleArrays } from './attribution/tree-ensemble-arrays';
// --- end attribution ---

// --- statistics (drift, quality, fairness) ---
// --- end statistics ---
