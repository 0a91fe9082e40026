/**
 * The one error contract of riskscore.
 *
 * Every package throws errors of one shape, {@link RiskscoreErrorLike}: the brand
 * `Symbol.for('riskscore.error')`, a stable `code` from {@link RiskscoreErrorCode}, the
 * offending `path`, a message that says what failed and how to fix it, structured
 * `details` (always an object) and the standard `cause`. Core throws
 * {@link RiskscoreError}; features throws `FeatureError` and explain `ExplainError`,
 * which cannot import core but carry the same brand and shape, so
 * {@link isRiskscoreError} recognises them all. docs/errors.md lists every code.
 */
const BRAND = Symbol.for('riskscore.error');

/**
 * Every code any riskscore package throws (docs/errors.md: who throws it, what `path`
 * names, how to fix it). `FeatureErrorCode` and `ExplainErrorCode` are subsets.
 */
export type RiskscoreErrorCode =
  /** An event (or outcome) does not match the bundle's input schema or the feature spec (core, features). */
  | 'invalid_event'
  /** manifest.json fails the manifest schema (core). */
  | 'invalid_manifest'
  /** A file is missing from the bundle or its sha256 disagrees with the manifest (core). */
  | 'bundle_integrity'
  /** A scorer given trusted public keys met a bundle that is unsigned, signed by another key, or whose signature does not match its manifest (core, node, browser). */
  | 'bundle_untrusted'
  /** An ONNX file cannot be decoded (truncated, not protobuf, unsupported construct) (core). */
  | 'invalid_onnx'
  /** A member's input or output shape disagrees with the manifest's feature order (core). */
  | 'model_shape_mismatch'
  /** An argument given to a public function is out of its domain (core, features, explain, node, browser). */
  | 'invalid_argument'
  /** The inference backend failed or is missing for a neural member (core, node, browser). */
  | 'backend_error'
  /** A model produced a non-finite output (core). */
  | 'non_finite_output'
  /** A model has a construct that cannot be converted or explained (core, explain). */
  | 'unsupported_model'
  /** The feature spec fails its schema or a cross-reference check (features). */
  | 'invalid_spec'
  /** An event is older than its entity's newest committed event and late events are rejected (features). */
  | 'late_event'
  /** The offline pass met a row older than the previous row (features). */
  | 'out_of_order'
  /** One entity's state cannot fit in the state store's byte budget (features). */
  | 'state_limit'
  /** A statistic does not exist for the data given: one class only, an empty sample, a constant score (explain). */
  | 'undefined_statistic'
  /** An event id was already committed within the idempotency window and the scorer refuses duplicates (core scorer). */
  | 'duplicate_event'
  /** Another writer changed an entity's state between prepare and commit; retried, then refused (core scorer, features). */
  | 'state_conflict'
  /** Bytes given to restore a state snapshot are not a valid snapshot of this store and spec (features, core scorer). */
  | 'invalid_snapshot'
  /** An event's timestamp is too far ahead of the scorer's clock or of its entity's last event (core scorer, features). */
  | 'clock_skew'
  /** A model registry has no version or alias of that name, or no alias decides yet (core registry, node). */
  | 'model_not_found'
  /** A registry change conflicts with its state: a version loaded twice with different bundles, unloading a version an alias or experiment names (core registry, node). */
  | 'registry_conflict'
  /** A shared entity-state store (Redis) or stream server did not answer within its timeout or refused the connection; `details.maybeWritten` says whether the write may have landed (node state stores, stream). */
  | 'state_unavailable'
  /** A request to a worker scorer was superseded by a newer one in its lane or aborted by its signal; nothing was scored for it, or its answer was dropped (browser). */
  | 'cancelled'
  /** A worker scorer's Web Worker could not start, failed or was closed (browser). */
  | 'worker_unavailable'
  /** A bug inside riskscore or a plug-in (an observer, a backend) threw something untyped; the scorer changed nothing. Report it (core scorer). */
  | 'internal_error';

/**
 * {@link RiskscoreErrorCode} as a runtime list, in the union's order (a type test keeps
 * the two equal), for checking a code read from logs or another process.
 *
 * @example
 * RISKSCORE_ERROR_CODES.includes('bundle_integrity'); // true
 */
