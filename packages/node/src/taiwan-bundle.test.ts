// The spine end to end on the real Taiwan bundle: core's native trees against
// xgboost's own predictions, onnxruntime-node against core and against torch, the whole
// ensemble against the python golden and against onnxruntime-web (wasm under Node).
// The golden rows blank cells at random (the partial rows), which the shipped bundle
// refuses (all 23 fields are required); the parity checks score them with
// partialApplications(bundle), the same models with every field optional.
import * as ort from 'onnxruntime-node';
import { createScorer, sigmoid, type LoadedBundle, type ScoreOutcome, type ScoreResult } from '@riskscore/core';
import { createWebBackend } from '@riskscore/browser';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstBlankField, loadTaiwanGoldens, partialApplications, TAIWAN_BUNDLE } from '../test/taiwan';
import { createNodeBackend } from './backend/node-backend';
import { loadBundleFromDir } from './bundle/bundle-dir';

const g = loadTaiwanGoldens();
const n = g.rows.length;
const nF = g.features.length;
let bundle: LoadedBundle;
/** The bundle with every input field optional, so the partial golden rows are scored. */
let partial: LoadedBundle;

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function runOrt(file: Uint8Array, input: string, output: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file);
  const out = await s.run({ [input]: new ort.Tensor('float32', g.matrix, [n, nF]) }, [output]);
  await s.release();
  return out[output].data as Float32Array;
}

beforeAll(async () => {
  bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
  partial = partialApplications(bundle);
});

describe('Taiwan bundle: tree member', () => {
  it('golden set has rows with missing values', () => {
    expect(g.nanRows.length).toBeGreaterThanOrEqual(60);
    expect(g.rows.flat().filter((v) => v === null).length).toBeGreaterThan(60);
  });

  it('TS trees equal xgboost predict() probabilities to 1e-6 (NaN rows included)', () => {
    const trees = bundle.members.find((m) => m.spec.name === 'xgboost')!.trees!;
    expect(trees.nTrees).toBe(200);
    const margins = new Float64Array(n);
    trees.predictMargins(g.matrix, n, margins);
    // xgboost adds 200 float32 leaves in float32 (base first); we add in double, so the
    // margins differ by float32 rounding (~1e-7 per addition); the probabilities by < 1e-6.
    expect(maxAbs(margins, g.xgboost_margin)).toBeLessThan(5e-6);
    const probs = margins.map(sigmoid);
    expect(maxAbs(probs, g.xgboost_prob)).toBeLessThan(1e-6);
  });

  it('TS trees equal onnxruntime-node on the converted ONNX file', async () => {
    const m = bundle.members.find((x) => x.spec.name === 'xgboost')!;
    const ortMargin = await runOrt(m.bytes, 'features', 'margin');
    const ortProb = await runOrt(m.bytes, 'features', 'probability');
    const ours = new Float64Array(n);
    m.trees!.predictMargins(g.matrix, n, ours);
    // ORT sums float32 leaves in float32: agreement to float32 rounding of a sum of 200 terms.
    expect(maxAbs(ours, ortMargin)).toBeLessThan(1e-5);
    expect(maxAbs(ours.map(sigmoid), ortProb)).toBeLessThan(1e-6);
  });
});

describe('Taiwan bundle: neural members in onnxruntime-node equal torch', () => {
  it.each([
    ['mlp', 'mlp_logit'],
    ['ft_transformer', 'ft_transformer_logit'],
  ] as const)('%s to 1e-5', async (name, key) => {
    const m = bundle.members.find((x) => x.spec.name === name)!;
    const y = await runOrt(m.bytes, 'features', 'logit');
    expect(y.length).toBe(n);
    expect(maxAbs(y, g[key])).toBeLessThan(1e-5);
  });
});

/** The results of a batch in which every event must have been scored. */
function results(outcomes: ScoreOutcome[]): ScoreResult[] {
  return outcomes.map((o, i) => {
    if (!o.ok) throw new Error(`event ${i} refused: ${o.error.code} ${o.error.message}`);
    return o.result;
  });
}

