import { ExplainError } from '../errors';
import { NodeMode, type TreeEnsembleArrays } from './tree-ensemble-arrays';

/** What {@link checkTreeEnsemble} learns about a valid ensemble's shape. */
export interface TreeEnsembleShape {
  /** Number of nodes of all trees together. */
  readonly nNodes: number;
  /** Depth (edges from root to the deepest leaf) of each tree. */
  readonly treeDepth: Int32Array;
  /** Largest tree depth. */
  readonly maxDepth: number;
}

function bad(message: string, path: ReadonlyArray<string | number>): never {
  throw new ExplainError('invalid_argument', message, path);
}

/**
 * Validates a {@link TreeEnsembleArrays} once, before any attribution runs, so that
 * the per-row code can trust it: array lengths agree, every tree is a proper tree
 * (children in range, no node reached twice, so no cycles), split features are inside
 * the row, modes are known, leaf values are finite, and — when `needCover` — covers are
 * finite, non-negative and positive at internal nodes (path-dependent TreeSHAP divides
 * by them).
 *
 * @throws ExplainError `invalid_argument` with the offending path, or
 * `unsupported_model` when `needCover` and the model carries no cover.
 * @example
 * const { maxDepth } = checkTreeEnsemble(model, { needCover: true }); // 6
 */
export function checkTreeEnsemble(model: TreeEnsembleArrays, opts: { needCover: boolean }): TreeEnsembleShape {
  if (model === null || typeof model !== 'object') bad('expected a TreeEnsembleArrays object', []);
  const { nFeatures, nTargets } = model;
  if (!Number.isInteger(nFeatures) || nFeatures <= 0) bad(`nFeatures must be a positive integer, got ${nFeatures}`, ['nFeatures']);
  if (!Number.isInteger(nTargets) || nTargets <= 0) bad(`nTargets must be a positive integer, got ${nTargets}`, ['nTargets']);
  const nNodes = model.feature?.length ?? -1;
  const perNode: Array<[keyof TreeEnsembleArrays, number]> = [
    ['feature', nNodes], ['threshold', nNodes], ['mode', nNodes], ['trueChild', nNodes],
    ['falseChild', nNodes], ['missingGoesTrue', nNodes], ['leafValue', nNodes * nTargets], ['baseValue', nTargets],
  ];
  for (const [name, len] of perNode) {
    const a = model[name] as ArrayLike<number> | undefined;
    if (!a || a.length !== len) bad(`${String(name)} must have length ${len}, got ${a ? a.length : 'none'}`, [name]);
  }
  for (let k = 0; k < nTargets; k++) if (!Number.isFinite(model.baseValue[k])) bad('baseValue must be finite', ['baseValue', k]);
  if (!model.treeRoot || model.treeRoot.length === 0) bad('treeRoot must list at least one tree', ['treeRoot']);
  const cover = model.cover;
  if (opts.needCover) {
    if (!cover) {
      throw new ExplainError('unsupported_model', 'path-dependent TreeSHAP needs node cover (ONNX nodes_hitrates / xgboost sum_hessian); use the interventional explainer with a background sample instead', ['cover']);
    }
    if (cover.length !== nNodes) bad(`cover must have length ${nNodes}, got ${cover.length}`, ['cover']);
  }
  const seen = new Uint8Array(nNodes);
  const stack = new Int32Array(nNodes + 1);
  const depthOf = new Int32Array(nNodes);
  const treeDepth = new Int32Array(model.treeRoot.length);
  let maxDepth = 0;
  for (let t = 0; t < model.treeRoot.length; t++) {
    const root = model.treeRoot[t];
    if (!Number.isInteger(root) || root < 0 || root >= nNodes) bad(`tree ${t} root ${root} is not a node index`, ['treeRoot', t]);
    let sp = 0;
    stack[sp++] = root;
    depthOf[root] = 0;
    while (sp > 0) {
      const n = stack[--sp];
      if (seen[n]) bad(`node ${n} is reached twice (trees must not share nodes or contain cycles)`, ['trueChild', n]);
      seen[n] = 1;
      const m = model.mode[n];
      if (!(m <= NodeMode.BRANCH_MEMBER || m === NodeMode.LEAF)) bad(`node ${n} has unknown mode ${m}`, ['mode', n]);
      if (opts.needCover && cover) {
        const c = cover[n];
        if (!(c >= 0) || !Number.isFinite(c)) bad(`cover of node ${n} must be finite and >= 0, got ${c}`, ['cover', n]);
        if (m !== NodeMode.LEAF && !(c > 0)) bad(`cover of internal node ${n} must be > 0, got ${c}`, ['cover', n]);
      }
      if (m === NodeMode.LEAF) {
        for (let k = 0; k < nTargets; k++) {
          if (!Number.isFinite(model.leafValue[n * nTargets + k])) bad(`leaf value of node ${n} must be finite`, ['leafValue', n * nTargets + k]);
        }
        if (depthOf[n] > treeDepth[t]) treeDepth[t] = depthOf[n];
        continue;
      }
      const f = model.feature[n];
      if (!Number.isInteger(f) || f < 0 || f >= nFeatures) bad(`node ${n} splits on feature ${f}, outside [0, ${nFeatures})`, ['feature', n]);
      if (m === NodeMode.BRANCH_MEMBER) {
        const off = model.memberOffset;
        if (!off || !model.memberValues || off.length < nNodes + 1) bad(`node ${n} is BRANCH_MEMBER but memberOffset/memberValues are missing`, ['memberOffset']);
      }
      const a = model.trueChild[n];
      const b = model.falseChild[n];
      if (!Number.isInteger(a) || a < 0 || a >= nNodes) bad(`node ${n} trueChild ${a} is not a node index`, ['trueChild', n]);
      if (!Number.isInteger(b) || b < 0 || b >= nNodes) bad(`node ${n} falseChild ${b} is not a node index`, ['falseChild', n]);
      if (sp + 2 > stack.length) bad(`tree ${t} reaches more nodes than the ensemble has`, ['treeRoot', t]);
      depthOf[a] = depthOf[n] + 1;
      depthOf[b] = depthOf[n] + 1;
      stack[sp++] = a;
      stack[sp++] = b;
    }
    if (treeDepth[t] > maxDepth) maxDepth = treeDepth[t];
  }
  return { nNodes, treeDepth, maxDepth };
}
