/**
 * The one error family of riskscore.
 *
 * Every package throws errors with the brand `Symbol.for('riskscore.error')`, a stable
 * `code` and the offending `path`; `RiskscoreError.isInstance` recognises them all
 * (features' and explain's errors too, which cannot import core).
 */
const BRAND = Symbol.for('riskscore.error');

/** Stable codes of the errors core throws. */
export type RiskscoreErrorCode =
  /** An event does not match the bundle's input schema. */
  | 'invalid_event'
  /** manifest.json fails the manifest schema. */
  | 'invalid_manifest'
  /** A file is missing from the bundle or its sha256 disagrees with the manifest. */
  | 'bundle_integrity'
  /** An ONNX file cannot be decoded (truncated, not protobuf, unsupported construct). */
  | 'invalid_onnx'
  /** A member's input or output shape disagrees with the manifest's feature order. */
  | 'model_shape_mismatch'
  /** An argument given to a core function is out of its domain. */
  | 'invalid_argument'
  /** The inference backend failed or is missing for a neural member. */
  | 'backend_error'
  /** A model produced a non-finite output. */
  | 'non_finite_output'
  /** An xgboost model cannot be converted. */
  | 'unsupported_model';

/**
 * The error core throws. `path` names the field that failed, e.g.
 * `['members', 1, 'sha256']` or `['event', 'PAY_0']`.
 *
 * @example
 * try { await loadBundle(files); }
 * catch (e) { if (RiskscoreError.isInstance(e) && e.code === 'bundle_integrity') console.error(e.path, e.message); }
 */
export class RiskscoreError extends Error {
  readonly [BRAND] = true;
  override readonly name: string = 'RiskscoreError';
  /** A stable, machine-readable code. */
  readonly code: RiskscoreErrorCode | (string & {});
  /** Where the problem is. */
  readonly path: ReadonlyArray<string | number>;
  /** Further structured detail (expected/actual values). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: RiskscoreErrorCode,
    message: string,
    options: { path?: ReadonlyArray<string | number>; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? [];
    this.details = options.details ?? {};
  }

  /** True for any riskscore error, from any riskscore package or copy of it. */
  static isInstance(e: unknown): e is RiskscoreError {
    return typeof e === 'object' && e !== null && e instanceof Error && BRAND in e;
  }
}
