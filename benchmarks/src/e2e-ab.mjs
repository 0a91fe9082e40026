// node benchmarks/src/e2e-ab.mjs BASE_DIR [PAIRS] — bench:e2e of this checkout against
// another built checkout, as whole processes taken in turn (A B A B …, PAIRS pairs,
// default 3; E2E_EVENTS as bench:e2e, default here 10,000), ratios taken pair by pair
// and their median reported: pairing keeps the ratio meaningful while the machine's
// speed drifts. The two builds load different onnxruntime copies, so they cannot share
// one process as features-ab does. Last line: one JSON object.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const baseDir = resolve(process.argv[2] ?? '');
const pairs = Number(process.argv[3] ?? 3);
if (!process.argv[2] || !existsSync(join(baseDir, 'benchmarks', 'src', 'e2e.mjs'))) {
  console.error('usage: node benchmarks/src/e2e-ab.mjs BASE_DIR [PAIRS] (a built checkout of the other build)');
  process.exit(1);
}
const env = { ...process.env, E2E_EVENTS: process.env.E2E_EVENTS ?? '10000' };
const once = (dir) => {
  const out = execFileSync(process.execPath, [join(dir, 'benchmarks', 'src', 'e2e.mjs')], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
};
const keys = ['full_p50_us', 'full_p99_us', 'full_features_p50_us', 'full_features_p99_us', 'trees_mlp_p50_us', 'trees_mlp_p99_us', 'trees_mlp_features_p50_us', 'trees_mlp_features_p99_us'];
const ratios = Object.fromEntries(keys.map((k) => [k, []]));
const runs = { a: [], b: [] };
for (let i = 0; i < pairs; i++) {
  const a = once(root);
  const b = once(baseDir);
  runs.a.push(a); runs.b.push(b);
  for (const k of keys) ratios[k].push(a[k] / b[k]);
  console.error(`pair ${i + 1}/${pairs}: full p50 ${a.full_p50_us.toFixed(1)} vs ${b.full_p50_us.toFixed(1)} µs`);
}
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fig = { pairs, events: Number(env.E2E_EVENTS) };
const rows = keys.map((k) => {
  fig[`a_${k}`] = median(runs.a.map((r) => r[k]));
  fig[`b_${k}`] = median(runs.b.map((r) => r[k]));
  fig[`ratio_${k}`] = median(ratios[k]);
  return [k, fig[`a_${k}`].toFixed(1), fig[`b_${k}`].toFixed(1), fig[`ratio_${k}`].toFixed(3), `${Math.min(...ratios[k]).toFixed(3)}–${Math.max(...ratios[k]).toFixed(3)}`];
});
console.log(`\nbench:e2e, A: this checkout, B: ${baseDir}; ${pairs} pairs of whole runs, ${fig.events} events each`);
printTable(['figure', 'A median', 'B median', 'A/B (median of pairs)', 'A/B range'], rows);
console.log(JSON.stringify(fig));
