// Core's tree evaluator against onnxruntime-node on random ensembles that use every
// nodes_modes value of TreeEnsembleRegressor/Classifier, NaN inputs routed both ways,
// base values, SUM/AVERAGE/MIN/MAX aggregation, several targets and both
// post-transforms NONE and LOGISTIC. ONNX Runtime is the reference implementation.
import * as ort from 'onnxruntime-node';
import { onnxModelFromBytes, onnxModelToBytes, treeGraphFromOnnx } from '@riskscore/core';
import { describe, expect, it } from 'vitest';

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

interface Opts { aggregate: string; post: string; nTargets: number; classifier?: boolean; seed: number }

function randomModel(o: Opts, nFeatures: number) {
  const r = rng(o.seed);
  const a = { treeids: [] as number[], nodeids: [] as number[], featureids: [] as number[], values: [] as number[], modes: [] as string[],
    trueids: [] as number[], falseids: [] as number[], missing: [] as number[], tTree: [] as number[], tNode: [] as number[], tId: [] as number[], tW: [] as number[] };
  for (let t = 0; t < 12; t++) {
    let next = 0;
    const grow = (depth: number): number => {
      const id = next++;
      const idx = a.treeids.length;
      a.treeids.push(t); a.nodeids.push(id);
      if (depth === 0 || r() < 0.15) {
        a.featureids.push(0); a.values.push(0); a.modes.push('LEAF'); a.trueids.push(0); a.falseids.push(0); a.missing.push(0);
        for (let k = 0; k < o.nTargets; k++) { a.tTree.push(t); a.tNode.push(id); a.tId.push(k); a.tW.push(Math.fround(r() * 2 - 1)); }
        return id;
      }
      a.featureids.push(Math.floor(r() * nFeatures));
      a.values.push(Math.floor(r() * 5)); // integer thresholds so EQ/NEQ are hit
      a.modes.push(MODES[Math.floor(r() * MODES.length)]);
      a.missing.push(r() < 0.5 ? 1 : 0);
      a.trueids.push(-1); a.falseids.push(-1);
      const tc = grow(depth - 1);
      const fc = grow(depth - 1);
      a.trueids[idx] = tc; a.falseids[idx] = fc;
      return id;
    };
    grow(4);
  }
  const base = Array.from({ length: o.nTargets }, (_, k) => Math.fround(0.1 * (k + 1) - 0.25));
  const common = {
    nodes_treeids: { ints: a.treeids }, nodes_nodeids: { ints: a.nodeids }, nodes_featureids: { ints: a.featureids },
    nodes_values: { floats: a.values }, nodes_modes: { strings: a.modes }, nodes_truenodeids: { ints: a.trueids },
    nodes_falsenodeids: { ints: a.falseids }, nodes_missing_value_tracks_true: { ints: a.missing },
    post_transform: { string: o.post }, base_values: { floats: base },
  };
  const node = o.classifier
    ? { opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['label', 'scores'],
        attributes: { ...common, class_treeids: { ints: a.tTree }, class_nodeids: { ints: a.tNode }, class_ids: { ints: a.tId },
          class_weights: { floats: a.tW }, classlabels_int64s: { ints: o.nTargets === 1 ? [0, 1] : Array.from({ length: o.nTargets }, (_, k) => k) } } }
    : { opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['Y'],
        attributes: { ...common, target_treeids: { ints: a.tTree }, target_nodeids: { ints: a.tNode }, target_ids: { ints: a.tId },
          target_weights: { floats: a.tW }, n_targets: { int: o.nTargets }, aggregate_function: { string: o.aggregate } } };
  if (o.classifier) node.attributes = { ...node.attributes, base_values: { floats: base } };
  return onnxModelToBytes({
    producerName: 'test', opsets: { '': 13, 'ai.onnx.ml': 3 }, graphName: 'g', nodes: [node as never],
    inputs: [{ name: 'X', shape: ['N', nFeatures] }],
    outputs: o.classifier ? [{ name: 'label', shape: ['N'], elemType: 7 }, { name: 'scores', shape: ['N', o.nTargets === 1 ? 2 : o.nTargets] }] : [{ name: 'Y', shape: ['N', o.nTargets] }],
  });
}

