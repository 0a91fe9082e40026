/**
 * Turning the ensemble logit into a calibrated probability.
 * Platt (1999): p = σ(a·z + b). Isotonic: the piecewise-linear interpolation that
 * scikit-learn's IsotonicRegression.predict uses, clipped at both ends.
 */
import { sigmoid } from '../trees/tree-ensemble';
import { CalibrationSchema, type Calibration } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

/**
 * Builds the calibration function of a manifest.
 *
 * @example
 * const calibrate = createCalibrator({ method: 'platt', a: 1.1, b: -0.2 });
 * calibrate(0); // σ(-0.2) ≈ 0.450
 */
export function createCalibrator(calibration: Calibration): (z: number) => number {
  const parsed = CalibrationSchema.safeParse(calibration);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RiskscoreError('invalid_argument', `createCalibrator: calibration${issue.path.map((p) => `.${String(p)}`).join('')} ${issue.message}; pass the manifest's calibration block ({ method: 'none' | 'platt' | 'isotonic', … })`, {
      path: ['calibration', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
    });
  }
  const c = parsed.data;
  if (c.method === 'isotonic') {
    if (c.x.length !== c.y.length) {
      throw new RiskscoreError('invalid_argument', `createCalibrator: isotonic x has ${c.x.length} knots and y ${c.y.length}; they must pair up`, { path: ['calibration', 'y'] });
    }
    for (let i = 1; i < c.x.length; i++) {
      if (!(c.x[i] >= c.x[i - 1])) {
        throw new RiskscoreError('invalid_argument', `createCalibrator: isotonic x must be ascending; x[${i}] = ${c.x[i]} follows ${c.x[i - 1]}`, { path: ['calibration', 'x', i] });
      }
    }
  }
  switch (c.method) {
    case 'none':
      return sigmoid;
    case 'platt': {
      const { a, b } = c;
      return (z) => sigmoid(a * z + b);
    }
    case 'isotonic': {
      const x = Float64Array.from(c.x);
      const y = Float64Array.from(c.y);
      const n = x.length;
      return (z) => {
        if (z <= x[0]) return y[0];
        if (z >= x[n - 1]) return y[n - 1];
        let lo = 0;
        let hi = n - 1;
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (x[mid] <= z) lo = mid;
          else hi = mid;
        }
        return y[lo] + ((y[hi] - y[lo]) * (z - x[lo])) / (x[hi] - x[lo]);
      };
    }
  }
}

/** The logit of a probability, clamped away from 0 and 1 so it stays finite. */
export function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return Math.log(q / (1 - q));
}
