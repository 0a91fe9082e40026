// bench:browser — the pre-screening page (examples/browser-prescreen) in Debian's headless
// Chromium, served from 127.0.0.1, in one run:
// - navigation → first score on screen, cold (a fresh profile each time) and warm (a
//   reload in the same profile: HTTP revalidation, V8's code cache, the service worker),
//   for the trees-only bundle and the trees + MLP + FT-Transformer bundle;
// - score() in the worker: the scorer's own time (timings.totalUs) and the page → worker
//   → page round trip, p50/p99, without and with the explanation the page shows;
// - the bytes each path loads (JS and wasm, from resource timings) and the gzip size of
//   the JS: the page side of @riskscore/browser, the worker (tree-only path), and what
//   onnxruntime-web adds for neural members.
//   Rows: trees-only and full bundles, each also cross-origin isolated (5 µs timers,
//   threads). BROWSER_RUNS (default 5) cold loads per bundle; BROWSER_SCORES (default 1000) scores.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { buildPrescreen } from '../../examples/browser-prescreen/build.mjs';
import { servePrescreen } from '../../examples/browser-prescreen/serve.mjs';
import { machine, printTable, quantile } from './stats.mjs';

const RUNS = Number(process.env.BROWSER_RUNS ?? 5);
const SCORES = Number(process.env.BROWSER_SCORES ?? 1000);
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const repo = new URL('../../', import.meta.url).pathname;

const site = mkdtempSync(join(tmpdir(), 'riskscore-bench-browser-'));
const built = await buildPrescreen(site);
const plain = await servePrescreen({ dir: site });
const isolated = await servePrescreen({ dir: site, isolated: true });
const gz = (file) => gzipSync(readFileSync(join(site, file)), { level: 9 }).length;

// The page side of the SDK alone: what an app pays to import createWorkerScorer.
const pageSide = await build({
  stdin: { contents: "export { createWorkerScorer } from '@riskscore/browser';", resolveDir: repo, loader: 'js' },
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, write: false, conditions: ['@riskscore/source'], external: ['onnxruntime-web'],
});
const pageSideBytes = pageSide.outputFiles[0].contents;
const sizes = {
  pageSdk: { bytes: pageSideBytes.length, gzip: gzipSync(pageSideBytes, { level: 9 }).length },
  app: { bytes: built.files.find((f) => f.file === 'app.js').bytes, gzip: gz('app.js') },
  worker: { bytes: built.files.find((f) => f.file === 'worker.js').bytes, gzip: gz('worker.js') },
  ortJs: { bytes: ['ort/ort.wasm.min.mjs', 'ort/ort-wasm-simd-threaded.mjs'].reduce((s, f) => s + built.files.find((x) => x.file === f).bytes, 0), gzip: gz('ort/ort.wasm.min.mjs') + gz('ort/ort-wasm-simd-threaded.mjs') },
  wasm: { bytes: built.files.find((f) => f.file === 'ort/ort-wasm-simd-threaded.wasm').bytes, gzip: gz('ort/ort-wasm-simd-threaded.wasm') },
};

async function withContext(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'riskscore-bench-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
  try { return await fn(ctx); } finally { await ctx.close(); rmSync(dir, { recursive: true, force: true }); }
}

const ready = (page) => page.waitForFunction(() => window.prescreen?.state !== 'loading', null, { timeout: 90_000 });
const loadFacts = (page) => page.evaluate(() => {
  const s = window.prescreen;
  const page = performance.getEntriesByType('resource').map((e) => ({ url: e.name, bytes: e.encodedBodySize }));
  const worker = s.runtime?.fetched.map((f) => ({ url: f.url, bytes: f.bodyBytes })) ?? [];
  return { state: s.state, error: s.error, firstScoreMs: s.firstScoreMs, loadMs: s.runtime?.loadMs, ort: s.runtime?.ort, resources: [...page, ...worker] };
});
const bytesOf = (resources, re) => resources.filter((r) => re.test(new URL(r.url).pathname)).reduce((s, r) => s + r.bytes, 0);

