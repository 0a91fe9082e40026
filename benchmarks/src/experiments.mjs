// Champion vs challenger experiments: does the always-valid sequential test keep its
// promise when the AUC difference is checked every day, and how long does it take to
// find a real gap? Uses the built @riskscore/explain (delongTestPaired,
// createSequentialTest).
//
//   npm run bench:experiments        (from the repository root; builds first)
//   node benchmarks/src/experiments.mjs --aa 1000 --ab 200 --neg-sample 0.1 --seed 20240601
//
// Traffic follows the Fraud Detection Handbook's simulated stream (../shared/data/
// fdh-simulated-transactions/README.md): 1,754,155 transactions over 183 days = 9,586
// scored events a day, fraud rate 0.837 % (~80 frauds a day). Labels arrive daily; both
// models score the same events (a paired, shadow deployment). Scores are binormal:
// score = μ·label + noise, unit-variance noise, AUC = Φ(μ/√2); the challenger's noise is
// correlated ρ = 0.8 with the champion's. To keep the run to a couple of minutes on two
// slow cores, every fraud is kept but legitimate events are sampled 1 in 10
// (--neg-sample): the AUC does not depend on the class ratio and its DeLong variance is
// dominated by the positives' term, so the error rates are those of the full stream (the
// JSON says what was used).
//
// (a) A/A: equal AUCs (0.85), 30 days, looked at every day. False promotion = the test
//     says "challenger better" on some day. Sequential: the mixture SPRT, α = 0.05,
//     τ² = 0.01² (the smallest AUC gain worth a model change). Fixed horizon: pROC-style
//     DeLong p < 0.05 with a positive difference, checked daily (peeking).
// (b) A/B: challenger AUC 0.85 + gap, gap 0.01 / 0.02 / 0.05: days until the sequential
//     verdict (up to 90 days), median and 90th percentile.
// Prints tables, and as its very last line one JSON object with the figures.
import { cpus } from 'node:os';
import { aucCi, createSequentialTest, delongTestPaired, normalQuantile } from '@riskscore/explain';
import { machine, printTable } from './stats.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EVENTS_PER_DAY = Math.round(1754155 / 183); // 9,586
const FRAUD_RATE = 14681 / 1754155; // 0.837 %
const NEG_SAMPLE = arg('neg-sample', 0.1);
const AA_RUNS = arg('aa', 1000);
const AB_RUNS = arg('ab', 200);
const AA_DAYS = 30;
const AB_MAX_DAYS = 90;
const BASE_AUC = 0.85;
const RHO = 0.8;
const ALPHA = 0.05;
const TAU2 = 0.01 ** 2;
const GAPS = [0.01, 0.02, 0.05];
const SEED = arg('seed', 20240601);

/** xoshiro128** seeded by splitmix32: reproducible uniforms in [0, 1). */
function rng(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const r = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = ((d << 11) | (d >>> 21)) >>> 0;
    return r / 4294967296;
  };
  let spare = NaN;
  const gauss = () => {
    if (!Number.isNaN(spare)) { const g = spare; spare = NaN; return g; }
    let u = next();
    while (u === 0) u = next();
    const r = Math.sqrt(-2 * Math.log(u)), th = 2 * Math.PI * next();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { next, gauss };
}

const muOf = (auc) => Math.SQRT2 * normalQuantile(auc);

/**
 * One experiment: day by day, append the day's scored, labelled events and look.
 * Returns per-look decisions of both tests.
 */
