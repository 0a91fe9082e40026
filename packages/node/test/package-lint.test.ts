// What a packaging linter says of each package, as `npm publish` would pack it from the
// built dist: publint in strict mode (exports, files, fields) and arethetypeswrong
// (every entry point's types resolve, for CJS and ESM consumers; Node 16+ resolution,
// since the packages need Node ≥ 20: TypeScript's legacy `node10` mode cannot see
// subpath exports such as @riskscore/node/fastify).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';

const PACKAGES = ['core', 'features', 'explain', 'node', 'browser'];
const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
/** Without the npm_* variables of the `npm test` that runs us (they name this workspace, and `npm pack` would follow them). */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))) as NodeJS.ProcessEnv;

describe('package linters', () => {
  it.each(PACKAGES)('@riskscore/%s: publint --strict finds nothing', (p) => {
    const r = spawnSync(bin('publint'), ['--strict'], { cwd: join(REPO_ROOT, 'packages', p), encoding: 'utf8', env, timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/All good!/);
  }, 150_000);

  it.each(PACKAGES)('@riskscore/%s: attw --pack finds no problem for node16 and bundlers', (p) => {
    // attw exits 1 on any problem its profile does not ignore.
    const r = spawnSync(bin('attw'), ['--pack', '.', '--profile', 'node16', '--format', 'ascii'], { cwd: join(REPO_ROOT, 'packages', p), encoding: 'utf8', env, timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No problems found|ignoring resolutions: 'node10'/);
  }, 150_000);
});
