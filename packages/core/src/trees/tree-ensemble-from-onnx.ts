/**
 * Parsing ONNX `ai.onnx.ml` tree-ensemble nodes into flat arrays: TreeEnsembleRegressor
 * and TreeEnsembleClassifier (opsets 1 and 3, including the `*_as_tensor` double
 * attributes) and the unified TreeEnsemble (opset 5, with BRANCH_MEMBER).
 * Spec: https://github.com/onnx/onnx/blob/main/docs/Operators-ml.md
 */
import { NodeMode } from '@riskscore/explain';
import { RiskscoreError } from '../errors';
import { onnxModelFromBytes, type OnnxAttribute, type OnnxModel, type OnnxNode } from '../onnx/model';
import { TreeEnsemble, type TreeAggregate, type TreePostTransform } from './tree-ensemble';

const MODE_BY_NAME: Record<string, number> = {
  BRANCH_LEQ: NodeMode.BRANCH_LEQ,
  BRANCH_LT: NodeMode.BRANCH_LT,
  BRANCH_GTE: NodeMode.BRANCH_GTE,
  BRANCH_GT: NodeMode.BRANCH_GT,
  BRANCH_EQ: NodeMode.BRANCH_EQ,
  BRANCH_NEQ: NodeMode.BRANCH_NEQ,
  BRANCH_MEMBER: NodeMode.BRANCH_MEMBER,
  LEAF: NodeMode.LEAF,
};
const AGGREGATES: TreeAggregate[] = ['AVERAGE', 'SUM', 'MIN', 'MAX'];
const POST_TRANSFORMS: TreePostTransform[] = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'];

/** The tree-ensemble op types core evaluates natively. */
export const TREE_OP_TYPES = ['TreeEnsembleRegressor', 'TreeEnsembleClassifier', 'TreeEnsemble'] as const;

function bad(node: OnnxNode, message: string, attr?: string): never {
  throw new RiskscoreError('invalid_onnx', `${node.opType} '${node.name}': ${message}`, { path: attr ? ['attributes', attr] : [] });
}

function nums(node: OnnxNode, name: string, required: boolean): number[] {
  const a: OnnxAttribute | undefined = node.attributes.get(name) ?? node.attributes.get(`${name}_as_tensor`);
  if (!a) {
    if (required) bad(node, `missing attribute ${name}`, name);
    return [];
  }
  return a.floats ?? a.ints ?? a.t?.values ?? [];
}

function str(node: OnnxNode, name: string, dflt: string): string {
  return node.attributes.get(name)?.s ?? dflt;
}

function sameLength(node: OnnxNode, n: number, arrays: Record<string, number[] | string[]>): void {
  for (const [name, a] of Object.entries(arrays)) {
    if (a.length !== 0 && a.length !== n) bad(node, `attribute ${name} has ${a.length} entries, expected ${n} (one per node)`, name);
  }
}

