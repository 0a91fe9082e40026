/**
 * How large a bundle may be before the loader refuses it: a bundle is input from outside
 * the process (a registry, a download, a shared folder), and a 3 MB manifest listing
 * 10,000 members, or a "file" that is `/dev/zero`, must fail fast with a typed error
 * instead of exhausting the heap. Every limit has a stated default and can be raised.
 */
import { RiskscoreError } from '../errors';

/**
 * Size limits on a bundle; a limit left out keeps its default (see {@link DEFAULT_BUNDLE_LIMITS}).
 * A bundle past one is refused with `bundle_integrity`; a limit that is not a positive
 * integer throws `invalid_argument`.
 */
export interface BundleLimits {
  /** Largest `manifest.json`, in bytes (default 8 MiB). */
  readonly maxManifestBytes?: number;
  /** Largest member, reference or background file, in bytes (default 512 MiB). */
  readonly maxFileBytes?: number;
  /** All files together, in bytes (default 1 GiB). */
  readonly maxTotalBytes?: number;
  /** Most members (default 64). */
  readonly maxMembers?: number;
  /** Longest list in the manifest: features, input fields, rules, reason codes, calibration points (default 100,000). */
  readonly maxArrayLength?: number;
  /** Most background rows (default 100,000). */
  readonly maxBackgroundRows?: number;
}

/** The default bundle limits: 8 MiB manifest, 512 MiB per file, 1 GiB in all, 64 members, 100,000 list entries and background rows. */
export const DEFAULT_BUNDLE_LIMITS: Required<BundleLimits> = {
  maxManifestBytes: 8 * 2 ** 20,
  maxFileBytes: 512 * 2 ** 20,
  maxTotalBytes: 2 ** 30,
  maxMembers: 64,
  maxArrayLength: 100_000,
  maxBackgroundRows: 100_000,
};

/** The limits in force: the defaults, overridden by positive integers given. */
export function resolveBundleLimits(limits: BundleLimits | undefined): Required<BundleLimits> {
  if (limits === undefined) return DEFAULT_BUNDLE_LIMITS;
  if (limits === null || typeof limits !== 'object') {
    throw new RiskscoreError('invalid_argument', 'loadBundle: options.limits must be an object such as { maxMembers: 128 }', { path: ['options', 'limits'] });
  }
  const out: Record<string, number> = { ...DEFAULT_BUNDLE_LIMITS };
  for (const [k, v] of Object.entries(limits)) {
    if (!(k in DEFAULT_BUNDLE_LIMITS)) {
      throw new RiskscoreError('invalid_argument', `loadBundle: options.limits.${k} is not a limit (limits: ${Object.keys(DEFAULT_BUNDLE_LIMITS).join(', ')})`, { path: ['options', 'limits', k] });
    }
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || (v as number) < 1) {
      throw new RiskscoreError('invalid_argument', `loadBundle: options.limits.${k} must be a positive integer, got ${String(v)}`, { path: ['options', 'limits', k] });
    }
    out[k] = v as number;
  }
  return out as Required<BundleLimits>;
}

/** A refusal for a bundle past a limit, naming the limit and how to raise it. */
export function overLimit(what: string, limit: keyof BundleLimits, value: number, max: number, path: Array<string | number>): RiskscoreError {
  return new RiskscoreError('bundle_integrity', `${what} is ${value}, more than the limit of ${max} (options.limits.${limit}); raise the limit if the bundle is trusted and really this large`, {
    path, details: { limit, max, actual: value },
  });
}

/**
 * The manifest's lists, checked before the schema walks them: a JSON value that is
 * already in memory but whose arrays are longer than any real bundle's.
 */
export function checkManifestArrays(raw: unknown, limits: Required<BundleLimits>): void {
  if (raw === null || typeof raw !== 'object') return;
  const m = raw as Record<string, unknown>;
  if (Array.isArray(m.members) && m.members.length > limits.maxMembers) {
    throw overLimit('the number of members', 'maxMembers', m.members.length, limits.maxMembers, ['members']);
  }
  const lists: Array<[unknown, Array<string | number>]> = [
    [(m.features as { order?: unknown } | undefined)?.order, ['features', 'order']],
    [(m.input as { fields?: unknown } | undefined)?.fields, ['input', 'fields']],
    [(m.decision as { rules?: unknown } | undefined)?.rules, ['decision', 'rules']],
    [(m.calibration as { x?: unknown } | undefined)?.x, ['calibration', 'x']],
    [(m.calibration as { y?: unknown } | undefined)?.y, ['calibration', 'y']],
  ];
  for (const [v, path] of lists) {
    if (Array.isArray(v) && v.length > limits.maxArrayLength) throw overLimit(`the length of ${path.join('.')}`, 'maxArrayLength', v.length, limits.maxArrayLength, path);
  }
  const codes = m.reasonCodes;
  if (codes !== null && typeof codes === 'object') {
    const n = Object.keys(codes).length;
    if (n > limits.maxArrayLength) throw overLimit('the number of reason codes', 'maxArrayLength', n, limits.maxArrayLength, ['reasonCodes']);
  }
}
