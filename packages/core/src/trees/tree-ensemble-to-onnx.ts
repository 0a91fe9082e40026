/**
 * Writing a {@link TreeEnsemble} as an ONNX `ai.onnx.ml` TreeEnsembleRegressor (opset 3),
 * with node cover in `nodes_hitrates` so TreeSHAP can run on the file later, and for a
 * binary logistic model a `Sigmoid` after it: the graph outputs both `margin` and
 * `probability`. ONNX Runtime loads and runs the result (tested), so the file is the
 * cross-check of core's own evaluator.
 *
 * Why a regressor and not a classifier: ONNX Runtime's binary classifier path has
 * special cases (one weight column, positive-weight detection) that change the output;
 * a regressor's output is the margin, plainly.
 */
import { NodeMode } from '@riskscore/explain';
import { RiskscoreError } from '../errors';
import { onnxModelToBytes } from '../onnx/write-model';
import { TreeEnsemble } from './tree-ensemble';
import { xgboostModelFromJson } from './xgboost-json';

const MODE_NAMES: Record<number, string> = {
  [NodeMode.BRANCH_LEQ]: 'BRANCH_LEQ', [NodeMode.BRANCH_LT]: 'BRANCH_LT', [NodeMode.BRANCH_GTE]: 'BRANCH_GTE',
  [NodeMode.BRANCH_GT]: 'BRANCH_GT', [NodeMode.BRANCH_EQ]: 'BRANCH_EQ', [NodeMode.BRANCH_NEQ]: 'BRANCH_NEQ', [NodeMode.LEAF]: 'LEAF',
};

/**
 * Options of treeEnsembleToOnnx and onnxFromXgboostJson: the graph input name, the
 * producer name (default `riskscore`) and metadata. A value of the wrong type throws
 * `invalid_argument`.
 */
export interface TreeOnnxOptions {
  /** Graph input name (default `features`). */
  inputName?: string;
  producerName?: string;
  /** Written into the model's metadata_props. */
  metadata?: Record<string, string>;
}

/** Refuses options the writer would otherwise ignore or write as garbage (a non-string name, non-string metadata). */
function checkTreeOnnxOptions(fn: string, options: TreeOnnxOptions): void {
  const bad = (path: Array<string | number>, rule: string, v: unknown): never => {
    throw new RiskscoreError('invalid_argument', `${fn}: ${path.join('.')} ${rule}, got ${v === null ? 'null' : typeof v}`, { path });
  };
  if (typeof options !== 'object' || options === null) bad(['options'], 'must be an object { inputName?, producerName?, metadata? }', options);
  if (options.inputName !== undefined && (typeof options.inputName !== 'string' || options.inputName === '')) bad(['options', 'inputName'], 'must be a non-empty string (the graph input name)', options.inputName);
  if (options.producerName !== undefined && typeof options.producerName !== 'string') bad(['options', 'producerName'], 'must be a string', options.producerName);
  const md = options.metadata as unknown;
  if (md !== undefined) {
    if (typeof md !== 'object' || md === null || Array.isArray(md)) bad(['options', 'metadata'], 'must be an object of string values', md);
    for (const [k, v] of Object.entries(md as Record<string, unknown>)) if (typeof v !== 'string') bad(['options', 'metadata', k], 'must be a string', v);
  }
}

/**
 * Encodes a tree ensemble as ONNX bytes. Options that are not of their documented type
 * throw `invalid_argument` at `['options', name]`. Outputs: `margin` [batch, nTargets], and for
 * a LOGISTIC (binary) ensemble also `probability` [batch, 1] = Sigmoid(margin).
 *
 * @example
 * const bytes = treeEnsembleToOnnx(treeEnsembleFromXgboostJson(json));
 */