/** Builds arrays from the per-node tuples of TreeEnsembleRegressor/Classifier. */
function fromLegacy(node: OnnxNode, nFeatures: number): TreeEnsemble {
  const treeIds = nums(node, 'nodes_treeids', true);
  const nodeIds = nums(node, 'nodes_nodeids', true);
  const featureIds = nums(node, 'nodes_featureids', true);
  const values = nums(node, 'nodes_values', true);
  const modes = node.attributes.get('nodes_modes')?.strings ?? bad(node, 'missing attribute nodes_modes', 'nodes_modes');
  const trueIds = nums(node, 'nodes_truenodeids', true);
  const falseIds = nums(node, 'nodes_falsenodeids', true);
  const missing = nums(node, 'nodes_missing_value_tracks_true', false);
  const hitrates = nums(node, 'nodes_hitrates', false);
  const n = treeIds.length;
  sameLength(node, n, { nodes_nodeids: nodeIds, nodes_featureids: featureIds, nodes_values: values, nodes_modes: modes,
    nodes_truenodeids: trueIds, nodes_falsenodeids: falseIds, nodes_missing_value_tracks_true: missing, nodes_hitrates: hitrates });

  const isClassifier = node.opType === 'TreeEnsembleClassifier';
  const prefix = isClassifier ? 'class' : 'target';
  const tTree = nums(node, `${prefix}_treeids`, true);
  const tNode = nums(node, `${prefix}_nodeids`, true);
  const tIds = nums(node, `${prefix}_ids`, true);
  const tWeights = nums(node, `${prefix}_weights`, true);
  sameLength(node, tTree.length, { [`${prefix}_nodeids`]: tNode, [`${prefix}_ids`]: tIds, [`${prefix}_weights`]: tWeights });

  let nTargets: number;
  let baseValues = nums(node, 'base_values', false);
  let postTransform = str(node, 'post_transform', 'NONE') as TreePostTransform;
  if (isClassifier) {
    const labels = node.attributes.get('classlabels_int64s')?.ints ?? node.attributes.get('classlabels_strings')?.strings ?? [];
    const maxId = tIds.reduce((m, v) => Math.max(m, v), 0);
    if (labels.length === 2 && maxId === 0) {
      // Binary classifier with one weight column (what onnxmltools writes for xgboost):
      // ONNX Runtime scores the positive class as v = Σ leaves + base, and reports
      // [−v, v] (or [σ(−v), σ(v)] with LOGISTIC). Core keeps the one target v. With two
      // base values ORT drops the leaves of the second column, so such a file is refused
      // rather than read one way here and another way there.
      if (baseValues.length > 1) bad(node, `a binary classifier with one weight column must have one base value, got ${baseValues.length}`, 'base_values');
      nTargets = 1;
    } else {
      nTargets = labels.length;
    }
  } else {
    nTargets = node.attributes.get('n_targets')?.i ?? 1;
  }
  if (!POST_TRANSFORMS.includes(postTransform)) bad(node, `unknown post_transform ${postTransform}`, 'post_transform');
  // ONNX Runtime (the reference runtime, checked in tests) applies only PROBIT to a
  // single-target regressor and ignores LOGISTIC/SOFTMAX there; do the same so a file
  // means one thing in both. Writers that want a probability add a Sigmoid node.
  if (!isClassifier && nTargets === 1 && postTransform !== 'PROBIT') postTransform = 'NONE';
  const aggregate = str(node, 'aggregate_function', 'SUM') as TreeAggregate;
  if (!AGGREGATES.includes(aggregate)) bad(node, `unknown aggregate_function ${aggregate}`, 'aggregate_function');

  // Map (tree id, node id) → global index; trees in order of first appearance.
  const treeOrder = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    let m = treeOrder.get(treeIds[i]);
    if (!m) treeOrder.set(treeIds[i], (m = new Map()));
    if (m.has(nodeIds[i])) bad(node, `tree ${treeIds[i]} lists node ${nodeIds[i]} twice`, 'nodes_nodeids');
    m.set(nodeIds[i], i);
  }
  const lookup = (tree: number, id: number, attr: string): number => {
    const idx = treeOrder.get(tree)?.get(id);
    if (idx === undefined) bad(node, `tree ${tree} has no node ${id}`, attr);
    return idx;
  };
  const feature = new Int32Array(n);
  const threshold = new Float64Array(n);
  const mode = new Uint8Array(n);
  const trueChild = new Int32Array(n);
  const falseChild = new Int32Array(n);
  const missingGoesTrue = new Uint8Array(n);
  const cover = hitrates.length === n ? new Float64Array(hitrates) : null;
  for (let i = 0; i < n; i++) {
    const m = MODE_BY_NAME[modes[i]];
    if (m === undefined || m === NodeMode.BRANCH_MEMBER) bad(node, `node ${i} has unknown mode ${modes[i]}`, 'nodes_modes');
    mode[i] = m;
    threshold[i] = values[i];
    missingGoesTrue[i] = missing.length ? (missing[i] ? 1 : 0) : 0;
    if (m === NodeMode.LEAF) {
      feature[i] = -1;
      trueChild[i] = falseChild[i] = i;
    } else {
      feature[i] = featureIds[i];
      trueChild[i] = lookup(treeIds[i], trueIds[i], 'nodes_truenodeids');
      falseChild[i] = lookup(treeIds[i], falseIds[i], 'nodes_falsenodeids');
    }
  }
  const leafValue = new Float64Array(n * nTargets);
  for (let j = 0; j < tTree.length; j++) {
    const idx = lookup(tTree[j], tNode[j], `${prefix}_nodeids`);
    const k = tIds[j];
    if (k < 0 || k >= nTargets) bad(node, `${prefix}_ids[${j}] = ${tIds[j]} is outside 0..${nTargets - 1}`, `${prefix}_ids`);
    if (mode[idx] !== NodeMode.LEAF) bad(node, `weight ${j} is attached to a branch node`, `${prefix}_nodeids`);
    leafValue[idx * nTargets + k] += tWeights[j];
  }
  // Roots: the node of each tree that no other node points at.
  const pointed = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (mode[i] !== NodeMode.LEAF) { pointed[trueChild[i]] = 1; pointed[falseChild[i]] = 1; }
  const roots: number[] = [];
  for (const m of treeOrder.values()) {
    const rs = [...m.values()].filter((i) => !pointed[i]);
    if (rs.length !== 1) bad(node, `a tree has ${rs.length} roots, expected 1`, 'nodes_nodeids');
    roots.push(rs[0]);
  }
  const baseValue = new Float64Array(nTargets);
  if (baseValues.length !== 0 && baseValues.length !== nTargets) bad(node, `base_values has ${baseValues.length} entries, expected ${nTargets}`, 'base_values');
  baseValue.set(baseValues);
  return new TreeEnsemble({
    nFeatures, nTargets, treeRoot: Int32Array.from(roots), feature, threshold, mode, trueChild, falseChild,
    missingGoesTrue, leafValue, cover, memberOffset: null, memberValues: null, baseValue, aggregate, postTransform,
  });
}

