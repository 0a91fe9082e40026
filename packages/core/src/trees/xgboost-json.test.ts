import { describe, expect, it } from 'vitest';
import { loadXgbFixture } from '../../test/xgboost-fixtures';
import { RiskscoreError } from '../errors';
import { treeGraphFromOnnx } from './tree-ensemble-from-onnx';
import { onnxFromXgboostJson } from './tree-ensemble-to-onnx';
import { xgboostModelFromJson } from './xgboost-json';

// References: xgboost 1.7.4's own predict(output_margin=True) and predict() on the same
// rows (20 of 60 with NaNs), written by test/fixtures/xgboost/make_fixtures.py.
describe.each(['binary', 'regression', 'multiclass'] as const)('xgboost %s model', (name) => {
  const fx = loadXgbFixture(name);
  const { trees } = xgboostModelFromJson(fx.model);
  const nT = trees.nTargets;

  it('margins equal xgboost output_margin (NaN rows included)', () => {
    const out = new Float64Array(fx.nRows * nT);
    trees.predictMargins(fx.rows, fx.nRows, out);
    let maxErr = 0;
    for (let r = 0; r < fx.nRows; r++) for (let k = 0; k < nT; k++) maxErr = Math.max(maxErr, Math.abs(out[r * nT + k] - fx.margin[r][k]));
    // xgboost sums float32 leaves in float32; we sum in double: ≤ a few float32 ulps.
    expect(maxErr).toBeLessThan(name === 'regression' ? 1e-4 : 2e-6);
  });

  it('predictions equal xgboost predict() to 1e-6', () => {
    const out = new Float64Array(fx.nRows * nT);
    trees.predictMargins(fx.rows, fx.nRows, out);
    trees.transformInPlace(out, fx.nRows);
    for (let r = 0; r < fx.nRows; r++) {
      for (let k = 0; k < nT; k++) {
        const tol = name === 'regression' ? 1e-4 : 1e-6;
        expect(Math.abs(out[r * nT + k] - fx.prediction[r][k])).toBeLessThan(tol);
      }
    }
  });

  it('survives the ONNX round trip with cover', () => {
    const bytes = onnxFromXgboostJson(fx.model);
    const graph = treeGraphFromOnnx(bytes);
    expect(graph.trees.nTrees).toBe(trees.nTrees);
    expect(graph.outputTransform).toBe({ binary: 'sigmoid', regression: 'none', multiclass: 'softmax' }[name]);
    expect(graph.trees.cover).not.toBeNull();
    // Same total cover per tree root as xgboost's sum_hessian.
    for (let t = 0; t < trees.nTrees; t++) expect(graph.trees.cover![graph.trees.treeRoot[t]]).toBeCloseTo(trees.cover![trees.treeRoot[t]], 3);
    const a = new Float64Array(fx.nRows * nT);
    const b = new Float64Array(fx.nRows * nT);
    trees.predictMargins(fx.rows, fx.nRows, a);
    graph.trees.predictMargins(fx.rows, fx.nRows, b);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(a[i])));
  });
});

describe('xgboost model errors', () => {
  it('names the field that is wrong', () => {
    const fx = loadXgbFixture('binary');
    const broken = structuredClone(fx.model) as { learner: { gradient_booster: { model: { trees: Array<{ sum_hessian: number[] }> } } } };
    broken.learner.gradient_booster.model.trees[3].sum_hessian.pop();
    try {
      xgboostModelFromJson(broken);
      expect.unreachable();
    } catch (e) {
      expect(RiskscoreError.isInstance(e)).toBe(true);
      expect((e as RiskscoreError).code).toBe('unsupported_model');
      expect((e as RiskscoreError).path).toEqual(['learner', 'gradient_booster', 'model', 'trees', 3, 'sum_hessian']);
    }
  });

  it('refuses something that is not an xgboost model', () => {
    expect(() => xgboostModelFromJson({ hello: 1 })).toThrow(/no "learner"/);
  });
});
