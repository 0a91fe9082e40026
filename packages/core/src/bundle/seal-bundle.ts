/**
 * Sealing a bundle: fill in every file's sha256 from its bytes, validate the manifest,
 * and return the complete file set with `manifest.json`. Training tools call this;
 * `loadBundle` checks the same hashes back.
 */
import { RiskscoreError } from '../errors';
import { sha256Hex } from '../util/sha256';
import { utf8Encode } from '../util/utf8';
import { manifestError } from './load-bundle';
import { ManifestSchema, type Manifest, type ManifestInput } from './manifest';

type WithoutHash<T> = T extends { sha256: string } ? Omit<T, 'sha256'> : T;

/** A manifest as a training tool writes it: file hashes are filled in by {@link sealBundle}. */
export type ManifestDraft = Omit<ManifestInput, 'members' | 'reference' | 'background'> & {
  members: Array<WithoutHash<ManifestInput['members'][number]>>;
  reference?: { file: string };
  background?: { file: string };
};

/**
 * Returns the bundle's files (the given ones plus `manifest.json`) with hashes filled in.
 * Throws `invalid_manifest` when the result fails the schema and `bundle_integrity` when
 * a referenced file is not among `files`.
 *
 * @example
 * const files = sealBundle(draft, { 'trees.onnx': onnxFromXgboostJson(xgbJson) });
 * await writeBundleDir('out/bundle', files);
 */
export function sealBundle(draft: ManifestDraft, files: Readonly<Record<string, Uint8Array>>): { manifest: Manifest; files: Record<string, Uint8Array> } {
  if (draft === null || typeof draft !== 'object' || !Array.isArray((draft as { members?: unknown }).members)) {
    throw new RiskscoreError('invalid_manifest', 'sealBundle: draft must be a manifest object with a members array (sha256 fields may be left out)', { path: ['draft', 'members'] });
  }
  if (files === null || typeof files !== 'object') {
    throw new RiskscoreError('invalid_argument', 'sealBundle: files must map each bundle file name to its bytes', { path: ['files'] });
  }
  const hashOf = (file: string, path: Array<string | number>): string => {
    const bytes = files[file];
    if (!bytes) throw new RiskscoreError('bundle_integrity', `the manifest names ${file}, which is not among the bundle's files`, { path });
    return sha256Hex(bytes);
  };
  const withHashes = {
    ...draft,
    members: draft.members.map((m, i) => ({ ...m, sha256: hashOf(m.file, ['members', i, 'file']) })),
    ...(draft.reference ? { reference: { file: draft.reference.file, sha256: hashOf(draft.reference.file, ['reference', 'file']) } } : {}),
    ...(draft.background ? { background: { file: draft.background.file, sha256: hashOf(draft.background.file, ['background', 'file']) } } : {}),
  };
  const parsed = ManifestSchema.safeParse(withHashes);
  if (!parsed.success) throw manifestError(parsed.error);
  return {
    manifest: parsed.data,
    files: { ...files, 'manifest.json': utf8Encode(`${JSON.stringify(withHashes, null, 2)}\n`) },
  };
}
