/**
 * Bundles on disk: a folder with manifest.json and the files it names.
 */
import { constants } from 'node:fs';
import { mkdir, open, realpath, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadBundle, RiskscoreError, type LoadBundleOptions, type LoadedBundle } from '@riskscore/core';

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

/** Is `p` the root itself or inside it (both already resolved through symlinks)? */
const inside = (realRoot: string, p: string): boolean => {
  const rel = relative(realRoot, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

/**
 * Reads one bundle file, trusting nothing about the folder: the name must stay inside
 * it (lexically, and its directory after resolving symlinks), the file itself must not
 * be a symlink (opened with O_NOFOLLOW) and must be a regular file (a FIFO, a device
 * such as /dev/zero or a directory is refused after opening without blocking, by the
 * handle's own stat, so nothing can be swapped in between), and no more than `maxBytes`
 * are read. Answers undefined for a file that does not exist.
 */
async function readBundleFile(root: string, realRoot: string, path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const refuse = (why: string, details?: Record<string, unknown>): never => {
    throw new RiskscoreError('bundle_integrity', `bundle file ${JSON.stringify(path)} ${why}; a bundle holds regular files inside ${root}`, { path: [path], details: { file: path, ...details } });
  };
  const t = bundleTarget(root, path);
  if ('reason' in t) refuse(`is refused: the name ${t.reason}`);
  const target = (t as { target: string }).target;
  let dirReal: string;
  try {
    dirReal = await realpath(dirname(target));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!inside(realRoot, dirReal)) refuse('is in a folder that resolves outside the bundle (a symlinked folder)');
  let fh: FileHandle;
  try {
    fh = await open(join(dirReal, basename(target)), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') return refuse('is a symbolic link');
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'not a regular file';
      return refuse(`is ${kind}, not a regular file`, { kind });
    }
    if (st.size > maxBytes) return refuse(`is ${st.size} bytes, more than the ${maxBytes} the loader accepts (options.limits: maxFileBytes, maxTotalBytes, maxManifestBytes)`, { max: maxBytes, actual: st.size });
    const buf = Buffer.allocUnsafe(st.size + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > st.size) return refuse('grew while it was read');
    }
    if (n !== st.size) return refuse(`shrank while it was read (${n} of ${st.size} bytes)`);
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } finally {
    await fh.close();
  }
}

/**
 * Loads and verifies (sha256, shapes, schema, limits, and the signature when `trust`
 * names keys) the bundle in `dir`. Only regular files inside `dir` are read: a symlink,
 * a FIFO, a device or a name leading outside is a `bundle_integrity` error naming the
 * manifest entry, as is a missing or unreadable file (a missing `manifest.json`: path
 * `['manifest']`).
 *
 * @example
 * const bundle = await loadBundleFromDir('examples/taiwan-credit/bundle');
 * const signed = await loadBundleFromDir('bundles/fraud', { trust: { publicKeys: [readFileSync('signing.pub.pem', 'utf8')] } });
 */
export async function loadBundleFromDir(dir: string, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const root = checkDir('loadBundleFromDir', dir);
  let realRoot: string;
  try {
    if (!(await stat(root)).isDirectory()) throw new RiskscoreError('bundle_integrity', `loadBundleFromDir: ${root} is not a directory`, { path: ['dir'] });
    realRoot = await realpath(root);
  } catch (e) {
    if (RiskscoreError.isInstance(e)) throw e;
    throw new RiskscoreError('bundle_integrity', `loadBundleFromDir: the bundle directory ${root} cannot be opened: ${(e as Error).message}`, { path: ['dir'], cause: e });
  }
  return loadBundle({ readFile: (path, o) => readBundleFile(root, realRoot, path, o?.maxBytes ?? Number.MAX_SAFE_INTEGER) }, options);
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
