// The bundle builder's fits against scikit-learn, run here through Debian's python:
// unpenalised logistic regression (stacking weights, Platt) and isotonic regression.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RiskscoreError } from '../errors';
import { createCalibrator } from './calibrate';
import { fitIsotonic, fitLogistic } from './fit-logistic';

const PY = '/usr/bin/python3';
function python(script: string, input: unknown): any {
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
function data(n: number, k: number, seed: number) {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const gauss = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  const x = new Float64Array(n * k);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = -0.7;
    for (let j = 0; j < k; j++) { x[i * k + j] = gauss() * (1 + j); z += (j % 2 ? -0.4 : 0.8) * x[i * k + j]; }
    y[i] = u() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

describe('fitLogistic equals scikit-learn LogisticRegression(penalty=None)', () => {
  it.each([[500, 1, 1], [2000, 3, 2], [300, 5, 3]])('n = %i, k = %i', (n, k, seed) => {
    const { x, y } = data(n, k, seed);
    const ours = fitLogistic(x, n, k, y);
    const ref = python(`
import json, sys, numpy as np
from sklearn.linear_model import LogisticRegression
d = json.load(sys.stdin)
X = np.array(d['x']).reshape(d['n'], d['k']); y = np.array(d['y'])
m = LogisticRegression(penalty=None, solver='newton-cg', tol=1e-12, max_iter=10000).fit(X, y)
print(json.dumps({'w': m.coef_[0].tolist(), 'b': float(m.intercept_[0])}))`, { x: Array.from(x), y: Array.from(y), n, k });
    ours.weights.forEach((w, j) => expect(Math.abs(w - ref.w[j])).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.w[j]))));
    expect(Math.abs(ours.bias - ref.b)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.b)));
  });

  it('refuses one-class labels, labels other than 0 and 1, and non-finite values with typed errors', () => {
    expect(() => fitLogistic([1, 2, 3], 3, 1, [0, 0, 0])).toThrow(RiskscoreError);
    expect(() => fitLogistic([1, NaN, 3], 3, 1, [0, 1, 0])).toThrow(/x\[1\] is NaN/);
    expect(() => fitLogistic([1, 2, 3], 3, 1, [0, 2, 1])).toThrow(/labels are 0 or 1/);
  });
});

describe('fitIsotonic equals scikit-learn IsotonicRegression(out_of_bounds="clip")', () => {
  it('on random scores with ties, predicted through the bundle calibrator on a grid', () => {
    const n = 1500;
    const { x, y } = data(n, 1, 7);
    const scores = Array.from(x, (v) => Math.round(v * 20) / 20); // ties
    const fit = fitIsotonic(scores, y);
    for (let i = 1; i < fit.x.length; i++) expect(fit.x[i]).toBeGreaterThanOrEqual(fit.x[i - 1]);
    const grid = Array.from({ length: 401 }, (_, i) => -5 + i * 0.025);
    const ref = python(`
import json, sys, numpy as np
from sklearn.isotonic import IsotonicRegression
d = json.load(sys.stdin)
m = IsotonicRegression(out_of_bounds='clip').fit(d['s'], d['y'])
print(json.dumps(m.predict(d['g']).tolist()))`, { s: scores, y: Array.from(y), g: grid });
    // The bundle's isotonic calibration needs x strictly increasing: equal knots are merged the way the builder does.
    const xs: number[] = [];
    const ys: number[] = [];
    fit.x.forEach((v, i) => { if (xs.length && xs[xs.length - 1] === v) ys[ys.length - 1] = fit.y[i]; else { xs.push(v); ys.push(fit.y[i]); } });
    const cal = createCalibrator({ method: 'isotonic', x: xs, y: ys });
    let worst = 0;
    grid.forEach((g, i) => (worst = Math.max(worst, Math.abs(cal(g) - ref[i]))));
    expect(worst).toBeLessThan(1e-12);
  });
});
