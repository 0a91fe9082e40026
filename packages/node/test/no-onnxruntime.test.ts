// Without onnxruntime-node (an optional peer): a child process whose module loader
// refuses to resolve the package loads and verifies a bundle, scores with the native
// trees, and gets a backend_error naming the package to install only when a neural
// member needs the runtime. Runs the built packages, as a user's install does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';
import { TAIWAN_BUNDLE } from './taiwan';

describe('@riskscore/node without onnxruntime-node installed', () => {
  it('bundles and native trees work; a neural member is a backend_error naming the package', () => {
    // Inside the repository's node_modules (ignored by git), so the script resolves the workspace packages as an installed app would.
    const dir = mkdtempSync(join(REPO_ROOT, 'node_modules', '.riskscore-no-ort-'));
    writeFileSync(join(dir, 'hooks.mjs'), `export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-node') throw Object.assign(new Error("Cannot find package 'onnxruntime-node'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}
`);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    writeFileSync(join(dir, 'main.mjs'), `import { createScorer } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
const bundle = await loadBundleFromDir(${JSON.stringify(TAIWAN_BUNDLE)});
const trees = { ...bundle, members: bundle.members.slice(0, 1), manifest: { ...bundle.manifest, members: bundle.manifest.members.slice(0, 1) } };
const app = { LIMIT_BAL: 70000, SEX: 1, EDUCATION: 2, MARRIAGE: 2, AGE: 30, PAY_0: 1, PAY_2: 2, PAY_3: 2, PAY_4: 0, PAY_5: 0, PAY_6: 2,
  BILL_AMT1: 65802, BILL_AMT2: 67369, BILL_AMT3: 65701, BILL_AMT4: 66782, BILL_AMT5: 36137, BILL_AMT6: 36894,
  PAY_AMT1: 3200, PAY_AMT2: 0, PAY_AMT3: 3000, PAY_AMT4: 3000, PAY_AMT5: 1500, PAY_AMT6: 0 };
const s = await createScorer(trees, { backend: createNodeBackend() });
const r = await s.score(app);
let neural;
try { await createScorer(bundle, { backend: createNodeBackend() }); neural = 'created'; } catch (e) { neural = { code: e.code, message: e.message }; }
console.log(JSON.stringify({ id: bundle.id, score: r.score, neural }));
`);
    const res = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'main.mjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out.id).toBe('taiwan-credit@1.0.0');
    expect(out.score).toBeGreaterThan(0);
    expect(out.score).toBeLessThan(1);
    expect(out.neural.code).toBe('backend_error');
    expect(out.neural.message).toMatch(/onnxruntime-node cannot be loaded .*npm install onnxruntime-node/);
  }, 60_000);
});
