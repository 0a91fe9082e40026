/**
 * Bundles on disk: a folder with manifest.json and the files it names.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadBundle, type LoadedBundle } from '@riskscore/core';

/**
 * Loads and verifies (sha256, shapes, schema) the bundle in `dir`.
 *
 * @example
 * const bundle = await loadBundleFromDir('examples/taiwan-credit/bundle');
 */
export async function loadBundleFromDir(dir: string): Promise<LoadedBundle> {
  const root = resolve(dir);
  return loadBundle({
    async readFile(path: string) {
      const buf = await readFile(join(root, path));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
  });
}

/**
 * Writes a sealed bundle's files into `dir` (created if needed).
 *
 * @example
 * const { files } = sealBundle(draft, artifacts);
 * await writeBundleDir('out/bundle', files);
 */
export async function writeBundleDir(dir: string, files: Readonly<Record<string, Uint8Array>>): Promise<void> {
  const root = resolve(dir);
  for (const [path, bytes] of Object.entries(files)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
}
