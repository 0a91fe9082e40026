/**
 * Loading a bundle from its bytes: parse and validate the manifest, check every file's
 * sha256, decode the ONNX files and check their inputs and outputs against the feature
 * order. It either returns a complete bundle or throws one RiskscoreError; nothing is
 * half-loaded and no state outside the returned object changes.
 */
import type { ZodError } from 'zod';
import { RiskscoreError } from '../errors';
import { onnxModelFromBytes, type OnnxModel } from '../onnx/model';
import type { TreeEnsemble } from '../trees/tree-ensemble';
import { sha256Hex } from '../util/sha256';
import { utf8Decode } from '../util/utf8';
import { checkManifestArrays, overLimit, resolveBundleLimits, type BundleLimits } from './bundle-limits';
import { checkTrust, SIGNATURE_FILE, verifyBundleSignature, type BundleTrust } from './bundle-signature';
import { ManifestSchema, type Manifest, type Member } from './manifest';
import { checkFeatureNames, checkMemberIo, resolveNeuralOutput, resolveTreeMember, type ResolvedOutput } from './member-checks';

/**
 * Where a bundle's files come from: a map of relative path → bytes, or a reader. A
 * reader is told the most bytes the loader accepts for the file (`maxBytes`): one that
 * honours it (as `loadBundleFromDir` does) never reads more than that plus one byte.
 * A reader answers `undefined` (or throws an error with `code: 'ENOENT'`) for a file
 * that is not there.
 */
export type BundleFiles =
  | Readonly<Record<string, Uint8Array>>
  | ReadonlyMap<string, Uint8Array>
  | {
      /** Reads the file at `path` (relative to the bundle), reading no more than `maxBytes` plus one byte; `undefined` when it is not there. */
      readFile(path: string, options?: { maxBytes: number }): Promise<Uint8Array | undefined>;
    };

/** Options of loadBundle: size limits and the keys a signed bundle must be signed by. */
export interface LoadBundleOptions {
  /** Size limits (defaults in `DEFAULT_BUNDLE_LIMITS`). */
  readonly limits?: BundleLimits;
  /** Accept only bundles signed (`manifest.sig`) by one of these Ed25519 public keys. */
  readonly trust?: BundleTrust;
}

/** A member with its verified bytes and decoded graph. */
export interface LoadedMember {
  spec: Member;
  bytes: Uint8Array;
  onnx: OnnxModel;
  /** Parsed trees, for `kind: 'trees'`. */
  trees: TreeEnsemble | null;
  /** For trees: true when the margin the native evaluator computes is a probability, to be turned into a logit. */
  treeOutputIsProbability: boolean;
  /** What the named output is, resolved once at load; the native and the backend paths both follow it. */
  output: ResolvedOutput;
}

/** A validated, fully loaded bundle. */
export interface LoadedBundle {
  manifest: Manifest;
  /** `name@version`. */
  id: string;
  members: LoadedMember[];
  /** The reference profile (parsed JSON), when the bundle carries one. */
  reference: unknown;
  /** Background rows for attributions, row-major `features.order` wide, when present. */
  background: Float32Array | null;
  /** The key id that signed the bundle, when the loader was given trusted keys (else null: not checked). */
  signedBy: string | null;
  /** sha256 of manifest.json's bytes, hex: names this exact bundle (the manifest pins every file's hash). */
  manifestSha256: string;
}

/** Which limit a read is under, for the refusal's words (`already`: bytes read before this file, for the total). */
interface ReadLimit { name: keyof BundleLimits; max: number; already: number }