export function treeEnsembleToOnnx(trees: TreeEnsemble, options: TreeOnnxOptions = {}): Uint8Array {
  if (!(trees instanceof TreeEnsemble)) {
    throw new RiskscoreError('invalid_argument', 'treeEnsembleToOnnx: trees must be a TreeEnsemble (from treeEnsembleFromXgboostJson or a bundle member)', { path: ['trees'] });
  }
  checkTreeOnnxOptions('treeEnsembleToOnnx', options);
  if (trees.aggregate !== 'SUM') throw new RiskscoreError('unsupported_model', `cannot write aggregate ${trees.aggregate} as a regressor`);
  if (trees.memberValues) throw new RiskscoreError('unsupported_model', 'BRANCH_MEMBER nodes need the opset-5 TreeEnsemble op; not written yet');
  const nT = trees.nTargets;
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missing: number[] = [];
  const hitrates: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tIds: number[] = [];
  const tWeights: number[] = [];
  for (let t = 0; t < trees.nTrees; t++) {
    // Number this tree's nodes in breadth-first order from 0, as the spec asks.
    const order: number[] = [trees.treeRoot[t]];
    const local = new Map<number, number>([[trees.treeRoot[t], 0]]);
    for (let q = 0; q < order.length; q++) {
      const g = order[q];
      if (trees.mode[g] === NodeMode.LEAF) continue;
      for (const c of [trees.trueChild[g], trees.falseChild[g]]) {
        if (!local.has(c)) { local.set(c, order.length); order.push(c); }
      }
    }
    for (const g of order) {
      const id = local.get(g)!;
      const leaf = trees.mode[g] === NodeMode.LEAF;
      treeIds.push(t);
      nodeIds.push(id);
      featureIds.push(leaf ? 0 : trees.feature[g]);
      values.push(leaf ? 0 : trees.threshold[g]);
      modes.push(MODE_NAMES[trees.mode[g]]);
      trueIds.push(leaf ? 0 : local.get(trees.trueChild[g])!);
      falseIds.push(leaf ? 0 : local.get(trees.falseChild[g])!);
      missing.push(trees.missingGoesTrue[g]);
      hitrates.push(trees.cover ? trees.cover[g] : 1);
      if (leaf) {
        for (let k = 0; k < nT; k++) {
          const w = trees.leafValue[g * nT + k];
          if (w === 0 && nT > 1) continue;
          tTree.push(t); tNode.push(id); tIds.push(k); tWeights.push(w);
        }
      }
    }
  }
  const input = options.inputName ?? 'features';
  const binary = trees.postTransform === 'LOGISTIC' && nT === 1;
  const softmax = trees.postTransform === 'SOFTMAX' && nT > 1;
  const nodes = [
    {
      opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', name: 'trees', inputs: [input], outputs: ['margin'],
      attributes: {
        nodes_treeids: { ints: treeIds }, nodes_nodeids: { ints: nodeIds }, nodes_featureids: { ints: featureIds },
        nodes_values: { floats: values }, nodes_modes: { strings: modes }, nodes_truenodeids: { ints: trueIds },
        nodes_falsenodeids: { ints: falseIds }, nodes_missing_value_tracks_true: { ints: missing },
        nodes_hitrates: { floats: hitrates },
        target_treeids: { ints: tTree }, target_nodeids: { ints: tNode }, target_ids: { ints: tIds }, target_weights: { floats: tWeights },
        n_targets: { int: nT }, aggregate_function: { string: 'SUM' }, post_transform: { string: 'NONE' },
        base_values: { floats: Array.from(trees.baseValue) },
      },
    },
  ];
  const outputs = [{ name: 'margin', shape: ['batch', nT] as Array<number | string> }];
  if (binary) {
    nodes.push({ opType: 'Sigmoid', domain: '', name: 'sigmoid', inputs: ['margin'], outputs: ['probability'], attributes: {} as never });
    outputs.push({ name: 'probability', shape: ['batch', 1] });
  } else if (softmax) {
    nodes.push({ opType: 'Softmax', domain: '', name: 'softmax', inputs: ['margin'], outputs: ['probability'], attributes: { axis: { int: 1 } } as never });
    outputs.push({ name: 'probability', shape: ['batch', nT] });
  }
  return onnxModelToBytes({
    producerName: options.producerName ?? 'riskscore',
    producerVersion: '0.1.0',
    opsets: { '': 13, 'ai.onnx.ml': 3 },
    graphName: 'tree_ensemble',
    nodes,
    inputs: [{ name: input, shape: ['batch', trees.nFeatures] }],
    outputs,
    metadata: options.metadata,
  });
}

/**
 * Converts an xgboost JSON model (the parsed object) to ONNX bytes, cover included.
 * The only such converter outside Python's onnxmltools; `riskscore convert-xgboost`
 * runs it from the command line.
 *
 * @example
 * const onnx = onnxFromXgboostJson(JSON.parse(readFileSync('model.json', 'utf8')));
 * writeFileSync('model.onnx', onnx);
 */
export function onnxFromXgboostJson(json: unknown, options: TreeOnnxOptions = {}): Uint8Array {
  checkTreeOnnxOptions('onnxFromXgboostJson', options);
  const { trees, info } = xgboostModelFromJson(json);
  const metadata: Record<string, string> = { source: 'xgboost', objective: info.objective, xgboost_version: info.version.join('.'), ...options.metadata };
  if (info.featureNames) metadata.feature_names = JSON.stringify(info.featureNames);
  return treeEnsembleToOnnx(trees, { ...options, metadata });
}
