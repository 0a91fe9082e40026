/**
 * Turning the ensemble logit into a calibrated probability.
 * Platt (1999): p = σ(a·z + b). Isotonic: the piecewise-linear interpolation that
 * scikit-learn's IsotonicRegression.predict uses, clipped at both ends.
 */
import { sigmoid } from '../trees/tree-ensemble';
import type { Calibration } from '../bundle/manifest';

/**
 * Builds the calibration function of a manifest.
 *
 * @example
 * const calibrate = createCalibrator({ method: 'platt', a: 1.1, b: -0.2 });
 * calibrate(0); // σ(-0.2) ≈ 0.450
 */
export function createCalibrator(c: Calibration): (z: number) => number {
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
