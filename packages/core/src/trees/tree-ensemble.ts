/**
 * The native tree-ensemble evaluator: ONNX `ai.onnx.ml` tree semantics over flat typed
 * arrays. Faster than ONNX Runtime at batch 1 (no session, no tensor allocation), and
 * the same arrays feed TreeSHAP in `@riskscore/explain`.
 */
import { NodeMode, type TreeEnsembleArrays } from '@riskscore/explain';
import { RiskscoreError } from '../errors';
import { perfectTreesFrom, predictPerfect, type PerfectTrees } from './perfect-trees';

/** How leaf values of the trees are combined, per ONNX `aggregate_function`. */
export type TreeAggregate = 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';

/** ONNX `post_transform`, applied to the aggregated margins. */
export type TreePostTransform = 'NONE' | 'LOGISTIC' | 'SOFTMAX' | 'SOFTMAX_ZERO' | 'PROBIT';

/** Everything a tree ensemble is, beyond the arrays. */
export interface TreeEnsembleInit extends TreeEnsembleArrays {
  /** AVERAGE is folded into the leaf values at construction (divided by the tree count). */
  readonly aggregate: TreeAggregate;
  readonly postTransform: TreePostTransform;
}

/**
 * A parsed tree ensemble: the flat arrays, plus margin and probability evaluation.
 *
 * Evaluation follows ONNX Runtime: a node sends a row to its true child when the
 * comparison of mode holds, or when the value is NaN and `missingGoesTrue` is set
 * (for BRANCH_NEQ a NaN already compares unequal, so it always goes true).
 *
 * @example
 * const trees = treeEnsembleFromXgboostJson(JSON.parse(text));
 * const margins = new Float64Array(1);
 * trees.predictMargins(row, 1, margins); // xgboost's output_margin
 */
export class TreeEnsemble implements TreeEnsembleArrays {
  readonly nFeatures: number;
  readonly nTargets: number;
  readonly treeRoot: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly mode: Uint8Array;
  readonly trueChild: Int32Array;
  readonly falseChild: Int32Array;
  readonly missingGoesTrue: Uint8Array;
  readonly leafValue: Float64Array;
  readonly cover: Float64Array | null;
  readonly memberOffset: Int32Array | null;
  readonly memberValues: Float64Array | null;
  readonly baseValue: Float64Array;
  readonly aggregate: TreeAggregate;
  readonly postTransform: TreePostTransform;
  /** The mode every internal node shares, or -1 when modes are mixed (selects the fast path). */
  private readonly uniformMode: number;
  /** The padded layout for the fast path, built on first use; null when the shape does not fit. */
  private perfect: PerfectTrees | null | undefined;

  constructor(init: TreeEnsembleInit) {
    if (init === null || typeof init !== 'object') {
      throw new RiskscoreError('invalid_argument', 'TreeEnsemble: init must hold the flat tree arrays (see TreeEnsembleArrays)', { path: ['init'] });
    }
    for (const key of ['treeRoot', 'feature', 'threshold', 'mode', 'trueChild', 'falseChild', 'missingGoesTrue', 'leafValue', 'baseValue'] as const) {
      const a = init[key];
      if (!ArrayBuffer.isView(a)) throw new RiskscoreError('invalid_argument', `TreeEnsemble: init.${key} must be a typed array`, { path: ['init', key] });
    }
    if (!Number.isInteger(init.nFeatures) || init.nFeatures < 1 || !Number.isInteger(init.nTargets) || init.nTargets < 1) {
      throw new RiskscoreError('invalid_argument', `TreeEnsemble: nFeatures and nTargets must be positive integers, got ${init.nFeatures} and ${init.nTargets}`, { path: ['init', 'nFeatures'] });
    }
    this.nFeatures = init.nFeatures;
    this.nTargets = init.nTargets;
    this.treeRoot = init.treeRoot;
    this.feature = init.feature;
    this.threshold = init.threshold;
    this.mode = init.mode;
    this.trueChild = init.trueChild;
    this.falseChild = init.falseChild;
    this.missingGoesTrue = init.missingGoesTrue;
    this.cover = init.cover;
    this.memberOffset = init.memberOffset;
    this.memberValues = init.memberValues;
    this.baseValue = init.baseValue;
    this.postTransform = init.postTransform;
    const nTrees = init.treeRoot.length;
    if (init.aggregate === 'AVERAGE') {
      // ONNX Runtime computes sum / nTrees + base; dividing each leaf once is the same sum.
      const lv = new Float64Array(init.leafValue.length);
      for (let i = 0; i < lv.length; i++) lv[i] = init.leafValue[i] / nTrees;
      this.leafValue = lv;
      this.aggregate = 'SUM';
    } else {
      this.leafValue = init.leafValue;
      this.aggregate = init.aggregate;
    }
    // NaN != t is true, so a NaN always takes the true branch of a NEQ node (ORT semantics).
    for (let i = 0; i < this.mode.length; i++) if (this.mode[i] === NodeMode.BRANCH_NEQ) this.missingGoesTrue[i] = 1;
    let uniform = -1;
    for (let i = 0; i < this.mode.length; i++) {
      const m = this.mode[i];
      if (m === NodeMode.LEAF) continue;
      if (uniform === -1) uniform = m;
      else if (uniform !== m) { uniform = -2; break; }
    }
    this.uniformMode = uniform === -2 ? -1 : uniform;
    this.validate();
  }

