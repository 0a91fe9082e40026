import { describe, expect, it } from 'vitest';
import type { BatchPredict } from './batch-predict';
import { createLimeExplainer } from './lime-explainer';
import { createSeededRandom } from './seeded-random';

// Independent quartiles: sort, then NumPy's linear interpolation at p·(n−1).
function quartilesOf(values: number[]): number[] {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return [0.25, 0.5, 0.75].map((p) => {
    const pos = p * (v.length - 1);
    const i = Math.floor(pos);
    return v[i] + (pos - i) * ((v[i + 1] ?? v[i]) - v[i]);
  });
}

describe('createLimeExplainer', () => {
  const M = 6, n = 400;
  const rng = createSeededRandom(8);
  const training = new Float32Array(n * M);
  for (let i = 0; i < training.length; i++) training[i] = rng.next() < 0.05 ? NaN : rng.nextNormal() * (1 + (i % M));
  const q = Array.from({ length: M }, (_, j) => quartilesOf(Array.from({ length: n }, (_, r) => training[r * M + j])));
  const bin = (j: number, v: number) => (Number.isNaN(v) ? 4 : q[j].filter((t) => t < v).length);
  const row = Float32Array.from([0.3, -2.5, NaN, 1.0, 7, -0.1]);
  const beta = [1.5, -2, 0.75, 0, 3, -0.5];
  // A model that is exactly linear in LIME's interpretable representation around `row`.
  const predict: BatchPredict = (rows, nRows) => {
    const y = new Float64Array(nRows);
    for (let r = 0; r < nRows; r++) {
      let s = 0.25;
      for (let j = 0; j < M; j++) if (bin(j, rows[r * M + j]) === bin(j, row[j])) s += beta[j];
      y[r] = s;
    }
    return y;
  };

  it('uses NumPy-style quartiles and recovers an exactly linear surrogate (α = 0)', async () => {
    const lime = createLimeExplainer({ predict, nFeatures: M, training, nTraining: n, nSamples: 2000, ridgeAlpha: 0, seed: 1 });
    for (let j = 0; j < M; j++) for (let k = 0; k < 3; k++) expect(lime.quartiles[j * 3 + k]).toBeCloseTo(q[j][k], 5);
    const e = await lime.explain(row);
    for (let j = 0; j < M; j++) expect(Math.abs(e.weights[j] - beta[j])).toBeLessThan(1e-9);
    expect(e.intercept).toBeCloseTo(0.25, 9);
    expect(e.score).toBeCloseTo(1, 9);
    expect(e.bins[2]).toBe(4);
  });

  it('is deterministic for a seed; ridge shrinks the weights toward 0', async () => {
    const opts = { predict, nFeatures: M, training, nTraining: n, nSamples: 1000, seed: 7 };
    const a = await createLimeExplainer(opts).explain(row);
    const b = await createLimeExplainer(opts).explain(row);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    const strong = await createLimeExplainer({ ...opts, ridgeAlpha: 1000 }).explain(row);
    let l2a = 0, l2s = 0;
    for (let j = 0; j < M; j++) { l2a += a.weights[j] ** 2; l2s += strong.weights[j] ** 2; }
    expect(l2s).toBeLessThan(l2a / 4);
    expect(l2a).toBeGreaterThan(0);
  });

  it('rejects a short row with a typed error', async () => {
    const lime = createLimeExplainer({ predict, nFeatures: M, training, nTraining: n });
    await expect(lime.explain(new Float32Array(2))).rejects.toMatchObject({ code: 'invalid_argument', path: ['row'] });
  });
});