export const RISKSCORE_ERROR_CODES = [
  'invalid_event',
  'invalid_manifest',
  'bundle_integrity',
  'bundle_untrusted',
  'invalid_onnx',
  'model_shape_mismatch',
  'invalid_argument',
  'backend_error',
  'non_finite_output',
  'unsupported_model',
  'invalid_spec',
  'late_event',
  'out_of_order',
  'state_limit',
  'undefined_statistic',
  'duplicate_event',
  'state_conflict',
  'invalid_snapshot',
  'clock_skew',
  'model_not_found',
  'registry_conflict',
  'state_unavailable',
  'cancelled',
  'worker_unavailable',
  'internal_error',
] as const satisfies ReadonlyArray<RiskscoreErrorCode>;

/**
 * The shape every riskscore error has, whichever package threw it.
 *
 * @example
 * function report(e: RiskscoreErrorLike) { return `${e.code} at ${JSON.stringify(e.path)}: ${e.message}`; }
 */
export interface RiskscoreErrorLike extends Error {
  /** The class name: `RiskscoreError`, `FeatureError` or `ExplainError`. */
  readonly name: string;
  /** A stable, machine-readable code. */
  readonly code: RiskscoreErrorCode;
  /** Where the problem is, e.g. `['members', 1, 'sha256']` or `['rows', 3, 7]`; `[]` when no one field is at fault. */
  readonly path: ReadonlyArray<string | number>;
  /** What failed and how to fix it. */
  readonly message: string;
  /** Structured detail (expected and actual values, limits); `{}` when there is none. */
  readonly details: Readonly<Record<string, unknown>>;
  /** The error that led to this one (standard `Error` cause), if any. */
  readonly cause?: unknown;
}

/**
 * True for an error from any riskscore package, or from another copy of one (the check
 * is by brand, not by class).
 *
 * @example
 * try { trees.predictMargins(new Float32Array([Infinity]), 1, out); }
 * catch (e) { if (isRiskscoreError(e)) console.log(e.code, e.path); } // "invalid_argument" ["rows", 0, 0]
 */
export function isRiskscoreError(e: unknown): e is RiskscoreErrorLike {
  return typeof e === 'object' && e !== null && e instanceof Error && BRAND in e;
}

/** The optional third argument of {@link RiskscoreError}. */
export interface RiskscoreErrorOptions {
  /** Where the problem is; `[]` by default. */
  readonly path?: ReadonlyArray<string | number>;
  /** Structured detail; `{}` by default. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The error that led to this one. */
  readonly cause?: unknown;
}

/**
 * The error core (and node, browser) throws. `path` names the field that failed, e.g.
 * `['members', 1, 'sha256']` or `['event', 'PAY_0']`.
 *
 * @example
 * try { await loadBundle(files); }
 * catch (e) { if (RiskscoreError.isInstance(e) && e.code === 'bundle_integrity') console.error(e.path, e.message); }
 */
export class RiskscoreError extends Error implements RiskscoreErrorLike {
  readonly [BRAND] = true;
  override readonly name: string = 'RiskscoreError';
  /** A stable, machine-readable code. */
  readonly code: RiskscoreErrorCode;
  /** Where the problem is. */
  readonly path: ReadonlyArray<string | number>;
  /** Further structured detail (expected/actual values). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RiskscoreErrorCode, message: string, options: RiskscoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? [];
    this.details = options.details ?? {};
  }

  /**
   * True for any riskscore error, from any riskscore package or copy of it; narrows to
   * the shared shape, so `details` is typed for a FeatureError or ExplainError too.
   * Same as {@link isRiskscoreError}.
   */
  static isInstance(e: unknown): e is RiskscoreErrorLike {
    return isRiskscoreError(e);
  }
}

/**
 * Any error as core's: a RiskscoreError as it is, a features or explain error with its
 * code, path (under `prefix` when it names an event field or an option) and details,
 * anything else as `internal_error` (a bug: nothing escapes untyped).
 */
export function riskscoreErrorFrom(e: unknown, prefix: ReadonlyArray<string | number>): RiskscoreErrorLike {
  if (e instanceof RiskscoreError) return e;
  if (isRiskscoreError(e)) {
    const under = prefix.every((p, i) => e.path[i] === p);
    const path = under ? e.path : [...prefix, ...e.path];
    return new RiskscoreError(e.code, e.message, { path, details: e.details, cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new RiskscoreError('internal_error', `unexpected error inside riskscore: ${msg}; please report it`, { path: [...prefix], cause: e });
}