function runExperiment(seed, aucChampion, aucChallenger, maxDays, stopWhenDecided) {
  const r = rng(seed);
  const muB = muOf(aucChampion), muA = muOf(aucChallenger);
  const cap = Math.ceil(maxDays * EVENTS_PER_DAY * (FRAUD_RATE + NEG_SAMPLE) * 1.2) + 1000;
  let challenger = new Float64Array(cap), champion = new Float64Array(cap), labels = new Uint8Array(cap);
  let len = 0;
  const seq = createSequentialTest({ alpha: ALPHA, tau2: TAU2 });
  let fixedFirst = null, fixedAnyFirst = null, fixedAtEnd = null;
  for (let day = 1; day <= maxDays; day++) {
    for (let e = 0; e < EVENTS_PER_DAY; e++) {
      const u = r.next();
      const y = u < FRAUD_RATE ? 1 : 0;
      if (y === 0 && r.next() >= NEG_SAMPLE) continue;
      if (len === challenger.length) {
        const grow = (v) => { const w = new v.constructor(v.length * 2); w.set(v); return w; };
        challenger = grow(challenger); champion = grow(champion); labels = grow(labels);
      }
      const e1 = r.gauss(), e2 = r.gauss();
      champion[len] = muB * y + e1;
      challenger[len] = muA * y + RHO * e1 + Math.sqrt(1 - RHO * RHO) * e2;
      labels[len] = y;
      len++;
    }
    const t = delongTestPaired(challenger.subarray(0, len), champion.subarray(0, len), labels.subarray(0, len), { level: 1 - ALPHA });
    const s = seq.update(t.difference, t.variance);
    if (t.pValue < ALPHA) {
      if (fixedAnyFirst === null) fixedAnyFirst = day;
      if (t.difference > 0 && fixedFirst === null) fixedFirst = day;
    }
    if (day === maxDays) fixedAtEnd = t.pValue < ALPHA ? (t.difference > 0 ? 'better' : 'worse') : null;
    if (stopWhenDecided && s.decided !== null) break;
  }
  const st = seq.state;
  return { seqDecided: st.decided, seqDay: st.decidedAtLook, fixedFirst, fixedAnyFirst, fixedAtEnd, rows: len };
}

function timeIt(fn, n = 11) {
  for (let i = 0; i < 3; i++) fn();
  const t = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); }
  return t.sort((a, b) => a - b)[n >> 1];
}

// ---------- DeLong speed at 300k rows ----------
const speed = {};
{
  const r = rng(SEED ^ 0xdeadbeef);
  for (const [name, prev] of [['balanced', 0.5], ['fraudRate', FRAUD_RATE]]) {
    const n = 300_000;
    const y = new Uint8Array(n), a = new Float64Array(n), b = new Float64Array(n);
    for (let i = 0; i < n; i++) { y[i] = r.next() < prev ? 1 : 0; a[i] = y[i] + r.gauss(); b[i] = 0.8 * a[i] + 0.6 * r.gauss() + 0.2 * y[i]; }
    speed[name] = { rows: n, aucCiMs: +timeIt(() => aucCi(a, y)).toFixed(1), pairedMs: +timeIt(() => delongTestPaired(a, b, y)).toFixed(1) };
  }
}
console.log('\nDeLong at 300,000 rows (median of 11 runs)\n');
printTable(['prevalence', 'aucCi ms', 'delongTestPaired ms'], Object.entries(speed).map(([k, v]) => [k, v.aucCiMs, v.pairedMs]));

