import { ExplainError } from '../errors';
import { logGamma } from './log-gamma';

/**
 * Survival function of the chi-square distribution, P(X ≥ x) for X ~ χ²(dof), i.e. the
 * regularised upper incomplete gamma function Q(dof/2, x/2).
 *
 * Q(a, z) = 1 − P(a, z) with the series P(a, z) = e^(−z) z^a / Γ(a+1) Σ z^k / ((a+1)…(a+k))
 * for z < a + 1, and the Legendre continued fraction for Q, evaluated by the modified
 * Lentz method, otherwise (Numerical Recipes 3rd ed. §6.2). Both converge to full double
 * precision there; the prefactor e^(−z + a ln z − ln Γ(a)) is formed in log space.
 *
 * @param x - the statistic (any number but NaN; x ≤ 0 gives 1)
 * @param dof - degrees of freedom, finite and > 0 (else `invalid_argument`)
 * @example
 * chiSquareSurvival(3.84145882069412, 1); // 0.05
 */
export function chiSquareSurvival(x: number, dof: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) {
    throw new ExplainError('invalid_argument', `chiSquareSurvival: x must be a number (the statistic; x ≤ 0 gives 1), got ${String(x)}`, ['x'], { details: { actual: x } });
  }
  if (typeof dof !== 'number' || !(dof > 0) || dof === Infinity) {
    throw new ExplainError('invalid_argument', `chiSquareSurvival: dof must be a finite number > 0 (degrees of freedom), got ${String(dof)}`, ['dof'], { details: { actual: dof } });
  }
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const a = dof / 2;
  const z = x / 2;
  const logPrefactor = -z + a * Math.log(z) - logGamma(a);
  // Like cephes' igamc (scipy), report 0 once the prefactor underflows e^(−709.78):
  // such p-values are far below any threshold, and denormals carry no precision.
  // (In the series branch the same underflow means P ≈ 0, so Q = 1.)
  if (logPrefactor < -709.782712893384) return z < a + 1 ? 1 : 0;
  if (z < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= z / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefactor));
  }
  const tiny = 1e-300;
  let b = z + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefactor) * h;
}
