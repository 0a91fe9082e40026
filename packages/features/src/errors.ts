/**
 * Errors thrown by `@riskscore/features`.
 *
 * Every riskscore package throws errors of one shape (`RiskscoreErrorLike` in
 * `@riskscore/core`, documented in docs/errors.md): the brand
 * `Symbol.for('riskscore.error')`, a stable `code`, the offending `path`, a message that
 * says what failed and how to fix it, structured `details` (always an object) and the
 * standard `cause`. `isRiskscoreError(e)` in core recognises them without features
 * importing core.
 */
const BRAND = Symbol.for('riskscore.error');

/**
 * Stable codes of the errors features throws; each is a member of core's
 * `RiskscoreErrorCode` (a type test in core checks it).
 *
 * - `invalid_spec`: the feature spec failed its schema or a cross-reference check.
 * - `invalid_event`: an event (or an outcome) is missing a field, has a wrong type, a
 *   non-finite or out-of-range number, an unparsable timestamp or an unknown category.
 * - `late_event`: an event is older than the newest event already committed for one of
 *   its entities and the spec's `state.lateEvents` policy is `"reject"`.
 * - `out_of_order`: the offline pass met a row older than the previous row.
 * - `state_limit`: a single entity's state cannot fit in the store's byte budget.
 * - `invalid_argument`: a caller passed a bad option or a too-short output array.
 * - `state_conflict`: another writer changed an entity's state between prepare and
 *   commit, and retrying did not resolve it.
 * - `invalid_snapshot`: bytes given to restore a state snapshot are not a valid snapshot
 *   of this store and spec.
 * - `clock_skew`: an event's timestamp is too far ahead of the clock or of its entity's
 *   last event.
 */
export type FeatureErrorCode =
  | 'invalid_spec'
  | 'invalid_event'
  | 'late_event'
  | 'out_of_order'
  | 'state_limit'
  | 'invalid_argument'
  | 'state_conflict'
  | 'invalid_snapshot'
  | 'clock_skew';

/** The optional fourth argument of {@link FeatureError}. */
export interface FeatureErrorOptions {
  /** Structured detail for programs (expected and actual values, limits, …). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The error that led to this one (standard `Error` cause). */
  readonly cause?: unknown;
}

/**
 * The error features throws for a bad spec, a bad event or a bad argument.
 *
 * @example
 * try { evaluator.computeInto({ CUSTOMER_ID: 'x' }, out); }
 * catch (e) { if (FeatureError.isInstance(e)) console.log(e.code, e.path, e.details); } // "invalid_event" ["CUSTOMER_ID"] {}
 */
export class FeatureError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'FeatureError';
  /** A stable, machine-readable code. */
  readonly code: FeatureErrorCode;
  /** The field or spec location that was wrong, e.g. `['TX_AMOUNT']` or `['features', 3, 'window']`. */
  readonly path: ReadonlyArray<string | number>;
  /** Structured detail for programs; `{}` when there is none. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: FeatureErrorCode, message: string, path: ReadonlyArray<string | number> = [], options: FeatureErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = path;
    this.details = options.details ?? {};
  }

  /** True for a FeatureError, also one from another copy of this package. */
  static isInstance(e: unknown): e is FeatureError {
    return e instanceof Error && (e as { name?: string }).name === 'FeatureError' && BRAND in e;
  }
}
