/**
 * Errors thrown by `@riskscore/features`.
 *
 * Every riskscore package throws errors that carry the same brand
 * (`Symbol.for('riskscore.error')`), a stable `code` and the offending `path`, so
 * `RiskscoreError.isInstance(e)` in core recognises them without features importing core.
 */
const BRAND = Symbol.for('riskscore.error');

/**
 * Stable codes of the errors features throws.
 *
 * - `invalid_spec`: the feature spec failed its schema or a cross-reference check.
 * - `invalid_event`: an event (or an outcome) is missing a field, has a wrong type, a
 *   non-finite or out-of-range number, an unparsable timestamp or an unknown category.
 * - `late_event`: an event is older than the newest event already committed for one of
 *   its entities and the spec's `state.lateEvents` policy is `"reject"`.
 * - `out_of_order`: the offline pass met a row older than the previous row.
 * - `state_limit`: a single entity's state cannot fit in the store's byte budget.
 * - `invalid_argument`: a caller passed a bad option or a too-short output array.
 */
export type FeatureErrorCode =
  | 'invalid_spec'
  | 'invalid_event'
  | 'late_event'
  | 'out_of_order'
  | 'state_limit'
  | 'invalid_argument';

/**
 * The error features throws for a bad spec, a bad event or a bad argument.
 *
 * @example
 * try { evaluator.computeInto({ CUSTOMER_ID: 'x' }, out); }
 * catch (e) { if (FeatureError.isInstance(e)) console.log(e.code, e.path); } // "invalid_event" ["CUSTOMER_ID"]
 */
export class FeatureError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'FeatureError';
  /** A stable, machine-readable code. */
  readonly code: FeatureErrorCode;
  /** The field or spec location that was wrong, e.g. `['TX_AMOUNT']` or `['features', 3, 'window']`. */
  readonly path: ReadonlyArray<string | number>;

  constructor(code: FeatureErrorCode, message: string, path: ReadonlyArray<string | number> = []) {
    super(message);
    this.code = code;
    this.path = path;
  }

  /** True for a FeatureError, also one from another copy of this package. */
  static isInstance(e: unknown): e is FeatureError {
    return e instanceof Error && (e as { name?: string }).name === 'FeatureError' && BRAND in e;
  }
}
