/**
 * Errors thrown by `@riskscore/explain`.
 *
 * Every riskscore package throws errors of one shape (`RiskscoreErrorLike` in
 * `@riskscore/core`, documented in docs/errors.md): the brand
 * `Symbol.for('riskscore.error')`, a stable `code`, the offending `path`, a message that
 * says what failed and how to fix it, structured `details` (always an object) and the
 * standard `cause`. `isRiskscoreError(e)` in core recognises them without explain
 * importing core.
 */
const BRAND = Symbol.for('riskscore.error');

/**
 * Stable codes of the errors explain throws; each is a member of core's
 * `RiskscoreErrorCode` (a type test in core checks it).
 *
 * - `invalid_argument`: an argument is out of its domain (wrong type, non-finite,
 *   mismatched lengths, an empty sample where one is needed, a bad option).
 * - `undefined_statistic`: the statistic asked for does not exist for the data given
 *   (one class only, an empty sample, a constant score, …).
 * - `unsupported_model`: the model has a construct the explainer cannot explain.
 */
export type ExplainErrorCode =
  | 'invalid_argument'
  | 'undefined_statistic'
  | 'unsupported_model';

/** The optional fourth argument of {@link ExplainError}. */
export interface ExplainErrorOptions {
  /** Structured detail for programs (expected and actual values, limits, …). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The error that led to this one (standard `Error` cause). */
  readonly cause?: unknown;
}

/**
 * The error explain throws for bad input or a statistic that is undefined for the data
 * given (one class only, an empty sample, a constant score, …).
 *
 * @example
 * try { rocAuc(new Float64Array([0.1, 0.2]), new Uint8Array([1, 1])); }
 * catch (e) { if (ExplainError.isInstance(e)) console.log(e.code); } // "undefined_statistic"
 */
export class ExplainError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ExplainError';
  /** A stable, machine-readable code. */
  readonly code: ExplainErrorCode;
  /** The argument or field that was wrong, e.g. `['labels', 3]`. */
  readonly path: ReadonlyArray<string | number>;
  /** Structured detail for programs; `{}` when there is none. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ExplainErrorCode, message: string, path: ReadonlyArray<string | number> = [], options: ExplainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = path;
    this.details = options.details ?? {};
  }

  /** True for an ExplainError, also one from another copy of this package. */
  static isInstance(e: unknown): e is ExplainError {
    return e instanceof Error && (e as { name?: string }).name === 'ExplainError' && BRAND in e;
  }
}
