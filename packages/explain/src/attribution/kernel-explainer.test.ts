import { describe, expect, it } from 'vitest';
import { ExplainError } from '../errors';
import type { BatchPredict } from './batch-predict';
import { createKernelExplainer } from './kernel-explainer';
import { createSeededRandom } from './seeded-random';
import { bruteForceShapley } from '../../test/fixtures/attribution/random-trees';

/** A small fixed "MLP" with interactions: two tanh layers, one logit out. */
function makeMlp(M: number, seed: number) {
  const rng = createSeededRandom(seed);
  const H = 6;
  const w1 = Float64Array.from({ length: H * M }, () => rng.nextNormal() * 0.7);
  const b1 = Float64Array.from({ length: H }, () => rng.nextNormal() * 0.1);
  const w2 = Float64Array.from({ length: H }, () => rng.nextNormal());
  const f = (x: ArrayLike<number>, off = 0): number => {
    let o = 0.1;
    for (let h = 0; h < H; h++) {
      let s = b1[h];
      for (let i = 0; i < M; i++) s += w1[h * M + i] * x[off + i];
      o += w2[h] * Math.tanh(s);
    }
    return o + x[off] * x[off + 1]; // an explicit interaction too
  };
  let calls = 0;
  const predict: BatchPredict = async (rows, n) => {
    calls++;
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) y[r] = f(rows, r * M);
    return y;
  };
  return { f, predict, calls: () => calls };
}

function data(M: number, nBg: number, seed: number) {
  const rng = createSeededRandom(seed);
  const bg = Float32Array.from({ length: nBg * M }, () => rng.nextNormal());
  const x = Float32Array.from({ length: M }, () => rng.nextNormal() * 1.5);
  return { bg, x };
}

function reference(M: number, nBg: number, f: (x: ArrayLike<number>) => number, x: Float32Array, bg: Float32Array) {
  const mixed = new Float32Array(M);
  return bruteForceShapley(M, (mask) => {
    let s = 0;
    for (let b = 0; b < nBg; b++) {
      for (let i = 0; i < M; i++) mixed[i] = (mask >> i) & 1 ? x[i] : bg[b * M + i];
      s += f(mixed);
    }
    return s / nBg;
  });
}

describe('createKernelExplainer', () => {
  it('exact mode (12 features, all coalitions) = brute-force Shapley values; batches the model calls', async () => {
    const M = 12, nBg = 5;
    const { f, predict, calls } = makeMlp(M, 3);
    const { bg, x } = data(M, nBg, 4);
    const ex = createKernelExplainer({ predict, nFeatures: M, background: bg, nBackground: nBg, maxBatchRows: 8192 });
    expect(ex.exact).toBe(true);
    expect(ex.nCoalitions).toBe(4094);
    const phi = await ex.explain(x);
    expect(calls()).toBe(Math.ceil((nBg + 1 + 4094 * nBg) / 8192));
    const ref = reference(M, nBg, f, x, bg);
    let sum = 0;
    for (let i = 0; i <= M; i++) {
      expect(Math.abs(phi[i] - ref[i])).toBeLessThan(1e-6);
      sum += phi[i];
    }
    expect(Math.abs(sum - f(x))).toBeLessThan(1e-9);
    const batch = await ex.explainBatch(new Float32Array([...x, ...bg.subarray(0, M)]), 2);
    expect(Array.from(batch.subarray(0, M + 1))).toEqual(Array.from(phi));
    expect(batch.subarray(M + 1).reduce((a, b) => a + b, 0)).toBeCloseTo(f(bg.subarray(0, M)), 9);
  });

  it('sampled mode (14 features): deterministic per seed, exactly efficient, close to exact Shapley', async () => {
    const M = 14, nBg = 4;
    const { f, predict } = makeMlp(M, 5);
    const { bg, x } = data(M, nBg, 6);
    const opts = { predict, nFeatures: M, background: bg, nBackground: nBg, nSamples: 9000, seed: 42 };
    const a = await createKernelExplainer(opts).explain(x);
    const b = await createKernelExplainer(opts).explain(x);
    const c = await createKernelExplainer({ ...opts, seed: 43 }).explain(x);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const ref = reference(M, nBg, f, x, bg);
    let sum = 0, maxErr = 0, maxAbs = 0;
    for (let i = 0; i < M; i++) {
      maxErr = Math.max(maxErr, Math.abs(a[i] - ref[i]));
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
      sum += a[i];
    }
    expect(Math.abs(sum + a[M] - f(x))).toBeLessThan(1e-9);
    expect(Math.abs(a[M] - ref[M])).toBeLessThan(1e-12);
    expect(maxErr).toBeLessThan(0.02 * maxAbs);
    // a budget covering every coalition is exact again
    const full = await createKernelExplainer({ ...opts, nSamples: (1 << M) - 2 }).explain(x);
    for (let i = 0; i <= M; i++) expect(Math.abs(full[i] - ref[i])).toBeLessThan(1e-6);
  });

  it('rejects a predict that answers the wrong number of outputs, or non-finite ones', async () => {
    const bg = new Float32Array(6);
    const ex = createKernelExplainer({ predict: (_r, n) => new Float64Array(n - 1), nFeatures: 3, background: bg, nBackground: 2 });
    await expect(ex.explain(new Float32Array(3))).rejects.toMatchObject({ code: 'invalid_argument', path: ['predict'] });
    const ex2 = createKernelExplainer({ predict: (_r, n) => new Float64Array(n).fill(NaN), nFeatures: 3, background: bg, nBackground: 2 });
    await expect(ex2.explain(new Float32Array(3))).rejects.toBeInstanceOf(ExplainError);
    expect(() => createKernelExplainer({ predict: (_r, n) => new Float64Array(n), nFeatures: 3, background: bg, nBackground: 3 })).toThrow(/background/);
  });
});
