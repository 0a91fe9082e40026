/**
 * Bundles on disk: a folder with manifest.json and the files it names.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { loadBundle, RiskscoreError, type LoadedBundle } from '@riskscore/core';

/**
 * Where `name` lands inside `root`, or a reason why it may not be written or read there.
 * A bundle's file names are relative POSIX-or-Windows paths that stay inside the bundle
 * folder: an absolute name, a drive letter, a `..` segment, an empty name or a NUL byte
 * could write (or read) outside it, so they are refused before touching the disk, and
 * the resolved target is checked against the root as a last guard (symlinked roots are
 * resolved the same way on both sides, so the check is lexical and cheap).
 */
function bundleTarget(root: string, name: unknown): { target: string } | { reason: string } {
  if (typeof name !== 'string' || name === '') return { reason: 'is empty' };
  if (name.includes('\0')) return { reason: 'contains a NUL byte' };
  if (isAbsolute(name) || /^[\\/]/.test(name) || /^[A-Za-z]:/.test(name)) return { reason: 'is an absolute path' };
  if (name.split(/[\\/]/).includes('..')) return { reason: "contains a '..' segment" };
  const target = resolve(root, name);
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { reason: 'resolves outside the bundle directory' };
  return { target };
}

function checkDir(fn: string, dir: unknown): string {
  if (typeof dir !== 'string' || dir === '') {
    throw new RiskscoreError('invalid_argument', `${fn}: dir must be a non-empty path string, got ${dir === null ? 'null' : typeof dir}`, {
      path: ['dir'], details: { actual: dir === null ? 'null' : typeof dir },
    });
  }
  return resolve(dir);
}

/**
 * Loads and verifies (sha256, shapes, schema) the bundle in `dir`. A file the manifest
 * names that is missing, unreadable or outside `dir` is a `bundle_integrity` error naming
 * the manifest entry; a missing `manifest.json` too (path `['manifest.json']`).
 *
 * @example
 * const bundle = await loadBundleFromDir('examples/taiwan-credit/bundle');
 */
export async function loadBundleFromDir(dir: string): Promise<LoadedBundle> {
  const root = checkDir('loadBundleFromDir', dir);
  return loadBundle({
    async readFile(path: string) {
      const t = bundleTarget(root, path);
      if ('reason' in t) throw new Error(`the file name ${JSON.stringify(path)} ${t.reason}; bundle file names must be relative paths inside ${root}`);
      const buf = await readFile(t.target);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
  });
}

/**
 * Writes a sealed bundle's files into `dir` (created if needed). Every file name must be
 * a relative path inside `dir` (no absolute path, no `..` segment): otherwise nothing is
 * written and an `invalid_argument` error names the file (`['files', name]`).
 *
 * @example
 * const { files } = sealBundle(draft, artifacts);
 * await writeBundleDir('out/bundle', files);
 */
export async function writeBundleDir(dir: string, files: Readonly<Record<string, Uint8Array>>): Promise<void> {
  const root = checkDir('writeBundleDir', dir);
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new RiskscoreError('invalid_argument', `writeBundleDir: files must be an object mapping file names to Uint8Array bytes (as sealBundle returns), got ${files === null ? 'null' : Array.isArray(files) ? 'an array' : typeof files}`, {
      path: ['files'],
    });
  }
  // Check every name and value first, so a bad entry writes nothing.
  const targets: Array<[string, Uint8Array]> = [];
  for (const [name, bytes] of Object.entries(files)) {
    const t = bundleTarget(root, name);
    if ('reason' in t) {
      throw new RiskscoreError('invalid_argument', `writeBundleDir: the file name ${JSON.stringify(name)} ${t.reason}; bundle file names must be relative paths inside the bundle directory (e.g. "model.onnx", "reference/profile.json")`, {
        path: ['files', name], details: { file: name, dir: root },
      });
    }
    if (!(bytes instanceof Uint8Array)) {
      throw new RiskscoreError('invalid_argument', `writeBundleDir: files[${JSON.stringify(name)}] must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`, {
        path: ['files', name],
      });
    }
    targets.push([t.target, bytes]);
  }
  for (const [target, bytes] of targets) {
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    } catch (cause) {
      throw new RiskscoreError('invalid_argument', `writeBundleDir: cannot write ${target}: ${(cause as Error).message}; check that ${root} is a writable directory`, {
        path: ['dir'], details: { file: target }, cause,
      });
    }
  }
}
