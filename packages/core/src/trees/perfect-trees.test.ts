import { describe, expect, it } from 'vitest';
import { NodeMode } from '@riskscore/explain';
import { loadXgbFixture } from '../../test/xgboost-fixtures';
import { perfectTreesFrom } from './perfect-trees';
import { TreeEnsemble } from './tree-ensemble';
import { xgboostModelFromJson } from './xgboost-json';

// The padded fast path must give exactly the general walk's sums (same order of
// additions), including NaN, the float32 extremes and shallow leaves. (±Infinity is
// refused by predictMargins before either path runs; see tree-ensemble.test.ts.)
const FLT_MAX = 3.4028234663852886e38;

describe('perfect-tree fast path', () => {
  const fx = loadXgbFixture('binary');
  const { trees } = xgboostModelFromJson(fx.model);
  const nF = trees.nFeatures;
  const n = 500;
  const x = new Float32Array(n * nF);
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < x.length; i++) {
    const u = rnd();
    x[i] = u < 0.1 ? NaN : u < 0.13 ? FLT_MAX : u < 0.16 ? -FLT_MAX : fx.rows[(i % (fx.nRows * nF))] || rnd() * 10;
  }

  it('is used for the xgboost shape and equals the walk bit for bit', () => {
    expect(perfectTreesFrom(trees)).not.toBeNull();
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    trees.predictMargins(x, n, a);
    trees.predictMarginsByWalk(x, n, b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('handles BRANCH_LEQ ensembles the same way', () => {
    const leq = new TreeEnsemble({ ...trees, mode: trees.mode.map((m) => (m === NodeMode.LEAF ? m : NodeMode.BRANCH_LEQ)), missingGoesTrue: trees.missingGoesTrue.slice(), aggregate: 'SUM', postTransform: 'NONE' });
    expect(perfectTreesFrom(leq)!.leq).toBe(true);
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    leq.predictMargins(x, n, a);
    leq.predictMarginsByWalk(x, n, b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('handles a tree count that is not a multiple of four (the tail after the 4-tree groups)', () => {
    const reg = xgboostModelFromJson(loadXgbFixture('regression').model).trees;
    expect(reg.nTrees % 4).not.toBe(0);
    expect(perfectTreesFrom(reg)).not.toBeNull();
    const rows = loadXgbFixture('regression');
    const a = new Float64Array(rows.nRows);
    const b = new Float64Array(rows.nRows);
    reg.predictMargins(rows.rows, rows.nRows, a);
    reg.predictMarginsByWalk(rows.rows, rows.nRows, b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('declines mixed modes and several targets', () => {
    const mixed = new TreeEnsemble({ ...trees, mode: trees.mode.map((m, i) => (m === NodeMode.LEAF ? m : i % 2 ? NodeMode.BRANCH_LEQ : NodeMode.BRANCH_LT)), missingGoesTrue: trees.missingGoesTrue.slice(), aggregate: 'SUM', postTransform: 'NONE' });
    expect(perfectTreesFrom(mixed)).toBeNull();
    const multi = xgboostModelFromJson(loadXgbFixture('multiclass').model).trees;
    expect(perfectTreesFrom(multi)).toBeNull();
  });
});
