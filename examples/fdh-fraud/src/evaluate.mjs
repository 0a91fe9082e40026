// The handbook evaluation of the committed bundles, online: every transaction of
// 2018-04-01..08-14 goes through the scorer's feature step in time order (live entity
// state), each label reaches the label-delayed windows through `scorer.recordOutcome`
// 7 days after its transaction, and the test week 2018-08-08..14 is scored event by
// event with `scorer.score()`. Metrics on the handbook's test set (known compromised
// cards removed day by day: 58,264 transactions, 385 frauds) with @riskscore/explain.
//
//   npm run build && node examples/fdh-fraud/src/evaluate.mjs [--work DIR] [--out FILE]
//
// Scores three things in one pass: bundle/ (XGBoost + MLP + FT-Transformer; per-member
// scores come with each result), bundle-trees-mlp/ (on the same online feature rows,
// through predictFeatures), and bundle-baseline/ (the handbook's 15 features, its own
// state). When WORK/test_predictions.json exists (written by train.py from the offline
// features), the online scores are compared with it: online = offline. ~2-3 min.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScorer, specFeatureStep } from '@riskscore/core';
import { averagePrecision, rocAuc, thresholdMetrics } from '@riskscore/explain';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { PROTOCOL, createHandbookTestFilter, dataAvailable, DATA_DIR, readTransactions } from './fdh-data.mjs';
import { fprAtRecall, handbookCardPrecision, quantileSorted } from './metrics.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const work = opt('--work', '/tmp/riskscore-fdh-fraud');
const outFile = opt('--out', join(root, 'evaluation.json'));
if (!dataAvailable()) {
  console.error(`evaluate: the handbook data is not in ${DATA_DIR} (set FDH_DATA_DIR)`);
  process.exit(1);
}
const DELAY_S = 7 * 86400;
const t0 = performance.now();

const backend = createNodeBackend();
const full = await loadBundleFromDir(join(root, 'bundle'));
const fast = await loadBundleFromDir(join(root, 'bundle-trees-mlp'));
const base = await loadBundleFromDir(join(root, 'bundle-baseline'));
const fullStep = specFeatureStep(full.manifest);
const baseStep = specFeatureStep(base.manifest);
let lastRow = null;
const scorer = await createScorer(full, { backend, features: fullStep, observer: { observe(row, offset) { lastRow = row.subarray(offset, offset + nF); } } });
const fastScorer = await createScorer(fast, { backend });
const baseScorer = await createScorer(base, { features: baseStep });
const nF = full.manifest.features.order.length;
const members = full.manifest.members.map((m) => m.name);
const warmRow = new Float32Array(nF);
const warmBase = new Float32Array(base.manifest.features.order.length);