/** Reads one file within the size limits; a file the source does not hold is `undefined`. */
async function readOptional(files: BundleFiles, path: string, limit: ReadLimit, at: Array<string | number>): Promise<Uint8Array | undefined> {
  const maxBytes = limit.max - limit.already;
  if (maxBytes < 0) throw overLimit(`the bundle's size before ${path}`, limit.name, limit.already, limit.max, at);
  let bytes: Uint8Array | undefined;
  try {
    if (typeof (files as { readFile?: unknown }).readFile === 'function') {
      bytes = await (files as { readFile(p: string, o: { maxBytes: number }): Promise<Uint8Array | undefined> }).readFile(path, { maxBytes });
    } else if (files instanceof Map) bytes = files.get(path);
    else bytes = Object.prototype.hasOwnProperty.call(files, path) ? (files as Record<string, Uint8Array>)[path] : undefined;
  } catch (cause) {
    if ((cause as { code?: unknown } | null)?.code === 'ENOENT') return undefined;
    // A reader's own refusal (a symlink, a FIFO, a file past its bound) is named by the manifest entry.
    if (RiskscoreError.isInstance(cause)) throw new RiskscoreError(cause.code, cause.message, { path: at, details: cause.details, cause });
    throw new RiskscoreError('bundle_integrity', `bundle file ${path} cannot be read: ${(cause as Error).message}`, { path: at, cause });
  }
  if (bytes === undefined || bytes === null) return undefined;
  if (!(bytes instanceof Uint8Array)) throw new RiskscoreError('bundle_integrity', `bundle file ${path} is not bytes (a Uint8Array), got ${typeof bytes}`, { path: at });
  if (bytes.length > maxBytes) throw overLimit(limit.name === 'maxTotalBytes' ? `the bundle's size with ${path}` : `bundle file ${path}'s size`, limit.name, limit.already + bytes.length, limit.max, at);
  return bytes;
}

async function readFrom(files: BundleFiles, path: string, limit: ReadLimit, at: Array<string | number>): Promise<Uint8Array> {
  const bytes = await readOptional(files, path, limit, at);
  if (!bytes) throw new RiskscoreError('bundle_integrity', `bundle file ${path} is missing`, { path: at });
  return bytes;
}

function checkHash(bytes: Uint8Array, expected: string, file: string, at: Array<string | number>): void {
  const actual = sha256Hex(bytes);
  if (actual !== expected) {
    throw new RiskscoreError('bundle_integrity', `bundle file ${file} has sha256 ${actual}, the manifest says ${expected}: the file was changed or truncated`, {
      path: at, details: { expected, actual, bytes: bytes.length },
    });
  }
}

function parseJson(bytes: Uint8Array, what: string, at: Array<string | number>): unknown {
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch (cause) {
    throw new RiskscoreError(at[0] === 'manifest' ? 'invalid_manifest' : 'bundle_integrity', `${what} is not valid JSON: ${(cause as Error).message}`, { path: at, cause });
  }
}

/** Turns the first zod issue into a RiskscoreError with its path; all issues go in details. */
export function manifestError(error: ZodError): RiskscoreError {
  const first = error.issues[0];
  const where = first.path.length ? first.path.join('.') : '(root)';
  return new RiskscoreError('invalid_manifest', `manifest.json is invalid at ${where}: ${first.message}`, {
    path: first.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    details: { issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })) },
  });
}

/**
 * Loads and verifies a bundle from its files.
 *
 * @example
 * const bundle = await loadBundle({ 'manifest.json': manifestBytes, 'trees.onnx': treeBytes });
 * bundle.id; // "taiwan-credit@1.0.0"
 */