// ---------- (a) A/A ----------
const t0 = performance.now();
let seqPromote = 0, seqAny = 0, fixedPromote = 0, fixedAny = 0, endPromote = 0, endAny = 0, rowsAA = 0;
for (let k = 0; k < AA_RUNS; k++) {
  const res = runExperiment(SEED + k, BASE_AUC, BASE_AUC, AA_DAYS, false);
  if (res.seqDecided === 'better') seqPromote++;
  if (res.seqDecided !== null) seqAny++;
  if (res.fixedFirst !== null) fixedPromote++;
  if (res.fixedAnyFirst !== null) fixedAny++;
  if (res.fixedAtEnd === 'better') endPromote++;
  if (res.fixedAtEnd !== null) endAny++;
  rowsAA = res.rows;
}
const aaSeconds = (performance.now() - t0) / 1000;
const rate = (x) => x / AA_RUNS;
const se = (p) => Math.sqrt((p * (1 - p)) / AA_RUNS);
const pct = (p) => `${(100 * p).toFixed(1)} % ± ${(100 * se(p)).toFixed(1)}`;
const aa = {
  runs: AA_RUNS, days: AA_DAYS, rowsAtDay30: rowsAA, seconds: +aaSeconds.toFixed(1),
  sequential: { falsePromotion: rate(seqPromote), anyVerdict: rate(seqAny) },
  fixedDaily: { falsePromotion: rate(fixedPromote), anySignificant: rate(fixedAny) },
  fixedOnceAtDay30: { falsePromotion: rate(endPromote), anySignificant: rate(endAny) },
};
console.log(`\n(a) A/A: ${AA_RUNS} experiments, AUC ${BASE_AUC} both, ${AA_DAYS} daily looks, ${EVENTS_PER_DAY} events/day at ${(100 * FRAUD_RATE).toFixed(3)} % fraud (legitimate sampled ${NEG_SAMPLE}), ${aaSeconds.toFixed(0)} s\n`);
printTable(['test', 'false promotion (±1 se)', 'any verdict'], [
  [`sequential mSPRT (α ${ALPHA}, τ² ${TAU2})`, pct(aa.sequential.falsePromotion), pct(aa.sequential.anyVerdict)],
  ['DeLong p < 0.05, checked daily', pct(aa.fixedDaily.falsePromotion), pct(aa.fixedDaily.anySignificant)],
  ['DeLong p < 0.05, once at day 30', pct(aa.fixedOnceAtDay30.falsePromotion), pct(aa.fixedOnceAtDay30.anySignificant)],
]);

// ---------- (b) A/B ----------
const ab = [];
const t1 = performance.now();
for (const gap of GAPS) {
  const days = [];
  let better = 0, worse = 0, undecided = 0;
  for (let k = 0; k < AB_RUNS; k++) {
    const res = runExperiment(SEED + 1_000_003 * (1 + GAPS.indexOf(gap)) + k, BASE_AUC, BASE_AUC + gap, AB_MAX_DAYS, true);
    if (res.seqDecided === 'better') better++;
    else if (res.seqDecided === 'worse') worse++;
    else undecided++;
    days.push(res.seqDecided === 'better' ? res.seqDay : Infinity);
  }
  const sorted = Float64Array.from(days).sort();
  // nearest-rank quantile: a whole number of days
  const q = (p) => { const v = sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]; return Number.isFinite(v) ? v : null; };
  ab.push({ gap, runs: AB_RUNS, median: q(0.5), p90: q(0.9), decidedBetter: better / AB_RUNS, decidedWorse: worse / AB_RUNS, undecidedAfter90: undecided / AB_RUNS });
}
const abSeconds = (performance.now() - t1) / 1000;
console.log(`\n(b) A/B: ${AB_RUNS} experiments per gap, champion AUC ${BASE_AUC}, up to ${AB_MAX_DAYS} days, ${abSeconds.toFixed(0)} s\n`);
const fmt = (v) => (v === null ? `> ${AB_MAX_DAYS}` : String(v));
printTable(['AUC gap', 'median days to "better"', '90th pct days', 'said better', 'said worse', `undecided at day ${AB_MAX_DAYS}`],
  ab.map((r) => [r.gap, fmt(r.median), fmt(r.p90), `${(100 * r.decidedBetter).toFixed(1)} %`, `${(100 * r.decidedWorse).toFixed(1)} %`, `${(100 * r.undecidedAfter90).toFixed(1)} %`]));

console.log(JSON.stringify({
  bench: 'experiments', ...machine(), cpuModel: cpus()[0]?.model ?? 'unknown', seed: SEED,
  traffic: { eventsPerDay: EVENTS_PER_DAY, fraudRate: FRAUD_RATE, negativeSample: NEG_SAMPLE, baseAuc: BASE_AUC, rho: RHO },
  sequential: { alpha: ALPHA, tau2: TAU2 }, delong300k: speed, aa, ab: { maxDays: AB_MAX_DAYS, seconds: +abSeconds.toFixed(1), gaps: ab },
}));