/** ai.onnx.ml opset 5 TreeEnsemble: separate node and leaf tables, modes as a uint8 tensor. */
function fromUnified(node: OnnxNode, nFeatures: number): TreeEnsemble {
  const roots = nums(node, 'tree_roots', true);
  const featureIds = nums(node, 'nodes_featureids', true);
  const splits = nums(node, 'nodes_splits', true);
  const modes = nums(node, 'nodes_modes', true);
  const trueIds = nums(node, 'nodes_truenodeids', true);
  const trueLeaf = nums(node, 'nodes_trueleafs', true);
  const falseIds = nums(node, 'nodes_falsenodeids', true);
  const falseLeaf = nums(node, 'nodes_falseleafs', true);
  const missing = nums(node, 'nodes_missing_value_tracks_true', false);
  const hitrates = nums(node, 'nodes_hitrates', false);
  const membership = nums(node, 'membership_values', false);
  const leafTargets = nums(node, 'leaf_targetids', true);
  const leafWeights = nums(node, 'leaf_weights', true);
  const nTargets = node.attributes.get('n_targets')?.i ?? 1;
  const aggregate = AGGREGATES[node.attributes.get('aggregate_function')?.i ?? 1];
  const postTransform = POST_TRANSFORMS[node.attributes.get('post_transform')?.i ?? 0];
  if (!aggregate) bad(node, 'unknown aggregate_function', 'aggregate_function');
  if (!postTransform) bad(node, 'unknown post_transform', 'post_transform');
  const nInner = featureIds.length;
  sameLength(node, nInner, { nodes_splits: splits, nodes_modes: modes, nodes_truenodeids: trueIds, nodes_trueleafs: trueLeaf,
    nodes_falsenodeids: falseIds, nodes_falseleafs: falseLeaf, nodes_missing_value_tracks_true: missing, nodes_hitrates: hitrates });
  sameLength(node, leafTargets.length, { leaf_weights: leafWeights });
  // Global layout: inner nodes first, then one slot per leaf-table entry.
  const nLeaves = leafTargets.length;
  const n = nInner + nLeaves;
  const feature = new Int32Array(n).fill(-1);
  const threshold = new Float64Array(n);
  const mode = new Uint8Array(n).fill(NodeMode.LEAF);
  const trueChild = new Int32Array(n);
  const falseChild = new Int32Array(n);
  const missingGoesTrue = new Uint8Array(n);
  const leafValue = new Float64Array(n * nTargets);
  const memberOffset = new Int32Array(n + 1);
  const memberValues: number[] = [];
  // membership_values: NaN-separated groups, one per BRANCH_MEMBER node in node order.
  let mPos = 0;
  for (let i = 0; i < nInner; i++) {
    const m = modes[i];
    if (!(m >= 0 && m <= 6)) bad(node, `node ${i} has unknown mode ${m}`, 'nodes_modes');
    mode[i] = m;
    feature[i] = featureIds[i];
    threshold[i] = splits[i];
    missingGoesTrue[i] = missing.length ? (missing[i] ? 1 : 0) : 0;
    trueChild[i] = trueLeaf[i] ? nInner + trueIds[i] : trueIds[i];
    falseChild[i] = falseLeaf[i] ? nInner + falseIds[i] : falseIds[i];
    memberOffset[i] = memberValues.length;
    if (m === NodeMode.BRANCH_MEMBER) {
      while (mPos < membership.length && !Number.isNaN(membership[mPos])) memberValues.push(membership[mPos++]);
      mPos++;
    }
    memberOffset[i + 1] = memberValues.length;
  }
  for (let j = nInner; j <= n; j++) memberOffset[j] = memberValues.length;
  for (let j = 0; j < nLeaves; j++) {
    const k = leafTargets[j];
    if (k < 0 || k >= nTargets) bad(node, `leaf_targetids[${j}] = ${k} is outside 0..${nTargets - 1}`, 'leaf_targetids');
    leafValue[(nInner + j) * nTargets + k] += leafWeights[j];
    trueChild[nInner + j] = falseChild[nInner + j] = nInner + j;
  }
  // A tree that is a single leaf has its root in the leaf table; ONNX marks that with
  // nodes_trueleafs on a dummy node, so roots always index inner nodes here.
  const cover = hitrates.length === nInner ? new Float64Array(n) : null;
  if (cover) cover.set(hitrates);
  return new TreeEnsemble({
    nFeatures, nTargets, treeRoot: Int32Array.from(roots), feature, threshold, mode, trueChild, falseChild,
    missingGoesTrue, leafValue, cover, memberOffset: memberValues.length ? memberOffset : null,
    memberValues: memberValues.length ? Float64Array.from(memberValues) : null, baseValue: new Float64Array(nTargets),
    aggregate, postTransform,
  });
}