async function loads(server, bundle) {
  const cold = [];
  const warm = [];
  let facts;
  for (let i = 0; i < RUNS; i++) {
    await withContext(async (ctx) => {
      const page = await ctx.newPage();
      await page.goto(`${server.url}?bundle=${bundle}`);
      await ready(page);
      facts = await loadFacts(page);
      if (facts.state !== 'ready') throw new Error(`${bundle}: ${JSON.stringify(facts.error)}`);
      cold.push(facts.firstScoreMs);
      await page.waitForFunction(() => window.prescreen.offlineReady === true, null, { timeout: 60_000 }).catch(() => {});
      await page.reload();
      await ready(page);
      warm.push((await loadFacts(page)).firstScoreMs);
    });
  }
  const s = (a) => Float64Array.from(a).sort();
  return {
    coldMs: quantile(s(cold), 0.5), coldMaxMs: Math.max(...cold), warmMs: quantile(s(warm), 0.5), workerLoadMs: facts.loadMs, ort: facts.ort,
    jsBytes: bytesOf(facts.resources, /\.m?js$/), wasmBytes: bytesOf(facts.resources, /\.wasm$/), bundleBytes: bytesOf(facts.resources, /^\/bundles\//),
  };
}

async function scoring(server, bundle) {
  return withContext(async (ctx) => {
    const page = await ctx.newPage();
    await page.goto(`${server.url}?bundle=${bundle}`);
    await ready(page);
    const events = readFileSync(join(repo, 'examples', 'taiwan-credit', 'demo-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    return page.evaluate(async ({ events, n }) => {
      const s = window.prescreen.scorer;
      const base = window.prescreen.event;
      // Complete applications: the demo rows, blank cells filled from the form's applicant.
      const apps = events.map((e) => { const a = { ...base }; for (const k of Object.keys(base)) if (typeof e[k] === 'number') a[k] = e[k]; return a; });
      const neural = s.runtime.members.some((m) => m.kind === 'neural');
      const run = async (options, count) => {
        const inWorker = []; const roundTrip = [];
        for (let i = 0; i < count; i++) {
          const t0 = performance.now();
          const r = await s.score(apps[i % apps.length], options);
          roundTrip.push(performance.now() - t0);
          inWorker.push((r.timings.totalUs + (r.timings.explainUs ?? 0)) / 1000);
        }
        return { inWorker, roundTrip };
      };
      await run(undefined, 100); // warm-up
      const plain = await run(undefined, n);
      const explainOptions = neural ? { explain: { kernelBackground: 10, kernelSamples: 128 } } : { explain: true };
      await run(explainOptions, 10);
      const explained = await run(explainOptions, neural ? Math.min(n, 200) : n);
      return { plain, explained };
    }, { events, n: SCORES });
  });
}

const summary = (a) => { const s = Float64Array.from(a).sort(); return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) }; };
const results = {};
// Without cross-origin isolation Chromium rounds performance.now() to 100 µs; the isolated
// rows time the same work with 5 µs timers (and give onnxruntime-web its threads).
for (const [name, server, bundle] of [['trees', plain, 'taiwan-credit-trees'], ['trees-isolated', isolated, 'taiwan-credit-trees'], ['full', plain, 'taiwan-credit'], ['full-isolated', isolated, 'taiwan-credit']]) {
  const l = await loads(server, bundle);
  const sc = await scoring(server, bundle);
  results[name] = {
    ...l,
    score: { inWorker: summary(sc.plain.inWorker), roundTrip: summary(sc.plain.roundTrip) },
    scoreExplain: { inWorker: summary(sc.explained.inWorker), roundTrip: summary(sc.explained.roundTrip) },
  };
}
await plain.close();
await isolated.close();
rmSync(site, { recursive: true, force: true });

const cpu = `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`;
const chromeVersion = await withContext(async (ctx) => ctx.browser()?.version() ?? (await (await ctx.newPage()).evaluate(() => navigator.userAgent)).match(/Chrome\/([\d.]+)/)?.[1]);
console.log(`bench:browser — ${cpu}; node ${process.version}; chromium ${chromeVersion}; ${new Date().toISOString().slice(0, 10)}; ${RUNS} cold loads per bundle, ${SCORES} scores\n`);
const f = (x) => x.toFixed(2);
const kb = (b) => (b / 1024).toFixed(0);
printTable(['bundle', 'ORT threads', 'first score cold ms (p50 / max)', 'warm ms', 'worker load ms', 'JS KiB', 'wasm KiB', 'bundle KiB', 'score p50/p99 ms (worker)', 'round trip p50/p99 ms', '+explain p50/p99 ms (round trip)'],
  Object.entries(results).map(([k, r]) => [k, r.ort ? String(r.ort.threads) : 'none', `${r.coldMs.toFixed(0)} / ${r.coldMaxMs.toFixed(0)}`, r.warmMs.toFixed(0), r.workerLoadMs.toFixed(0), kb(r.jsBytes), kb(r.wasmBytes), kb(r.bundleBytes),
    `${f(r.score.inWorker.p50)} / ${f(r.score.inWorker.p99)}`, `${f(r.score.roundTrip.p50)} / ${f(r.score.roundTrip.p99)}`, `${f(r.scoreExplain.roundTrip.p50)} / ${f(r.scoreExplain.roundTrip.p99)}`]));
console.log('');
printTable(['JS / wasm (minified)', 'bytes', 'gzip'], [
  ['@riskscore/browser page side (createWorkerScorer)', String(sizes.pageSdk.bytes), String(sizes.pageSdk.gzip)],
  ['worker.js (core, features, explain: the tree-only path)', String(sizes.worker.bytes), String(sizes.worker.gzip)],
  ['app.js (the example page, SDK page side included)', String(sizes.app.bytes), String(sizes.app.gzip)],
  ['onnxruntime-web JS (neural members only)', String(sizes.ortJs.bytes), String(sizes.ortJs.gzip)],
  ['onnxruntime-web wasm (neural members only)', String(sizes.wasm.bytes), String(sizes.wasm.gzip)],
]);
const t = results.trees;
const ti = results['trees-isolated'];
const out = {
  bench: 'browser', ...machine(), cpu_model: cpu, chromium: chromeVersion, runs: RUNS, scores: SCORES, sizes, results,
  targets: { treesColdFirstScoreMs: 1000, treesScoreP50Ms: 0.5, treesWasmBytes: 0 },
  met: t.coldMs <= 1000 && ti.score.inWorker.p50 <= 0.5 && t.wasmBytes === 0 && ti.wasmBytes === 0,
};
console.log(JSON.stringify(out));
process.exit(0);