  /**
   * Margins by the general node walk, bypassing the padded fast path (tests compare the
   * two; same contract as {@link predictMargins}).
   */
  predictMarginsByWalk(rows: ArrayLike<number>, nRows: number, out: Float64Array): void {
    const saved = this.perfect;
    this.perfect = null;
    try {
      this.predictMargins(rows, nRows, out);
    } finally {
      this.perfect = saved;
    }
  }

  /** Number of trees. */
  get nTrees(): number {
    return this.treeRoot.length;
  }

  /** Number of nodes over all trees. */
  get nNodes(): number {
    return this.feature.length;
  }

  private validate(): void {
    const n = this.feature.length;
    for (let i = 0; i < n; i++) {
      if (this.mode[i] === NodeMode.LEAF) continue;
      const f = this.feature[i];
      if (f < 0 || f >= this.nFeatures) {
        throw new RiskscoreError('invalid_onnx', `tree node ${i} splits on feature ${f}, outside the input width ${this.nFeatures}`, {
          path: ['nodes', i, 'feature'],
        });
      }
      const t = this.trueChild[i];
      const fc = this.falseChild[i];
      if (t < 0 || t >= n || fc < 0 || fc >= n) {
        throw new RiskscoreError('invalid_onnx', `tree node ${i} points at a child outside the ensemble`, { path: ['nodes', i] });
      }
    }
  }

  /**
   * The leaf node a row reaches in the tree rooted at `root`. Low level: no argument
   * checks (it runs once per tree per row); {@link predictMargins} validates its input.
   */
  leafIndex(x: ArrayLike<number>, offset: number, root: number): number {
    const { feature, threshold, mode, trueChild, falseChild, missingGoesTrue } = this;
    let n = root;
    while (mode[n] !== NodeMode.LEAF) {
      const v = x[offset + feature[n]];
      const t = threshold[n];
      let go: boolean;
      switch (mode[n]) {
        case NodeMode.BRANCH_LEQ: go = v <= t; break;
        case NodeMode.BRANCH_LT: go = v < t; break;
        case NodeMode.BRANCH_GTE: go = v >= t; break;
        case NodeMode.BRANCH_GT: go = v > t; break;
        case NodeMode.BRANCH_EQ: go = v === t; break;
        case NodeMode.BRANCH_NEQ: go = v !== t; break;
        default: go = this.isMember(n, v);
      }
      if (v !== v) go = missingGoesTrue[n] === 1;
      n = go ? trueChild[n] : falseChild[n];
    }
    return n;
  }

  private isMember(n: number, v: number): boolean {
    const off = this.memberOffset!;
    const vals = this.memberValues!;
    for (let k = off[n]; k < off[n + 1]; k++) if (vals[k] === v) return true;
    return false;
  }

  /**
   * Writes the aggregated margins (before `postTransform`) of `nRows` rows of `rows`
   * (row-major, `nFeatures` wide) into `out` (`nRows * nTargets`). No allocation.
   * NaN means missing and follows each node's missing branch; ±Infinity is refused with
   * `invalid_argument` at `['rows', row, column]` (a feature pipeline that yields it has
   * a bug a split would silently hide).
   */
  predictMargins(rows: ArrayLike<number>, nRows: number, out: Float64Array): void {
    const nF = this.nFeatures;
    const nT = this.nTargets;
    if (rows == null || typeof rows.length !== 'number') {
      throw new RiskscoreError('invalid_argument', 'predictMargins: rows must be an array or typed array of feature values (row-major)', { path: ['rows'] });
    }
    if (!Number.isSafeInteger(nRows) || nRows < 0) {
      throw new RiskscoreError('invalid_argument', `predictMargins: nRows must be a non-negative integer, got ${String(nRows)}`, { path: ['nRows'] });
    }
    if (!(out instanceof Float64Array)) {
      throw new RiskscoreError('invalid_argument', 'predictMargins: out must be a Float64Array of nRows * nTargets slots', { path: ['out'] });
    }
    if (rows.length < nRows * nF) {
      throw new RiskscoreError('invalid_argument', `predictMargins: ${nRows} rows of ${nF} features need ${nRows * nF} values, got ${rows.length}`, {
        path: ['rows'],
      });
    }
    if (out.length < nRows * nT) {
      throw new RiskscoreError('invalid_argument', `predictMargins: out needs ${nRows * nT} slots, got ${out.length}`, { path: ['out'] });
    }
    checkNoInfinity(rows, nRows * nF, nF);
    if (this.perfect === undefined) this.perfect = perfectTreesFrom(this);
    if (this.perfect) {
      predictPerfect(this.perfect, rows, nRows, nF, this.baseValue[0], out);
      return;
    }
    if (nT === 1 && this.aggregate === 'SUM' && this.uniformMode === NodeMode.BRANCH_LT) {
      this.predictLtSingle(rows, nRows, out);
      return;
    }
    const roots = this.treeRoot;
    const lv = this.leafValue;
    const agg = this.aggregate;
    for (let r = 0; r < nRows; r++) {
      const base = r * nT;
      const init = agg === 'MIN' ? Infinity : agg === 'MAX' ? -Infinity : 0;
      for (let k = 0; k < nT; k++) out[base + k] = init;
      for (let t = 0; t < roots.length; t++) {
        const leaf = this.leafIndex(rows, r * nF, roots[t]);
        for (let k = 0; k < nT; k++) {
          const v = lv[leaf * nT + k];
          if (agg === 'SUM') out[base + k] += v;
          else if (agg === 'MIN') { if (v < out[base + k]) out[base + k] = v; }
          else if (v > out[base + k]) out[base + k] = v;
        }
      }
      for (let k = 0; k < nT; k++) out[base + k] += this.baseValue[k];
    }
  }