describe('Taiwan bundle: the ensemble', () => {
  it('the shipped bundle refuses the partial rows, naming the blank field, and scores the complete ones as the relaxed copy does', async () => {
    const strict = await createScorer(bundle, { backend: createNodeBackend() });
    const relaxed = await createScorer(partial, { backend: createNodeBackend() });
    const a = await strict.scoreBatch(g.events);
    const b = results(await relaxed.scoreBatch(g.events));
    const nanRows = new Set(g.nanRows);
    expect(nanRows.size).toBeGreaterThan(0);
    a.forEach((o, i) => {
      if (nanRows.has(i)) {
        const field = firstBlankField(bundle, g.events[i])!;
        expect(o).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['events', i, field] } });
        if (!o.ok) expect(o.error.message).toContain(`event field ${field}: expected a value (the field is required)`);
      } else {
        if (!o.ok) throw new Error(`complete event ${i} refused: ${o.error.code} ${o.error.message}`);
        expect(Math.abs(o.result.score - b[i].score)).toBeLessThan(1e-12);
      }
    });
    const i = g.nanRows[0];
    await expect(strict.score(g.events[i])).rejects.toMatchObject({ code: 'invalid_event', path: ['event', firstBlankField(bundle, g.events[i])] });
    await strict.close();
    await relaxed.close();
  });

  it('node scorer equals the python ensemble probability (1e-5) and node = web (1e-6)', async () => {
    const node = await createScorer(partial, { backend: createNodeBackend() });
    const web = await createScorer(partial, { backend: createWebBackend() });
    const a = results(await node.scoreBatch(g.events));
    const b = results(await web.scoreBatch(g.events));
    const pa = a.map((r) => r.score);
    const pb = b.map((r) => r.score);
    expect(maxAbs(pa, g.probability)).toBeLessThan(1e-5);
    expect(maxAbs(a.map((r) => r.logit), g.ensemble_logit)).toBeLessThan(2e-5);
    expect(maxAbs(pa, pb)).toBeLessThan(1e-6);
    // One event at a time gives the batch's answer.
    for (const i of [0, 2, 4, 150, 299]) {
      const r = await node.score(g.events[i]);
      expect(Math.abs(r.score - pa[i])).toBeLessThan(1e-6);
      expect(r.model).toBe('taiwan-credit@1.0.0');
      expect(Object.keys(r.memberScores)).toEqual(['xgboost', 'mlp', 'ft_transformer']);
      expect(r.timings.totalUs).toBeGreaterThan(0);
    }
    await node.close();
    await web.close();
  });

  it('trees run in the backend give the same scores as native trees', async () => {
    const native = await createScorer(partial, { backend: createNodeBackend() });
    const viaOrt = await createScorer(partial, { backend: createNodeBackend(), trees: 'backend' });
    const a = results(await native.scoreBatch(g.events));
    const b = results(await viaOrt.scoreBatch(g.events));
    expect(maxAbs(a.map((r) => r.score), b.map((r) => r.score))).toBeLessThan(1e-6);
    await native.close();
    await viaOrt.close();
  });

  it('applies the decision policy: bands and the severe-delinquency rule', async () => {
    const s = await createScorer(partial, { backend: createNodeBackend() });
    const res = results(await s.scoreBatch(g.events));
    res.forEach((r, i) => {
      const e = g.events[i];
      if ((e.PAY_0 ?? -Infinity) >= 4) {
        expect(r.decision).toBe('decline');
        expect(r.reasons[0]).toMatchObject({ source: 'rule', ref: 'severe-delinquency', code: 'R01' });
      } else {
        expect(r.decision).toBe(r.score < 0.25 ? 'approve' : r.score >= 0.6 ? 'decline' : 'review');
      }
    });
    await s.close();
  });
});
