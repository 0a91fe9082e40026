/**
 * Loading a bundle from its bytes: parse and validate the manifest, check every file's
 * sha256, decode the ONNX files and check their inputs and outputs against the feature
 * order. It either returns a complete bundle or throws one RiskscoreError; nothing is
 * half-loaded and no state outside the returned object changes.
 */
import type { ZodError } from 'zod';
import { RiskscoreError } from '../errors';
import { onnxModelFromBytes, type OnnxModel, type OnnxValueInfo } from '../onnx/model';
import { TreeEnsemble } from '../trees/tree-ensemble';
import { treeGraphFromOnnx } from '../trees/tree-ensemble-from-onnx';
import { sha256Hex } from '../util/sha256';
import { utf8Decode } from '../util/utf8';
import { ManifestSchema, type Manifest, type Member } from './manifest';

/** Where a bundle's files come from: a map of relative path → bytes, or a reader. */
export type BundleFiles =
  | Readonly<Record<string, Uint8Array>>
  | ReadonlyMap<string, Uint8Array>
  | { readFile(path: string): Promise<Uint8Array> };

/** A member with its verified bytes and decoded graph. */
export interface LoadedMember {
  spec: Member;
  bytes: Uint8Array;
  onnx: OnnxModel;
  /** Parsed trees, for `kind: 'trees'`. */
  trees: TreeEnsemble | null;
  /** For trees: true when the declared output is a probability to be turned into a logit. */
  treeOutputIsProbability: boolean;
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
}

async function readFrom(files: BundleFiles, path: string, at: Array<string | number>): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    if (typeof (files as { readFile?: unknown }).readFile === 'function') bytes = await (files as { readFile(p: string): Promise<Uint8Array> }).readFile(path);
    else if (files instanceof Map) bytes = files.get(path);
    else bytes = (files as Record<string, Uint8Array>)[path];
  } catch (cause) {
    throw new RiskscoreError('bundle_integrity', `bundle file ${path} cannot be read: ${(cause as Error).message}`, { path: at, cause });
  }
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

function findValue(infos: OnnxValueInfo[], name: string): OnnxValueInfo | undefined {
  return infos.find((v) => v.name === name);
}

function checkShapes(m: Member, i: number, onnx: OnnxModel, width: number): void {
  const at = ['members', i];
  if (m.input.width !== width) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name} declares input width ${m.input.width}, but the feature order has ${width} features`, {
      path: [...at, 'input', 'width'], details: { expected: width, actual: m.input.width },
    });
  }
  const input = findValue(onnx.inputs, m.input.name);
  if (!input) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name}: the ONNX graph has no input '${m.input.name}' (it has ${onnx.inputs.map((v) => v.name).join(', ')})`, {
      path: [...at, 'input', 'name'],
    });
  }
  const w = input.shape?.[input.shape.length - 1];
  if (typeof w === 'number' && w !== width) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name}: the ONNX input '${input.name}' is ${w} wide, the feature order has ${width} features`, {
      path: [...at, 'input', 'width'], details: { expected: width, actual: w },
    });
  }
  const output = findValue(onnx.outputs, m.output.name);
  if (!output) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name}: the ONNX graph has no output '${m.output.name}' (it has ${onnx.outputs.map((v) => v.name).join(', ')})`, {
      path: [...at, 'output', 'name'],
    });
  }
  const ow = output.shape?.[output.shape.length - 1];
  if (typeof ow === 'number' && ow !== 1) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name}: output '${output.name}' has ${ow} columns; a member must output one score`, {
      path: [...at, 'output', 'name'], details: { expected: 1, actual: ow },
    });
  }
}

function loadTrees(m: Member, i: number, onnx: OnnxModel): { trees: TreeEnsemble; treeOutputIsProbability: boolean } {
  const g = treeGraphFromOnnx(onnx);
  if (g.trees.nTargets !== 1) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name} has ${g.trees.nTargets} targets; a member must output one score`, { path: ['members', i] });
  }
  const logisticMargin = g.outputTransform === 'sigmoid' || g.trees.postTransform === 'LOGISTIC';
  if (m.output.name !== g.outputName && m.output.name !== g.marginOutputName) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name}: output '${m.output.name}' is not produced by the tree ensemble`, { path: ['members', i, 'output', 'name'] });
  }
  // Core always evaluates the margin; it is the logit when a logistic link follows.
  const isProbOutput = m.output.name === g.outputName && logisticMargin;
  if (m.output.kind === 'logit' && isProbOutput) {
    throw new RiskscoreError('model_shape_mismatch', `member ${m.name}: output '${m.output.name}' is a probability (Sigmoid/LOGISTIC) but the manifest says logit`, {
      path: ['members', i, 'output', 'kind'],
    });
  }
  return { trees: g.trees, treeOutputIsProbability: m.output.kind === 'probability' && !logisticMargin };
}

/**
 * Loads and verifies a bundle from its files.
 *
 * @example
 * const bundle = await loadBundle({ 'manifest.json': manifestBytes, 'trees.onnx': treeBytes });
 * bundle.id; // "taiwan-credit@1.0.0"
 */
export async function loadBundle(files: BundleFiles): Promise<LoadedBundle> {
  const raw = parseJson(await readFrom(files, 'manifest.json', ['manifest']), 'manifest.json', ['manifest']);
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) throw manifestError(parsed.error);
  const manifest = parsed.data;
  const width = manifest.features.order.length;
  const members: LoadedMember[] = [];
  for (let i = 0; i < manifest.members.length; i++) {
    const m = manifest.members[i];
    const bytes = await readFrom(files, m.file, ['members', i, 'file']);
    checkHash(bytes, m.sha256, m.file, ['members', i, 'sha256']);
    let onnx: OnnxModel;
    try {
      onnx = onnxModelFromBytes(bytes);
    } catch (e) {
      if (RiskscoreError.isInstance(e)) {
        throw new RiskscoreError('invalid_onnx', `member ${m.name} (${m.file}): ${e.message}`, { path: ['members', i, 'file'], cause: e });
      }
      throw e;
    }
    checkShapes(m, i, onnx, width);
    const t = m.kind === 'trees' ? loadTrees(m, i, onnx) : null;
    members.push({ spec: m, bytes, onnx, trees: t?.trees ?? null, treeOutputIsProbability: t?.treeOutputIsProbability ?? false });
  }
  let reference: unknown = null;
  if (manifest.reference) {
    const bytes = await readFrom(files, manifest.reference.file, ['reference', 'file']);
    checkHash(bytes, manifest.reference.sha256, manifest.reference.file, ['reference', 'sha256']);
    reference = parseJson(bytes, manifest.reference.file, ['reference', 'file']);
  }
  let background: Float32Array | null = null;
  if (manifest.background) {
    const bytes = await readFrom(files, manifest.background.file, ['background', 'file']);
    checkHash(bytes, manifest.background.sha256, manifest.background.file, ['background', 'sha256']);
    const rows = parseJson(bytes, manifest.background.file, ['background', 'file']);
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r) || r.length !== width)) {
      throw new RiskscoreError('model_shape_mismatch', `background sample must be an array of rows with ${width} values each`, { path: ['background', 'file'] });
    }
    background = new Float32Array(rows.length * width);
    rows.forEach((r: Array<number | null>, i) => r.forEach((v, j) => (background![i * width + j] = v === null ? NaN : v)));
  }
  return { manifest, id: `${manifest.name}@${manifest.version}`, members, reference, background };
}