export async function loadBundle(files: BundleFiles, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  if (files === null || typeof files !== 'object') {
    throw new RiskscoreError('invalid_argument', 'loadBundle: files must map bundle file names to bytes, or be a reader { readFile(path) }', { path: ['files'] });
  }
  if (options === null || typeof options !== 'object') throw new RiskscoreError('invalid_argument', 'loadBundle: options must be an object { limits?, trust? }', { path: ['options'] });
  const limits = resolveBundleLimits(options.limits);
  checkTrust(options.trust);
  const manifestBytes = await readFrom(files, 'manifest.json', { name: 'maxManifestBytes', max: limits.maxManifestBytes, already: 0 }, ['manifest']);
  // The signature first: nothing of an untrusted bundle is parsed beyond its manifest's bytes.
  let signedBy: string | null = null;
  if (options.trust) {
    signedBy = await verifyBundleSignature(manifestBytes, await readOptional(files, SIGNATURE_FILE, { name: 'maxFileBytes', max: 64 * 1024, already: 0 }, [SIGNATURE_FILE]), options.trust);
  }
  const raw = parseJson(manifestBytes, 'manifest.json', ['manifest']);
  checkManifestArrays(raw, limits);
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) throw manifestError(parsed.error);
  const manifest = parsed.data;
  const order = manifest.features.order;
  const width = order.length;
  let total = manifestBytes.length;
  const read = async (file: string, at: Array<string | number>): Promise<Uint8Array> => {
    const limit: ReadLimit = limits.maxTotalBytes - total < limits.maxFileBytes
      ? { name: 'maxTotalBytes', max: limits.maxTotalBytes, already: total }
      : { name: 'maxFileBytes', max: limits.maxFileBytes, already: 0 };
    const bytes = await readFrom(files, file, limit, at);
    total += bytes.length;
    return bytes;
  };
  const members: LoadedMember[] = [];
  for (let i = 0; i < manifest.members.length; i++) {
    const m = manifest.members[i];
    const bytes = await read(m.file, ['members', i, 'file']);
    checkHash(bytes, m.sha256, m.file, ['members', i, 'sha256']);
    let onnx: OnnxModel;
    try {
      onnx = onnxModelFromBytes(bytes);
    } catch (e) {
      if (RiskscoreError.isInstance(e)) {
        throw new RiskscoreError('invalid_onnx', `member ${m.name} (${m.file}): ${e.message}`, { path: ['members', i, 'file'], cause: e, details: { member: m.name } });
      }
      throw e;
    }
    checkMemberIo(m, i, onnx, width);
    checkFeatureNames(m, i, onnx, order);
    let trees: TreeEnsemble | null = null;
    let treeOutputIsProbability = false;
    let output: ResolvedOutput;
    if (m.kind === 'trees') {
      const t = resolveTreeMember(m, i, onnx);
      ({ trees, output } = t);
      treeOutputIsProbability = t.marginIsProbability;
    } else output = resolveNeuralOutput(m, i, onnx);
    members.push({ spec: m, bytes, onnx, trees, treeOutputIsProbability, output });
  }
  let reference: unknown = null;
  if (manifest.reference) {
    const bytes = await read(manifest.reference.file, ['reference', 'file']);
    checkHash(bytes, manifest.reference.sha256, manifest.reference.file, ['reference', 'sha256']);
    reference = parseJson(bytes, manifest.reference.file, ['reference', 'file']);
  }
  let background: Float32Array | null = null;
  if (manifest.background) {
    const bytes = await read(manifest.background.file, ['background', 'file']);
    checkHash(bytes, manifest.background.sha256, manifest.background.file, ['background', 'sha256']);
    const rows = parseJson(bytes, manifest.background.file, ['background', 'file']);
    if (Array.isArray(rows) && rows.length > limits.maxBackgroundRows) throw overLimit('the number of background rows', 'maxBackgroundRows', rows.length, limits.maxBackgroundRows, ['background', 'file']);
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r) || r.length !== width || r.some((v) => v !== null && (typeof v !== 'number' || !Number.isFinite(v))))) {
      throw new RiskscoreError('model_shape_mismatch', `background sample must be an array of rows with ${width} finite numbers (or null for missing) each`, { path: ['background', 'file'] });
    }
    background = new Float32Array(rows.length * width);
    rows.forEach((r: Array<number | null>, i) => r.forEach((v, j) => (background![i * width + j] = v === null ? NaN : v)));
  }
  return { manifest, id: `${manifest.name}@${manifest.version}`, members, reference, background, signedBy, manifestSha256: sha256Hex(manifestBytes) };
}
