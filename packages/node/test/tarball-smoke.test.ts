// What a user gets from npm: the five packages packed as tarballs (from the built dist,
// as `npm publish` would pack them), installed into a new project outside the workspace
// with onnxruntime-node beside them, then each imported (ESM) and required (CJS), and the
// installed `riskscore` bin run: verify, score (refused rows to the errors file) and
// demo (which, installed without the repository's examples, says what to pass).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';
import { TAIWAN_BUNDLE, TAIWAN_DIR } from './taiwan';

const PACKAGES = ['core', 'features', 'explain', 'node', 'browser'];
const work = mkdtempSync(join(tmpdir(), 'riskscore-tarballs-'));
/** The child's environment without the npm_* variables of the `npm test` that runs us (they name this workspace). */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))) as NodeJS.ProcessEnv;
env.ONNXRUNTIME_NODE_INSTALL = 'skip'; // the CPU binaries ship in the package; no CUDA download
const ortVersion = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version as string;

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packages as npm installs them', () => {
  it('pack, install outside the workspace, import and require each, run the CLI', () => {
    const tgz = join(work, 'tgz');
    mkdirSync(tgz);
    execFileSync('npm', ['pack', ...PACKAGES.flatMap((p) => ['-w', `@riskscore/${p}`]), '--pack-destination', tgz], { cwd: REPO_ROOT, env, stdio: 'pipe' });
    const tarballs = readdirSync(tgz).sort();
    expect(tarballs).toEqual(PACKAGES.map((p) => `riskscore-${p}-0.1.0.tgz`).sort());
    // No sources of tests and no test helpers in what ships.
    for (const t of tarballs) {
      const list = execFileSync('tar', ['-tzf', join(tgz, t)], { encoding: 'utf8' });
      expect(list, t).not.toMatch(/\.test\.ts$|\.test-helper\.ts$/m);
      expect(list, t).toMatch(/^package\/LICENSE$/m);
    }
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', private: true, type: 'module' }));
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => join(tgz, t)), `onnxruntime-node@${ortVersion}`], { cwd: app, env, encoding: 'utf8', timeout: 240_000 });
    expect(install.status, install.stderr).toBe(0);
    for (const p of PACKAGES) {
      const esm = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import('@riskscore/${p}'); console.log(Object.keys(m).length)`], { cwd: app, env, encoding: 'utf8' });
      expect(esm.status, `${p} (ESM): ${esm.stderr}`).toBe(0);
      expect(Number(esm.stdout.trim())).toBeGreaterThan(0);
      const cjs = spawnSync(process.execPath, ['-e', `console.log(Object.keys(require('@riskscore/${p}')).length)`], { cwd: app, env, encoding: 'utf8' });
      expect(cjs.status, `${p} (CJS): ${cjs.stderr}`).toBe(0);
      expect(cjs.stdout.trim()).toBe(esm.stdout.trim());
    }
    const bin = join(app, 'node_modules', '.bin', 'riskscore');
    const verify = spawnSync(bin, ['verify', TAIWAN_BUNDLE], { cwd: app, env, encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/taiwan-credit@1\.0\.0: 3 members verified/);
    const score = spawnSync(bin, ['score', '--bundle', TAIWAN_BUNDLE, '--input', join(TAIWAN_DIR, 'demo-events.jsonl'), '--output', join(app, 'out.jsonl')], { cwd: app, env, encoding: 'utf8' });
    expect(score.status, score.stderr).toBe(0);
    const scored = readFileSync(join(app, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const refused = readFileSync(join(app, 'out.errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(scored.length + refused.length).toBe(300);
    expect(scored.every((r) => r.score > 0 && r.score < 1 && r.model === 'taiwan-credit@1.0.0')).toBe(true);
    expect(refused.every((r) => r.code === 'invalid_event')).toBe(true);
    const demo = spawnSync(bin, ['demo'], { cwd: app, env, encoding: 'utf8' });
    expect(demo.status).toBe(2);
    expect(demo.stderr).toMatch(/pass --bundle DIR and --events FILE\.jsonl/);
    const demoRun = spawnSync(bin, ['demo', '--bundle', TAIWAN_BUNDLE, '--events', join(TAIWAN_DIR, 'demo-events.jsonl'), '--passes', '1'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
    expect(demoRun.status, demoRun.stderr).toBe(0);
    expect(demoRun.stdout).toMatch(/300 events, one at a time, 1 passes/);
  }, 400_000);
});
