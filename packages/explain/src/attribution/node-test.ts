import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/**
 * Whether a row whose split feature has value `value` goes to the `trueChild` of
 * internal node `node`: the ONNX `ai.onnx.ml` comparison of the node's mode, and the
 * node's missing-value direction for NaN (a NaN never satisfies a comparison, so every
 * mode routes it explicitly by `missingGoesTrue`).
 *
 * Thresholds are float32 values widened to double and rows hold float32 values (or
 * doubles that are exactly float32), so the double comparison here is the same as
 * the float32 comparison xgboost and ONNX Runtime make.
 *
 * @example
 * goesTrue(model, model.treeRoot[0], 0.5); // true when the root says x < t with t > 0.5
 */
export function goesTrue(model: TreeEnsembleArrays, node: number, value: number): boolean {
  if (value !== value) return model.missingGoesTrue[node] === 1;
  const t = model.threshold[node];
  switch (model.mode[node]) {
    case NodeMode.BRANCH_LT:
      return value < t;
    case NodeMode.BRANCH_LEQ:
      return value <= t;
    case NodeMode.BRANCH_GTE:
      return value >= t;
    case NodeMode.BRANCH_GT:
      return value > t;
    case NodeMode.BRANCH_EQ:
      return value === t;
    case NodeMode.BRANCH_NEQ:
      return value !== t;
    default: {
      // BRANCH_MEMBER (validated by checkTreeEnsemble: offsets and values exist).
      const off = model.memberOffset as Int32Array;
      const vals = model.memberValues as Float64Array;
      for (let j = off[node], end = off[node + 1]; j < end; j++) if (vals[j] === value) return true;
      return false;
    }
  }
}

/**
 * The child a row takes at internal node `node`.
 *
 * @example
 * let n = model.treeRoot[0];
 * while (model.mode[n] !== NodeMode.LEAF) n = nextNode(model, n, row);
 */
export function nextNode(model: TreeEnsembleArrays, node: number, row: ArrayLike<number>): number {
  return goesTrue(model, node, row[model.feature[node]]) ? model.trueChild[node] : model.falseChild[node];
}

/**
 * The margin of the ensemble for target `target` on one row: `baseValue[target] +
 * Σ_trees leafValue(leaf(tree, row))`. A reference evaluator for tests and for the
 * bias of the interventional explainer; core has its own fast evaluator.
 *
 * @example
 * treeEnsembleMargin(model, new Float32Array([1, 2, 3])); // 0.42
 */
export function treeEnsembleMargin(model: TreeEnsembleArrays, row: ArrayLike<number>, target = 0): number {
  let sum = model.baseValue[target];
  const roots = model.treeRoot;
  for (let t = 0; t < roots.length; t++) {
    let n = roots[t];
    while (model.mode[n] !== NodeMode.LEAF) n = nextNode(model, n, row);
    sum += model.leafValue[n * model.nTargets + target];
  }
  return sum;
}