// Outcomes wait in a FIFO until 7 days after their transaction (times only grow).
const pending = [];
let head = 0;
const filter = createHandbookTestFilter();
const test = { id: [], day: [], customer: [], terminal: [], amount: [], label: [], hb: [], score: [], base: [], members: members.map(() => []), latencyUs: [], ruleEver: [], rule28: [] };
const rows = [];
// The rule baseline's memory: when each terminal last had a fraud whose label is known.
const terminalKnownFraud = new Map();
let n = 0;
let outcomes = 0;
for await (const { event, seconds, day, label } of readTransactions({ untilDay: PROTOCOL.testTo })) {
  while (head < pending.length && pending[head].at <= seconds) {
    const p = pending[head++];
    outcomes += scorer.recordOutcome(p.event, p.label) > 0 ? 1 : 0;
    baseScorer.recordOutcome(p.event, p.label);
    if (p.label === 1) terminalKnownFraud.set(p.event.TERMINAL_ID, p.seconds);
  }
  if (head > 65536) { pending.splice(0, head); head = 0; }
  if (day >= PROTOCOL.testFrom) {
    const r = await scorer.score(event);
    const rb = await baseScorer.score(event);
    rows.push(Float32Array.from(lastRow));
    test.id.push(event.TRANSACTION_ID); test.day.push(day); test.customer.push(event.CUSTOMER_ID);
    test.terminal.push(event.TERMINAL_ID); test.amount.push(event.TX_AMOUNT); test.label.push(label);
    test.score.push(r.score); test.base.push(rb.score); test.latencyUs.push(r.timings.totalUs);
    members.forEach((m, j) => test.members[j].push(r.memberScores[m]));
    const last = terminalKnownFraud.get(event.TERMINAL_ID);
    test.ruleEver.push(event.TX_AMOUNT > 220 || last !== undefined ? 1 : 0);
    test.rule28.push(event.TX_AMOUNT > 220 || (last !== undefined && seconds - last <= 28 * 86400) ? 1 : 0);
    test.hb.push(filter.isTest(day, event.CUSTOMER_ID) ? 1 : 0);
  } else {
    fullStep.compute(event, warmRow, 0);
    baseStep.compute(event, warmBase, 0);
    filter.isTest(day, event.CUSTOMER_ID);
  }
  filter.observe(day, event.CUSTOMER_ID, label);
  pending.push({ at: seconds + DELAY_S, seconds, event, label });
  n++;
  if (n % 200000 === 0) process.stderr.write(`  ${n} transactions, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const replaySeconds = (performance.now() - t0) / 1000;

// The trees + MLP bundle on the same online feature rows.
const nT = rows.length;
const matrix = new Float32Array(nT * nF);
rows.forEach((r, i) => matrix.set(r, i * nF));
const fastOut = await fastScorer.predictFeatures(matrix, nT);

// ---- metrics on the handbook test set
const hbIdx = [];
for (let i = 0; i < nT; i++) if (test.hb[i]) hbIdx.push(i);
const pick = (arr) => Float64Array.from(hbIdx, (i) => arr[i]);
const y = Uint8Array.from(hbIdx, (i) => test.label[i]);
const cards = hbIdx.map((i) => test.customer[i]);
const days = hbIdx.map((i) => test.day[i]);
const fastScores = Array.from(fastOut.scores);
const models = [
  ...members.map((m, j) => [m, test.members[j]]),
  ['ensemble (trees + MLP)', fastScores],
  ['ensemble', test.score],
  ['handbook baseline: 15 features, default XGBoost', test.base],
];
const results = {};
for (const [name, arr] of models) {
  const s = pick(arr);
  const cp = handbookCardPrecision(s, y, cards, days, 100);
  results[name] = { rocAuc: rocAuc(s, y), averagePrecision: averagePrecision(s, y), cardPrecisionAt100: cp.mean, cardPrecisionAt100PerDay: cp.perDay, fprAtRecall80: fprAtRecall(s, y, 0.8) };
}
const ens = pick(test.score);
const fastHb = pick(fastScores);
const policy = full.manifest.decision;
const atPolicy = {
  review: thresholdMetrics(ens, y, policy.approveBelow),
  decline: thresholdMetrics(ens, y, policy.declineAtOrAbove),
  fastReview: thresholdMetrics(fastHb, y, fast.manifest.decision.approveBelow),
  fastDecline: thresholdMetrics(fastHb, y, fast.manifest.decision.declineAtOrAbove),
};
const rules = {};
for (const [name, arr] of [['amount > 220 or terminal with any known fraud', test.ruleEver], ['amount > 220 or terminal with known fraud in the last 28 days', test.rule28]]) {
  const r = thresholdMetrics(pick(arr), y, 0.5);
  const model = fprAtRecall(ens, y, r.recall);
  rules[name] = { recall: r.recall, precision: r.precision, falsePositiveRate: r.falsePositiveRate, flagged: r.tp + r.fp, ensembleFprAtSameRecall: model.falsePositiveRate, ensembleThreshold: model.threshold };
}
const lat = Float64Array.from(test.latencyUs).sort();

// ---- online = offline: the Python scores from offline features, by transaction id
let parity = null;
const predPath = join(work, 'test_predictions.json');
if (existsSync(predPath)) {
  const py = JSON.parse(readFileSync(predPath, 'utf8'));
  const at = new Map(py.transaction_id.map((id, i) => [id, i]));
  let dFull = 0, dFast = 0, dBase = 0, matched = 0;
  for (let i = 0; i < nT; i++) {
    const k = at.get(test.id[i]);
    if (k === undefined) continue;
    matched++;
    dFull = Math.max(dFull, Math.abs(test.score[i] - py.probability[k]));
    dFast = Math.max(dFast, Math.abs(fastScores[i] - py.probability_trees_mlp[k]));
    dBase = Math.max(dBase, Math.abs(test.base[i] - py.baseline_probability[k]));
  }
  parity = { rows: matched, maxAbsDiffEnsemble: dFull, maxAbsDiffTreesMlp: dFast, maxAbsDiffBaseline: dBase };
}

const evaluation = {
  protocol: 'Fraud Detection Handbook chapter 3: test 2018-08-08..14, known compromised cards removed day by day; online replay from 2018-04-01 with labels fed 7 days late',
  transactionsReplayed: n,
  outcomesRecorded: outcomes,
  testWeekScored: nT,
  handbookTest: { transactions: hbIdx.length, frauds: y.reduce((a, b) => a + b, 0) },
  models: results,
  policy: { approveBelow: policy.approveBelow, declineAtOrAbove: policy.declineAtOrAbove, ...atPolicy },
  rules,
  onlineEqualsOffline: parity,
  scoreLatencyUs: { p50: quantileSorted(lat, 0.5), p99: quantileSorted(lat, 0.99), note: 'score() of the full bundle during the replay (features + 3 members + ensemble), one event at a time' },
  seconds: { replay: Math.round(replaySeconds), total: Math.round((performance.now() - t0) / 1000) },
  bundles: { full: full.id, fast: fast.id, baseline: base.id },
};
writeFileSync(outFile, `${JSON.stringify(evaluation, null, 1)}\n`);

const f3 = (x) => (x === null || x === undefined ? '–' : x.toFixed(3));
console.log(`\nHandbook test set: ${hbIdx.length} transactions, ${evaluation.handbookTest.frauds} frauds (online replay of ${n} transactions, ${outcomes} outcomes recorded)\n`);
console.log('| model | ROC AUC | average precision | Card Precision@100 | FPR at 80 % recall |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${f3(r.rocAuc)} | ${f3(r.averagePrecision)} | ${f3(r.cardPrecisionAt100)} | ${(r.fprAtRecall80.falsePositiveRate * 100).toFixed(2)} % |`);
console.log(`\npolicy: review at ≥ ${policy.approveBelow}: precision ${f3(atPolicy.review.precision)}, recall ${f3(atPolicy.review.recall)}; decline at ≥ ${policy.declineAtOrAbove}: precision ${f3(atPolicy.decline.precision)}, recall ${f3(atPolicy.decline.recall)}`);
for (const [name, r] of Object.entries(rules)) console.log(`rule "${name}": recall ${f3(r.recall)}, precision ${f3(r.precision)}, FPR ${(r.falsePositiveRate * 100).toFixed(2)} % — ensemble at the same recall: FPR ${(r.ensembleFprAtSameRecall * 100).toFixed(2)} %`);
if (parity) console.log(`online = offline on ${parity.rows} test-week rows: max |Δp| ensemble ${parity.maxAbsDiffEnsemble.toExponential(2)}, trees+MLP ${parity.maxAbsDiffTreesMlp.toExponential(2)}, baseline ${parity.maxAbsDiffBaseline.toExponential(2)}`);
console.log(`score() latency during the replay: p50 ${evaluation.scoreLatencyUs.p50.toFixed(1)} µs, p99 ${evaluation.scoreLatencyUs.p99.toFixed(1)} µs; ${evaluation.seconds.total} s in all; wrote ${outFile}`);
await scorer.close();
await fastScorer.close();
