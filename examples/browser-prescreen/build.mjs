// Builds the pre-screening page into a static folder (default ./dist):
//
//   node examples/browser-prescreen/build.mjs [--out DIR]
//
// app.js (the page) and worker.js (riskscore's worker scorer) bundled by esbuild from the
// workspace's TypeScript sources; index.html, style.css and sw.js copied; the bundles
// under bundles/ (the trees-only bundle built here, and examples/taiwan-credit's full
// trees + MLP + FT-Transformer bundle); onnxruntime-web's wasm build under ort/ (loaded
// only by a bundle with neural members). onnxruntime-web stays out of worker.js: the
// worker imports it from ort/ when it needs it.
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
export const BUNDLES = {
  'taiwan-credit-trees': join(here, 'bundle-trees'),
  'taiwan-credit': join(repo, 'examples', 'taiwan-credit', 'bundle'),
  // For the fraud pre-check pattern (src/fraud-precheck.ts), not for the form.
  'fdh-fraud': join(repo, 'examples', 'fdh-fraud', 'bundle'),
};

/** Builds the site into `outDir`; resolves the files written with their sizes. */
export async function buildPrescreen(outDir = join(here, 'dist'), { minify = true } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify, sourcemap: false, logLevel: 'warning',
    conditions: ['@riskscore/source'], absWorkingDir: here,
    // Loaded at run time from ./ort/ through the worker's `ort.module` URL, never bundled.
    external: ['onnxruntime-web'],
  };
  await build({ ...common, entryPoints: { app: join(here, 'src', 'app.ts'), worker: join(here, 'src', 'worker.ts') }, outdir: outDir });
  for (const f of ['index.html', 'style.css', 'sw.js']) cpSync(join(here, 'src', f), join(outDir, f));
  for (const [name, dir] of Object.entries(BUNDLES)) cpSync(dir, join(outDir, 'bundles', name), { recursive: true });
  mkdirSync(join(outDir, 'ort'));
  const ortDist = join(repo, 'node_modules', 'onnxruntime-web', 'dist');
  for (const f of ORT_FILES) cpSync(join(ortDist, f), join(outDir, 'ort', f));
  const files = ['app.js', 'worker.js', 'index.html', 'style.css', 'sw.js', ...ORT_FILES.map((f) => `ort/${f}`)]
    .map((f) => ({ file: f, bytes: statSync(join(outDir, f)).size }));
  writeFileSync(join(outDir, 'build.json'), `${JSON.stringify({ files }, null, 2)}\n`);
  return { outDir, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? resolve(process.argv[i + 1]) : undefined;
  const { outDir, files } = await buildPrescreen(out);
  console.log(`built ${outDir}`);
  for (const f of files) console.log(`  ${f.file.padEnd(34)} ${String(f.bytes).padStart(10)} bytes`);
}
