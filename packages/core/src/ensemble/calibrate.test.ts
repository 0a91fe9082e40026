import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../testing/shared-data';
import { createCalibrator, logit } from './calibrate';

describe('calibration', () => {
  it('isotonic equals scikit-learn IsotonicRegression.predict (clip) on a grid past both ends', () => {
    // Golden: test/fixtures/calibration/make_goldens.py
    const g = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/core/test/fixtures/calibration/isotonic.json'), 'utf8'));
    // sklearn may repeat x at a step; the manifest needs strictly increasing x, so keep
    // the ends of each tie (interpolation between them is then a vertical step).
    const xs: number[] = [];
    const ys: number[] = [];
    g.x.forEach((x: number, i: number) => {
      if (xs.length && x === xs[xs.length - 1]) { xs[xs.length - 1] = x; ys[ys.length - 1] = g.y[i]; return; }
      xs.push(x); ys.push(g.y[i]);
    });
    const cal = createCalibrator({ method: 'isotonic', x: xs, y: ys });
    g.grid.forEach((z: number, i: number) => expect(Math.abs(cal(z) - g.predict[i])).toBeLessThan(1e-12));
  });

  it('platt is σ(a z + b) and none is σ(z)', () => {
    const p = createCalibrator({ method: 'platt', a: 1.5, b: -0.25 });
    expect(p(0.3)).toBeCloseTo(1 / (1 + Math.exp(-(1.5 * 0.3 - 0.25))), 15);
    expect(createCalibrator({ method: 'none' })(2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(Number.isFinite(logit(0))).toBe(true);
    expect(logit(0.5)).toBe(0);
  });
});
