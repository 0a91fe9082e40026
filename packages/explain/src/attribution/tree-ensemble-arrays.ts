/**
 * How a node compares a feature with its threshold: the ONNX `ai.onnx.ml` tree
 * ensemble modes. A node sends a row to its `trueChild` when the comparison holds.
 */
export const NodeMode = {
  /** x <= threshold */
  BRANCH_LEQ: 0,
  /** x < threshold (xgboost, lightgbm) */
  BRANCH_LT: 1,
  /** x >= threshold */
  BRANCH_GTE: 2,
  /** x > threshold */
  BRANCH_GT: 3,
  /** x == threshold */
  BRANCH_EQ: 4,
  /** x != threshold */
  BRANCH_NEQ: 5,
  /** x is one of the node's set members (ai.onnx.ml opset 5 TreeEnsemble) */
  BRANCH_MEMBER: 6,
  /** a leaf: no comparison */
  LEAF: 255,
} as const;
export type NodeMode = (typeof NodeMode)[keyof typeof NodeMode];

/**
 * A tree ensemble as flat typed arrays, one slot per node of the whole ensemble
 * (all trees concatenated). Core's tree evaluator builds this from an ONNX file;
 * explain's attribution code reads it. Nothing here is per-row.
 *
 * The ensemble's output for target `k` is
 * `baseValue[k] + Σ_trees leafValue[leaf(tree, x) * nTargets + k]`,
 * a margin (logit for a binary classifier). Averaging ensembles (random forests)
 * have their leaf values already divided by the number of trees.
 */
export interface TreeEnsembleArrays {
  /** Width of the input row. */
  readonly nFeatures: number;
  /** Number of outputs (1 for a binary classifier or a regressor). */
  readonly nTargets: number;
  /** Node index of each tree's root; length = number of trees. */
  readonly treeRoot: Int32Array;
  /** Split feature per node; -1 at a leaf. */
  readonly feature: Int32Array;
  /** Threshold per node (float32 values widened to double, as ONNX stores them). */
  readonly threshold: Float64Array;
  /** {@link @riskscore/explain!NodeMode | NodeMode} per node. */
  readonly mode: Uint8Array;
  /** Child taken when the comparison holds. */
  readonly trueChild: Int32Array;
  /** Child taken when the comparison fails. */
  readonly falseChild: Int32Array;
  /** 1 when a missing value (NaN) goes to the true child, 0 when it goes to the false one. */
  readonly missingGoesTrue: Uint8Array;
  /** Leaf values, `nNodes * nTargets`, zero at internal nodes. */
  readonly leafValue: Float64Array;
  /**
   * Cover per node (sum of hessians, or training rows, that reached the node), from
   * ONNX `nodes_hitrates`; null when the model carries none (path-dependent TreeSHAP
   * then cannot run, the interventional variant can).
   */
  readonly cover: Float64Array | null;
  /**
   * For BRANCH_MEMBER nodes: the members of node `i` are
   * `memberValues[memberOffset[i] .. memberOffset[i + 1])`; null when no node uses it.
   */
  readonly memberOffset: Int32Array | null;
  readonly memberValues: Float64Array | null;
  /** Added to the sum of the trees, per target. */
  readonly baseValue: Float64Array;
}