function inputs(nRows: number, nFeatures: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(nRows * nFeatures);
  for (let i = 0; i < x.length; i++) x[i] = r() < 0.15 ? NaN : r() < 0.5 ? Math.floor(r() * 5) : r() * 5;
  return x;
}

describe('tree evaluator = onnxruntime-node', () => {
  const nF = 6;
  const nRows = 400;
  it.each([
    { aggregate: 'SUM', post: 'NONE', nTargets: 1, seed: 1 },
    // ONNX Runtime ignores LOGISTIC on a single-target regressor; core follows it.
    { aggregate: 'SUM', post: 'LOGISTIC', nTargets: 1, seed: 2 },
    { aggregate: 'SUM', post: 'LOGISTIC', nTargets: 2, seed: 12 },
    { aggregate: 'AVERAGE', post: 'NONE', nTargets: 1, seed: 3 },
    { aggregate: 'MIN', post: 'NONE', nTargets: 1, seed: 4 },
    { aggregate: 'MAX', post: 'NONE', nTargets: 1, seed: 5 },
    { aggregate: 'SUM', post: 'NONE', nTargets: 3, seed: 6 },
  ])('regressor %o', async (o) => {
    const bytes = randomModel(o, nF);
    const { trees } = treeGraphFromOnnx(bytes);
    const x = inputs(nRows, nF, o.seed + 100);
    const ours = new Float64Array(nRows * o.nTargets);
    trees.predictMargins(x, nRows, ours);
    trees.transformInPlace(ours, nRows);
    const s = await ort.InferenceSession.create(bytes);
    const y = (await s.run({ X: new ort.Tensor('float32', x, [nRows, nF]) })).Y.data as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - y[i]));
    expect(maxErr).toBeLessThan(1e-5);
    // Every mode and both missing directions were exercised.
    expect(new Set(trees.mode).size).toBe(7);
  });

  it.each(['LOGISTIC', 'NONE'])('binary classifier written with one weight column (class_ids all 0), post_transform %s', async (post) => {
    // The shape onnxmltools writes for xgboost: ORT reports [score of class 0, class 1];
    // core reads it as one target, the positive class's margin.
    const o = { aggregate: 'SUM', post, nTargets: 1, classifier: true, seed: 9 };
    const bytes = randomModel(o, nF);
    const { trees } = treeGraphFromOnnx(bytes);
    expect(trees.nTargets).toBe(1);
    const x = inputs(nRows, nF, 109);
    const ours = new Float64Array(nRows);
    trees.predictMargins(x, nRows, ours);
    trees.transformInPlace(ours, nRows);
    const s = await ort.InferenceSession.create(bytes);
    const y = (await s.run({ X: new ort.Tensor('float32', x, [nRows, nF]) })).scores.data as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < nRows; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - y[2 * i + 1]));
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('refuses a binary classifier with two base values (ONNX Runtime then ignores the leaves)', () => {
    const bytes = randomModel({ aggregate: 'SUM', post: 'LOGISTIC', nTargets: 1, classifier: true, seed: 10 }, nF);
    const m = onnxModelFromBytes(bytes);
    m.nodes[0].attributes.set('base_values', { name: 'base_values', type: 6, floats: [0, 0.3] });
    expect(() => treeGraphFromOnnx(m)).toThrow(/one base value/);
  });

  it('multi-class classifier with SOFTMAX scores', async () => {
    const o = { aggregate: 'SUM', post: 'SOFTMAX', nTargets: 3, classifier: true, seed: 7 };
    const bytes = randomModel(o, nF);
    const { trees } = treeGraphFromOnnx(bytes);
    const x = inputs(nRows, nF, 107);
    const ours = new Float64Array(nRows * 3);
    trees.predictMargins(x, nRows, ours);
    trees.transformInPlace(ours, nRows);
    const s = await ort.InferenceSession.create(bytes);
    const y = (await s.run({ X: new ort.Tensor('float32', x, [nRows, nF]) })).scores.data as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - y[i]));
    expect(maxErr).toBeLessThan(1e-5);
  });
});