/** What a tree member's graph computes, beside the trees themselves. */
export interface TreeGraph {
  trees: TreeEnsemble;
  inputName: string;
  /** The graph output that carries the tree margins/scores. */
  outputName: string;
  /** The graph output that carries the raw tree scores. */
  marginOutputName: string;
  /** What the graph applies after the trees: `Sigmoid` (binary) or `Softmax` (multi-class). */
  outputTransform: 'none' | 'sigmoid' | 'softmax';
}

/**
 * Parses the single tree-ensemble node of an ONNX model (bytes or decoded). The input
 * width comes from the graph input's second dimension.
 *
 * @example
 * const { trees } = treeGraphFromOnnx(bytes);
 * trees.nTrees; // 200
 */
export function treeGraphFromOnnx(modelOrBytes: OnnxModel | Uint8Array): TreeGraph {
  if (!(modelOrBytes instanceof Uint8Array) && (modelOrBytes === null || typeof modelOrBytes !== 'object' || !Array.isArray(modelOrBytes.nodes))) {
    throw new RiskscoreError('invalid_argument', 'treeGraphFromOnnx: pass the .onnx bytes (Uint8Array) or a model from onnxModelFromBytes', { path: ['modelOrBytes'] });
  }
  const model = modelOrBytes instanceof Uint8Array ? onnxModelFromBytes(modelOrBytes) : modelOrBytes;
  const treeNodes = model.nodes.filter((n) => (TREE_OP_TYPES as readonly string[]).includes(n.opType));
  if (treeNodes.length !== 1) {
    throw new RiskscoreError('invalid_onnx', `expected exactly one tree-ensemble node, found ${treeNodes.length}`);
  }
  const node = treeNodes[0];
  if (model.inputs.length !== 1) throw new RiskscoreError('invalid_onnx', `a tree model must have one input, found ${model.inputs.length}`);
  const input = model.inputs[0];
  const width = input.shape?.[1];
  if (typeof width !== 'number') {
    throw new RiskscoreError('invalid_onnx', `tree model input '${input.name}' must have a fixed second dimension (the feature count)`, {
      path: ['inputs', 0, 'shape'],
    });
  }
  const trees = node.opType === 'TreeEnsemble' ? fromUnified(node, width) : fromLegacy(node, width);
  // Which graph output to read: the classifier's scores are its second output.
  const scoreName = node.opType === 'TreeEnsembleClassifier' ? node.outputs[1] : node.outputs[0];
  const others = model.nodes.filter((n) => n !== node);
  let outputName = scoreName;
  let outputTransform: TreeGraph['outputTransform'] = 'none';
  const after = others[0];
  if (others.length === 1 && (after.opType === 'Sigmoid' || after.opType === 'Softmax') && after.inputs[0] === scoreName) {
    outputName = after.outputs[0];
    outputTransform = after.opType === 'Sigmoid' ? 'sigmoid' : 'softmax';
  } else if (others.length > 0) {
    throw new RiskscoreError('invalid_onnx', `a tree model may hold only the ensemble and an optional Sigmoid or Softmax, found ${others.map((o) => o.opType).join(', ')}`);
  }
  return { trees, inputName: input.name, outputName, marginOutputName: scoreName, outputTransform };
}
