/**
 * Where tests find the real datasets: `../shared/data` beside the repository.
 *
 * On a user's machine the folder is absent and data tests skip with a message; with
 * `CI=true` a missing folder is a failure, never a skip.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DATA_DIR = resolve(REPO_ROOT, '..', 'shared', 'data');

/**
 * The absolute path of `rel` under the shared data folder, or null when the folder is
 * missing (tests then skip). Throws when `CI=true` and the file is missing.
 */
export function sharedDataPath(rel: string): string | null {
  const p = resolve(SHARED_DATA_DIR, rel);
  if (existsSync(p)) return p;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but the shared dataset ${p} is missing: CI must have ../shared/data beside the clone`);
  }
  return null;
}

/** The reason a data test skips, for `it.skipIf(...)` titles and logs. */
export function missingDataReason(rel: string): string {
  return `skipped: ${resolve(SHARED_DATA_DIR, rel)} is not present (real datasets live in ../shared/data beside the repository)`;
}