  /** The xgboost shape: one target, SUM, every split `x < t`; a tight loop with no switch. */
  private predictLtSingle(rows: ArrayLike<number>, nRows: number, out: Float64Array): void {
    const { feature, threshold, mode, trueChild, falseChild, missingGoesTrue, leafValue, treeRoot } = this;
    const nF = this.nFeatures;
    const nTrees = treeRoot.length;
    const leaf = NodeMode.LEAF;
    for (let r = 0; r < nRows; r++) {
      const off = r * nF;
      let sum = 0;
      for (let t = 0; t < nTrees; t++) {
        let n = treeRoot[t];
        while (mode[n] !== leaf) {
          const v = rows[off + feature[n]];
          n = v < threshold[n] || (v !== v && missingGoesTrue[n] === 1) ? trueChild[n] : falseChild[n];
        }
        sum += leafValue[n];
      }
      out[r] = sum + this.baseValue[0];
    }
  }

  /**
   * Applies `postTransform` to margins in place (LOGISTIC: 1/(1+e^-m); SOFTMAX over
   * targets; PROBIT: √2·erfinv(2m−1) as ONNX Runtime does).
   */
  transformInPlace(values: Float64Array, nRows: number): void {
    const nT = this.nTargets;
    switch (this.postTransform) {
      case 'NONE':
        return;
      case 'LOGISTIC':
        for (let i = 0; i < nRows * nT; i++) values[i] = sigmoid(values[i]);
        return;
      case 'SOFTMAX':
      case 'SOFTMAX_ZERO':
        for (let r = 0; r < nRows; r++) softmaxInPlace(values, r * nT, nT, this.postTransform === 'SOFTMAX_ZERO');
        return;
      case 'PROBIT':
        for (let i = 0; i < nRows * nT; i++) values[i] = Math.SQRT2 * erfinv(2 * values[i] - 1);
        return;
    }
  }
}

/**
 * Throws `invalid_argument` at `['rows', row, column]` for the first ±Infinity among the
 * first `n` values. One pass, no allocation: `v - v` is 0 for a finite v and NaN for NaN
 * or ±Infinity, so the common case is a subtraction and one compare per value; only a
 * hit tells NaN (allowed: missing) from ±Infinity apart.
 */
function checkNoInfinity(rows: ArrayLike<number>, n: number, nF: number): void {
  for (let i = 0; i < n; i++) {
    const v = rows[i];
    if (v - v !== 0 && v === v) {
      const r = Math.floor(i / nF);
      throw new RiskscoreError('invalid_argument', `predictMargins: row ${r}, column ${i - r * nF} is ${v}; pass a finite number, or NaN for a missing value`, {
        path: ['rows', r, i - r * nF],
        details: { row: r, column: i - r * nF, value: v },
      });
    }
  }
}

/** The logistic function, computed so that neither tail overflows. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function softmaxInPlace(v: Float64Array, off: number, n: number, zero: boolean): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (v[off + k] > max) max = v[off + k];
  let s = 0;
  for (let k = 0; k < n; k++) {
    const e = zero && v[off + k] === 0 ? 0 : Math.exp(v[off + k] - max);
    v[off + k] = e;
    s += e;
  }
  for (let k = 0; k < n; k++) v[off + k] = s === 0 ? 0 : v[off + k] / s;
}

/** Inverse error function (Giles 2010, "Approximating the erfinv function"), as ORT uses for PROBIT. */
function erfinv(x: number): number {
  let w = -Math.log((1 - x) * (1 + x));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w; p = -3.5233877e-6 + p * w; p = -4.39150654e-6 + p * w; p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w; p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w;
  }
  return p * x;
}
