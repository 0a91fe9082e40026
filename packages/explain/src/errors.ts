/**
 * Errors thrown by `@riskscore/explain`.
 *
 * Every riskscore package throws errors that carry the same brand
 * (`Symbol.for('riskscore.error')`), a stable `code` and the offending `path`, so
 * `RiskscoreError.isInstance(e)` in core recognises them without explain importing core.
 */
const BRAND = Symbol.for('riskscore.error');

/** Stable codes of the errors explain throws. */
export type ExplainErrorCode =
  | 'invalid_argument'
  | 'undefined_statistic'
  | 'unsupported_model';

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

  constructor(code: ExplainErrorCode, message: string, path: ReadonlyArray<string | number> = []) {
    super(message);
    this.code = code;
    this.path = path;
  }

  /** True for an ExplainError, also one from another copy of this package. */
  static isInstance(e: unknown): e is ExplainError {
    return e instanceof Error && (e as { name?: string }).name === 'ExplainError' && BRAND in e;
  }
}
