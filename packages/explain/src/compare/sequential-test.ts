import { ExplainError } from '../errors';

/**
 * Always-valid sequential test of H0: θ = 0 for an asymptotically normal estimate, the
 * normal-mixture SPRT (mSPRT) of Johari, Pekelis & Walsh, "Always valid inference:
 * continuous monitoring of A/B tests" (Operations Research 2022; arXiv 1512.04922, 2015).
 *
 * At each look the caller passes the current estimate θ̂ₙ (e.g. the AUC difference
 * challenger − champion on all the labelled events so far) and its estimated variance Vₙ
 * (e.g. the paired DeLong variance). With a N(0, τ²) mixture over the alternative, the
 * likelihood ratio of the mixture against θ0 is
 *
 *     Λₙ(θ0) = √(Vₙ / (Vₙ + τ²)) · exp(τ² (θ̂ₙ − θ0)² / (2 Vₙ (Vₙ + τ²))),
 *
 * a non-negative martingale under θ0, so by Ville's inequality P(sup Λₙ ≥ 1/α) ≤ α: the
 * test may be looked at after every event, every day, or whenever, and stopped at any
 * look, without inflating the type-I error. The always-valid p-value is
 * pₙ = min(pₙ₋₁, 1/Λₙ(0)), p₀ = 1, and the confidence sequence is the set of θ0 with
 * Λₙ(θ0) < 1/α, i.e. (solving the exponent for (θ̂ₙ − θ0)²)
 *
 *     θ̂ₙ ± √( Vₙ (Vₙ + τ²) / τ² · (−2 ln α + ln((Vₙ + τ²) / Vₙ)) ),
 *
 * intersected with the intervals of the earlier looks (each look's interval covers θ
 * with the same always-valid guarantee, so their intersection does too).
 *
 * **Choosing τ²**: τ is the scale of the differences the test is tuned to find quickly.
 * Take τ² = δ², δ the smallest difference worth acting on (δ = 0.01 AUC → τ² = 1e−4).
 * A τ much smaller than the true difference wastes looks (the ln((V+τ²)/V) penalty is
 * paid while V is still large); a τ much larger delays small effects. The guarantee
 * holds for any fixed τ² > 0 chosen before the data; never tune it on the data.
 *
 * This holds asymptotically: the estimate must be close to normal with a well-estimated
 * variance at every look used (say ≥ 30 positives and negatives before the first).
 */

/** Options of {@link createSequentialTest} and {@link sequentialTest}. */
export interface SequentialTestOptions {
  /** Type-I error bound over all looks, in (0, 1); default 0.05. */
  readonly alpha?: number;
  /** Mixing variance τ² > 0 of the effect (in squared estimate units); see the module notes. */
  readonly tau2: number;
}

/** The verdict of the sequential test: the challenger is better (θ > 0), worse (θ < 0), or not yet decided. */
export type SequentialDecision = 'better' | 'worse' | null;

/** The state of a sequential test after a look. */
export interface SequentialTestState {
  /** Looks taken so far. */
  readonly looks: number;
  /** The estimate of the latest look (NaN before the first). */
  readonly estimate: number;
  /** The variance of the latest look (NaN before the first). */
  readonly variance: number;
  /** Λₙ(0) of the latest look (NaN before the first). */
  readonly likelihoodRatio: number;
  /** Always-valid p-value: min over looks of 1/Λ(0), capped at 1; never increases. */
  readonly pValue: number;
  /** Lower end of the confidence sequence (running maximum of the per-look lower limits). */
  readonly lower: number;
  /** Upper end of the confidence sequence (running minimum of the per-look upper limits). */
  readonly upper: number;
  /**
   * 'better' / 'worse' from the first look where pValue ≤ alpha, by the sign of that
   * look's estimate; null before. Once set it does not change.
   */
  readonly decided: SequentialDecision;
  /** The look at which `decided` was set, or null. */
  readonly decidedAtLook: number | null;
}

/** A stateful always-valid sequential test ({@link createSequentialTest}). */
export interface SequentialTest {
  /** Adds one look (estimate and its variance, from all data so far) and returns the new state. */
  update(estimate: number, variance: number): SequentialTestState;
  /** The state after the latest look. */
  readonly state: SequentialTestState;
  /** Alpha and τ² in use. */
  readonly options: Required<SequentialTestOptions>;
}

function checkOptions(fn: string, options: SequentialTestOptions): Required<SequentialTestOptions> {
  if (options === null || typeof options !== 'object') {
    throw new ExplainError('invalid_argument', `${fn}: options must be an object with tau2 (the mixing variance, e.g. the squared smallest difference worth detecting)`, ['options']);
  }
  const alpha = options.alpha ?? 0.05;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) {
    throw new ExplainError('invalid_argument', `${fn}: options.alpha must be a number strictly between 0 and 1 (e.g. 0.05), got ${String(alpha)}`, ['options', 'alpha'], { details: { actual: alpha } });
  }
  const tau2 = options.tau2;
  if (typeof tau2 !== 'number' || !(tau2 > 0) || tau2 === Infinity) {
    throw new ExplainError(
      'invalid_argument',
      `${fn}: options.tau2 must be a finite number > 0 (the mixing variance; e.g. 1e-4 for a smallest AUC difference of 0.01), got ${String(tau2)}`,
      ['options', 'tau2'],
      { details: { actual: tau2 } },
    );
  }
  return { alpha, tau2 };
}

