/**
 * Natural logarithm of the gamma function for x > 0.
 *
 * For x ≥ 10 the Stirling series
 * ln Γ(x) = (x − ½) ln x − x + ½ ln 2π + Σ_k B_{2k} / (2k(2k−1) x^(2k−1)),
 * truncated after the x^(−13) term (the next term is below 3e−17 at x = 10); below 10 the
 * recurrence ln Γ(x) = ln Γ(x + k) − ln(x(x+1)…(x+k−1)) first moves x above 10.
 * Absolute error ≈ 1e−15·max(1, |ln Γ(x)|), which is what the p-values here need: they
 * use ln Γ only inside exp(…), where an absolute error ε in the exponent is a relative
 * error ε in the probability.
 *
 * @param x - a positive, finite number
 * @returns ln Γ(x)
 * @example
 * logGamma(5); // ln 24 = 3.1780538303479458
 */
export function logGamma(x: number): number {
  let shift = 0;
  if (x < 10) {
    // Product x(x+1)…(x+k−1) stays far below overflow for x ≥ 1e−300 and k ≤ 10.
    let prod = 1;
    while (x < 10) {
      prod *= x;
      x += 1;
    }
    shift = Math.log(prod);
  }
  const r = 1 / x;
  const r2 = r * r;
  // Bernoulli coefficients B_{2k}/(2k(2k−1)) for k = 1 … 7, by Horner in 1/x².
  const series =
    r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))));
  return (x - 0.5) * Math.log(x) - x + 0.91893853320467274178 + series - shift;
}