// ai.onnx.ml opset 5 TreeEnsemble: separate node and leaf tables, modes as a uint8
// tensor, and BRANCH_MEMBER set membership (NaN-delimited membership_values).
describe('TreeEnsemble (ai.onnx.ml opset 5) = onnxruntime-node', () => {
  function randomUnified(seed: number, nFeatures: number, nTargets: number) {
    const r = rng(seed);
    const f: number[] = [], splits: number[] = [], modes: number[] = [], tIds: number[] = [], tLeaf: number[] = [], fIds: number[] = [], fLeaf: number[] = [], miss: number[] = [];
    const members: number[] = [];
    const leafT: number[] = [], leafW: number[] = [];
    const roots: number[] = [];
    for (let t = 0; t < 10; t++) {
      const grow = (depth: number): [number, number] => {
        if (depth === 0 || (depth < 4 && r() < 0.2)) {
          const leaf = leafW.length;
          leafT.push(Math.floor(r() * nTargets)); leafW.push(Math.fround(r() * 2 - 1));
          return [leaf, 1];
        }
        const id = f.length;
        f.push(Math.floor(r() * nFeatures)); splits.push(Math.floor(r() * 5)); miss.push(r() < 0.5 ? 1 : 0);
        const mode = Math.floor(r() * 7);
        modes.push(mode);
        if (mode === 6) { members.push(0, 2, 4); members.push(Number.NaN); }
        tIds.push(0); tLeaf.push(0); fIds.push(0); fLeaf.push(0);
        const [a, al] = grow(depth - 1);
        const [b, bl] = grow(depth - 1);
        tIds[id] = a; tLeaf[id] = al; fIds[id] = b; fLeaf[id] = bl;
        return [id, 0];
      };
      const [root, isLeaf] = grow(4);
      if (isLeaf) throw new Error('root must be a node');
      roots.push(root);
    }
    return onnxModelToBytes({
      producerName: 'test', opsets: { '': 13, 'ai.onnx.ml': 5 }, graphName: 'g',
      nodes: [{ opType: 'TreeEnsemble', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['Y'], attributes: {
        tree_roots: { ints: roots }, nodes_featureids: { ints: f }, nodes_splits: { tensor: { dataType: 1, values: splits } },
        nodes_modes: { tensor: { dataType: 2, values: modes } }, nodes_truenodeids: { ints: tIds }, nodes_trueleafs: { ints: tLeaf },
        nodes_falsenodeids: { ints: fIds }, nodes_falseleafs: { ints: fLeaf }, nodes_missing_value_tracks_true: { ints: miss },
        membership_values: { tensor: { dataType: 1, values: members } },
        leaf_targetids: { ints: leafT }, leaf_weights: { tensor: { dataType: 1, values: leafW } },
        n_targets: { int: nTargets }, aggregate_function: { int: 1 }, post_transform: { int: 0 },
      } }],
      inputs: [{ name: 'X', shape: ['N', nFeatures] }], outputs: [{ name: 'Y', shape: ['N', nTargets] }],
    });
  }

  it.each([[21, 1], [22, 2]])('seed %i, %i target(s), all seven modes', async (seed, nT) => {
    const nF = 5;
    const nRows = 400;
    const bytes = randomUnified(seed, nF, nT);
    const { trees } = treeGraphFromOnnx(bytes);
    expect(new Set(trees.mode).size).toBe(8); // six comparisons, MEMBER, LEAF
    const x = inputs(nRows, nF, seed + 1);
    const ours = new Float64Array(nRows * nT);
    trees.predictMargins(x, nRows, ours);
    const s = await ort.InferenceSession.create(bytes);
    const y = (await s.run({ X: new ort.Tensor('float32', x, [nRows, nF]) })).Y.data as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - y[i]));
    expect(maxErr).toBeLessThan(1e-5);
  });
});