function checkLook(fn: string, estimate: number, variance: number, path: ReadonlyArray<string | number>): void {
  if (typeof estimate !== 'number' || !Number.isFinite(estimate)) {
    throw new ExplainError('invalid_argument', `${fn}: estimate must be a finite number (e.g. the AUC difference), got ${String(estimate)}`, [...path, 'estimate'], { details: { actual: estimate } });
  }
  if (typeof variance !== 'number' || !(variance > 0) || variance === Infinity) {
    throw new ExplainError(
      'invalid_argument',
      `${fn}: variance must be a finite number > 0 (the estimate's variance at this look; 0 means there is nothing to test yet), got ${String(variance)}`,
      [...path, 'variance'],
      { details: { actual: variance } },
    );
  }
}

/**
 * ln Λ(θ0) of the normal mixture for one look: ½ ln(V/(V+τ²)) + τ²(θ̂−θ0)²/(2V(V+τ²)).
 *
 * @example
 * Math.exp(mixtureLogLikelihoodRatio(0.02, 1e-4, 1e-4)); // e/√2 = 1.9221155140795587 (z = 2, far from 1/α = 20)
 */
export function mixtureLogLikelihoodRatio(estimate: number, variance: number, tau2: number, theta0 = 0): number {
  const d = estimate - theta0;
  return 0.5 * Math.log(variance / (variance + tau2)) + (tau2 * d * d) / (2 * variance * (variance + tau2));
}

/**
 * Half-width of one look's always-valid interval: √(V(V+τ²)/τ² · (−2 ln α + ln((V+τ²)/V))).
 *
 * @example
 * mixtureHalfWidth(1e-4, 1e-4, 0.05); // 0.03656394871363849 (vs 1.96·0.01 for a single look)
 */
export function mixtureHalfWidth(variance: number, tau2: number, alpha: number): number {
  return Math.sqrt(((variance * (variance + tau2)) / tau2) * (-2 * Math.log(alpha) + Math.log1p(tau2 / variance)));
}

const INITIAL: SequentialTestState = {
  looks: 0,
  estimate: NaN,
  variance: NaN,
  likelihoodRatio: NaN,
  pValue: 1,
  lower: -Infinity,
  upper: Infinity,
  decided: null,
  decidedAtLook: null,
};

function step(prev: SequentialTestState, estimate: number, variance: number, o: Required<SequentialTestOptions>): SequentialTestState {
  const logLr = mixtureLogLikelihoodRatio(estimate, variance, o.tau2);
  const pValue = Math.min(prev.pValue, Math.exp(-logLr), 1);
  const half = mixtureHalfWidth(variance, o.tau2, o.alpha);
  const looks = prev.looks + 1;
  let decided = prev.decided, decidedAtLook = prev.decidedAtLook;
  if (decided === null && pValue <= o.alpha) {
    decided = estimate > 0 ? 'better' : 'worse';
    decidedAtLook = looks;
  }
  return {
    looks,
    estimate,
    variance,
    likelihoodRatio: Math.exp(logLr),
    pValue,
    lower: Math.max(prev.lower, estimate - half),
    upper: Math.min(prev.upper, estimate + half),
    decided,
    decidedAtLook,
  };
}

/**
 * A stateful always-valid sequential test (mixture SPRT): call `update(estimate,
 * variance)` at every look with the estimate and variance from all data so far.
 *
 * @param options - `tau2` (required, > 0: the squared smallest difference worth
 *   detecting), `alpha` (default 0.05)
 * @throws ExplainError `invalid_argument` for a bad option; `update` throws it for a
 *   non-finite estimate or a variance that is not finite and > 0
 * @example
 * const test = createSequentialTest({ tau2: 0.01 ** 2 });
 * for (const day of days) {
 *   const r = delongTestPaired(challengerScores, championScores, labels); // all labelled events so far
 *   const s = test.update(r.difference, r.variance);
 *   if (s.decided) { console.log(s.decided, 'after', s.looks, 'looks'); break; }
 * }
 */
export function createSequentialTest(options: SequentialTestOptions): SequentialTest {
  const o = checkOptions('createSequentialTest', options);
  let state = INITIAL;
  return {
    update(estimate: number, variance: number): SequentialTestState {
      checkLook('SequentialTest.update', estimate, variance, []);
      state = step(state, estimate, variance, o);
      return state;
    },
    get state() {
      return state;
    },
    options: o,
  };
}

/**
 * The pure form of {@link createSequentialTest}: the state after all `looks`, in order.
 *
 * @throws ExplainError `invalid_argument` for a bad option or look (path `['looks', i, 'variance']`, …)
 * @example
 * sequentialTest([{ estimate: 0.01, variance: 1e-4 }, { estimate: 0.012, variance: 2.5e-5 }], { tau2: 1e-4 });
 * // { looks: 2, estimate: 0.012, pValue: 0.2233, lower: -0.0034, upper: 0.0274, decided: null, decidedAtLook: null, … }
 */
export function sequentialTest(looks: ReadonlyArray<{ readonly estimate: number; readonly variance: number }>, options: SequentialTestOptions): SequentialTestState {
  const o = checkOptions('sequentialTest', options);
  if (!Array.isArray(looks)) {
    throw new ExplainError('invalid_argument', `sequentialTest: looks must be an array of { estimate, variance }, got ${looks === null ? 'null' : typeof looks}`, ['looks']);
  }
  let state = INITIAL;
  looks.forEach((l, i) => {
    if (l === null || typeof l !== 'object') {
      throw new ExplainError('invalid_argument', `sequentialTest: looks[${i}] must be an object { estimate, variance }, got ${l === null ? 'null' : typeof l}`, ['looks', i]);
    }
    checkLook('sequentialTest', l.estimate, l.variance, ['looks', i]);
    state = step(state, l.estimate, l.variance, o);
  });
  return state;
}
