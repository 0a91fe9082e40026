/**
 * The example bundles as tests read them: every file of a bundle folder as bytes, keyed
 * by name (what `loadBundle` takes), fresh copies on each call so a test may corrupt them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './shared-data';

/** `examples/<example>/<bundle>` (default the Taiwan credit bundle) as name → bytes. */
export function exampleBundleFiles(example = 'taiwan-credit', bundle = 'bundle'): Record<string, Uint8Array> {
  const dir = join(REPO_ROOT, 'examples', example, bundle);
  const out: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) out[f] = new Uint8Array(readFileSync(join(dir, f)));
  return out;
}
