/**
 * XGBoost's JSON model format (`booster.save_model('m.json')`, xgboost ≥ 1.0) into a
 * {@link TreeEnsemble}. Format reference: xgboost `doc/model.schema`.
 *
 * Semantics kept exactly: a split sends `x < split_condition` (both float32) to the
 * left child, a missing value to the left child when `default_left`; leaves store their
 * value in `split_conditions`; node cover is `sum_hessian`; the model's margin is
 * `base_margin + Σ leaves`, where base_margin is `base_score` mapped through the
 * objective's link (logit for binary:logistic).
 */
import { NodeMode } from '@riskscore/explain';
import { RiskscoreError } from '../errors';
import { TreeEnsemble, type TreePostTransform } from './tree-ensemble';

interface XgbTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: Array<number | boolean>;
  sum_hessian: number[];
  split_type?: number[];
}

function fail(message: string, path: Array<string | number>): never {
  throw new RiskscoreError('unsupported_model', `xgboost model: ${message}`, { path });
}

function getPath(json: unknown, path: Array<string | number>): unknown {
  let cur: unknown = json;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Link functions: how `base_score` (given in output space) becomes a margin. */
const LOGIT_OBJECTIVES = new Set(['binary:logistic', 'binary:logitraw', 'reg:logistic']);
const IDENTITY_OBJECTIVES = new Set(['reg:squarederror', 'reg:linear', 'reg:pseudohubererror', 'reg:absoluteerror', 'multi:softprob', 'multi:softmax', 'binary:hinge', 'rank:pairwise', 'rank:ndcg', 'rank:map']);
const LOG_OBJECTIVES = new Set(['count:poisson', 'reg:gamma', 'reg:tweedie', 'survival:cox']);

/** What an xgboost model is, besides its trees. */
export interface XgboostModelInfo {
  objective: string;
  featureNames: string[] | null;
  /** `base_score` as stored (output space). */
  baseScore: number;
  /** The version of xgboost that wrote the model, e.g. [1, 7, 4]. */
  version: number[];
}

/**
 * Parses an xgboost JSON model (the parsed object) into a tree ensemble whose
 * `predictMargins` equals xgboost's `predict(output_margin=True)`.
 *
 * @example
 * const trees = treeEnsembleFromXgboostJson(JSON.parse(readFileSync('model.json', 'utf8')));
 * trees.nTrees; // 200
 */
export function treeEnsembleFromXgboostJson(json: unknown): TreeEnsemble {
  return xgboostModelFromJson(json).trees;
}

/** As {@link treeEnsembleFromXgboostJson}, with the objective and feature names too. */
export function xgboostModelFromJson(json: unknown): { trees: TreeEnsemble; info: XgboostModelInfo } {
  const learner = getPath(json, ['learner']);
  if (!learner || typeof learner !== 'object') fail('no "learner" object: is this an xgboost JSON model (save_model with a .json name)?', ['learner']);
  const param = getPath(json, ['learner', 'learner_model_param']) as Record<string, string> | undefined;
  if (!param) fail('missing learner_model_param', ['learner', 'learner_model_param']);
  const objective = String(getPath(json, ['learner', 'objective', 'name']) ?? '');
  const nFeatures = Number(param.num_feature);
  if (!Number.isInteger(nFeatures) || nFeatures <= 0) fail(`num_feature "${param.num_feature}" is not a positive integer`, ['learner', 'learner_model_param', 'num_feature']);
  const numClass = Number(param.num_class ?? 0);
  const nTargets = numClass > 1 ? numClass : Math.max(1, Number(param.num_target ?? 1));
  const baseScore = Number.parseFloat(param.base_score);
  if (!Number.isFinite(baseScore)) fail(`base_score "${param.base_score}" is not a number`, ['learner', 'learner_model_param', 'base_score']);

  const boosterName = String(getPath(json, ['learner', 'gradient_booster', 'name']) ?? '');
  let modelPath: Array<string | number>;
  let weightDrop: number[] | null = null;
  if (boosterName === 'gbtree') modelPath = ['learner', 'gradient_booster', 'model'];
  else if (boosterName === 'dart') {
    modelPath = ['learner', 'gradient_booster', 'gbtree', 'model'];
    weightDrop = (getPath(json, ['learner', 'gradient_booster', 'weight_drop']) as number[]) ?? null;
  } else fail(`booster "${boosterName}" is not a tree booster (gbtree or dart)`, ['learner', 'gradient_booster', 'name']);
  const trees = getPath(json, [...modelPath, 'trees']) as XgbTree[] | undefined;
  const treeInfo = (getPath(json, [...modelPath, 'tree_info']) as number[] | undefined) ?? [];
  if (!Array.isArray(trees) || trees.length === 0) fail('the model has no trees', [...modelPath, 'trees']);

  let baseMargin: number;
  if (LOGIT_OBJECTIVES.has(objective)) {
    if (!(baseScore > 0 && baseScore < 1)) fail(`base_score ${baseScore} must lie in (0, 1) for ${objective}`, ['learner', 'learner_model_param', 'base_score']);
    baseMargin = Math.log(baseScore / (1 - baseScore));
  } else if (LOG_OBJECTIVES.has(objective)) baseMargin = Math.log(baseScore);
  else if (IDENTITY_OBJECTIVES.has(objective)) baseMargin = baseScore;
  else fail(`objective "${objective}" is not supported`, ['learner', 'objective', 'name']);

  let nNodes = 0;
  trees.forEach((t, i) => {
    const len = t.left_children?.length;
    const path = [...modelPath, 'trees', i];
    if (!len) fail('tree has no nodes', path);
    for (const k of ['right_children', 'split_indices', 'split_conditions', 'default_left', 'sum_hessian'] as const) {
      if (!Array.isArray(t[k]) || t[k].length !== len) fail(`${k} has ${t[k]?.length} entries, expected ${len}`, [...path, k]);
    }
    if (t.split_type?.some((s) => s !== 0)) fail('categorical splits are not supported yet; retrain with numeric features', [...path, 'split_type']);
    nNodes += len;
  });

  const feature = new Int32Array(nNodes);
  const threshold = new Float64Array(nNodes);
  const mode = new Uint8Array(nNodes);
  const trueChild = new Int32Array(nNodes);
  const falseChild = new Int32Array(nNodes);
  const missingGoesTrue = new Uint8Array(nNodes);
  const leafValue = new Float64Array(nNodes * nTargets);
  const cover = new Float64Array(nNodes);
  const treeRoot = new Int32Array(trees.length);
  let off = 0;
  trees.forEach((t, ti) => {
    const target = nTargets > 1 ? (treeInfo[ti] ?? 0) : 0;
    const scale = weightDrop ? weightDrop[ti] ?? 1 : 1;
    treeRoot[ti] = off;
    for (let j = 0; j < t.left_children.length; j++) {
      const g = off + j;
      cover[g] = t.sum_hessian[j];
      if (t.left_children[j] === -1) {
        mode[g] = NodeMode.LEAF;
        feature[g] = -1;
        trueChild[g] = falseChild[g] = g;
        // xgboost keeps leaf values as float32 and adds them in float32 per tree.
        leafValue[g * nTargets + target] = Math.fround(Math.fround(t.split_conditions[j]) * scale);
      } else {
        mode[g] = NodeMode.BRANCH_LT;
        feature[g] = t.split_indices[j];
        threshold[g] = Math.fround(t.split_conditions[j]);
        trueChild[g] = off + t.left_children[j];
        falseChild[g] = off + t.right_children[j];
        missingGoesTrue[g] = t.default_left[j] ? 1 : 0;
        if (feature[g] >= nFeatures) fail(`node ${j} splits on feature ${feature[g]} ≥ num_feature ${nFeatures}`, [...modelPath, 'trees', ti, 'split_indices', j]);
      }
    }
    off += t.left_children.length;
  });
  const postTransform: TreePostTransform = LOGIT_OBJECTIVES.has(objective) && objective !== 'binary:logitraw'
    ? 'LOGISTIC'
    : objective === 'multi:softprob' || objective === 'multi:softmax' ? 'SOFTMAX' : 'NONE';
  const ensemble = new TreeEnsemble({
    nFeatures, nTargets, treeRoot, feature, threshold, mode, trueChild, falseChild, missingGoesTrue, leafValue, cover,
    memberOffset: null, memberValues: null, baseValue: new Float64Array(nTargets).fill(baseMargin), aggregate: 'SUM', postTransform,
  });
  const names = getPath(json, ['learner', 'feature_names']);
  return {
    trees: ensemble,
    info: {
      objective,
      featureNames: Array.isArray(names) && names.length === nFeatures ? names.map(String) : null,
      baseScore,
      version: (getPath(json, ['version']) as number[]) ?? [],
    },
  };
}
