// The committed fraud bundles against the Python side's outputs on the same feature rows
// (artifacts/goldens.json: 200 handbook-test rows, features from @riskscore/features'
// offline pass, outputs from xgboost 1.7.4 and torch 1.13).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createScorer, sigmoid } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { createWebBackend } from '@riskscore/browser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const g = JSON.parse(readFileSync(join(root, 'artifacts', 'goldens.json'), 'utf8'));
const matrix = (rows: (number | null)[][]): Float32Array => {
  const w = rows[0].length;
  const m = new Float32Array(rows.length * w);
  rows.forEach((r, i) => r.forEach((v, j) => { m[i * w + j] = v === null ? NaN : v; }));
  return m;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe('fdh-fraud bundle vs the Python goldens', () => {
  it('has golden rows with frauds (the fraud spec emits no missing values: empty windows are 0)', () => {
    expect(g.rows.length).toBe(200);
    expect(g.rows[0].length).toBe(g.features.length);
    expect(g.rows_with_nan).toBe(0);
    expect(g.label.reduce((a: number, b: number) => a + b, 0)).toBe(60);
  });

  it('TS tree evaluator = xgboost scores to 1e-6 (400 trees, converted with cover by onnxFromXgboostJson)', async () => {
    const bundle = await loadBundleFromDir(join(root, 'bundle'));
    expect(bundle.manifest.features.order).toEqual(g.features);
    const trees = bundle.members.find((m) => m.spec.name === 'xgboost')!.trees!;
    const out = new Float64Array(g.rows.length);
    trees.predictMargins(matrix(g.rows), g.rows.length, out);
    // xgboost's scores (predict(), float32 accumulation) to 1e-6; its leaves summed in float64 to 1e-6 (observed 1e-7: base score);
    // its float32 margins differ by float32 rounding of 400 additions (~7e-6 at |margin| ~ 10).
    expect(maxAbsDiff(Array.from(out, sigmoid), g.xgboost_prob)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(out, g.xgboost_margin_exact)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(out, g.xgboost_margin)).toBeLessThanOrEqual(1e-5);
  });

  it('baseline bundle: TS trees = xgboost scores to 1e-6 on the 15 handbook features', async () => {
    const bundle = await loadBundleFromDir(join(root, 'bundle-baseline'));
    expect(bundle.manifest.features.order).toEqual(g.baseline_features);
    const out = new Float64Array(g.rows.length);
    bundle.members[0].trees!.predictMargins(matrix(g.baseline_rows), g.rows.length, out);
    expect(maxAbsDiff(Array.from(out, sigmoid), g.baseline_prob)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(out, g.baseline_margin_exact)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(out, g.baseline_margin)).toBeLessThanOrEqual(1e-5);
  });

  it('neural members in onnxruntime-node = torch logits, ensemble probability = Python (float64 from members)', async () => {
    const bundle = await loadBundleFromDir(join(root, 'bundle'));
    const scorer = await createScorer(bundle, { backend: createNodeBackend() });
    const n = g.rows.length;
    const { memberLogits, scores } = await scorer.predictFeatures(matrix(g.rows), n);
    const names = bundle.manifest.members.map((m) => m.name);
    expect(names).toEqual(['xgboost', 'mlp', 'ft_transformer']);
    expect(maxAbsDiff(memberLogits.subarray(0, n), g.xgboost_margin_exact)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(memberLogits.subarray(n, 2 * n), g.mlp_logit)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(memberLogits.subarray(2 * n, 3 * n), g.ft_transformer_logit)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(scores, g.probability)).toBeLessThanOrEqual(1e-5);
    await scorer.close();
  });

  it('onnxruntime-node and onnxruntime-web (wasm) give the same scores to 1e-6', async () => {
    const bundle = await loadBundleFromDir(join(root, 'bundle'));
    const node = await createScorer(bundle, { backend: createNodeBackend() });
    const web = await createScorer(bundle, { backend: createWebBackend() });
    const n = g.rows.length;
    const a = await node.predictFeatures(matrix(g.rows), n);
    const b = await web.predictFeatures(matrix(g.rows), n);
    expect(maxAbsDiff(a.scores, b.scores)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThanOrEqual(1e-5);
    await node.close();
    await web.close();
  });
});

describe('fdh-fraud bundle online', () => {
  it('score(event, { commit: false }) scores a what-if without touching entity state', async () => {
    const { createTransactionSimulator, scorableEvent } = await import('../src/simulator.mjs');
    const bundle = await loadBundleFromDir(join(root, 'bundle'));
    const a = await createScorer(bundle, { backend: createNodeBackend() });
    const b = await createScorer(bundle, { backend: createNodeBackend() });
    const sim = createTransactionSimulator({ customers: 200, terminals: 400, seed: 5 });
    const txs = [...sim.events(3)].map(scorableEvent);
    for (const e of txs.slice(0, -1)) { await a.score(e); await b.score(e); }
    const last = txs[txs.length - 1];
    // b scores a what-if first: nothing must change for b.
    const whatIf = await b.score(last, { commit: false });
    const ra = await a.score(last);
    const rb = await b.score(last);
    expect(rb.score).toBe(ra.score);
    expect(whatIf.score).toBe(ra.score);
    const whatIfExplained = await b.score(txs[txs.length - 2], { commit: false, explain: { neural: 'omit' } });
    expect(whatIfExplained.explanation!.features.length).toBe(206);
    await a.close();
    await b.close();
  });
});

describe('fdh-fraud bundle batches', () => {
  it('each event of a batch is its own transaction: a late one is refused by name, the rest are committed', async () => {
    const { createTransactionSimulator, scorableEvent } = await import('../src/simulator.mjs');
    const bundle = await loadBundleFromDir(join(root, 'bundle'));
    const a = await createScorer(bundle, { backend: createNodeBackend() });
    const b = await createScorer(bundle, { backend: createNodeBackend() });
    const sim = createTransactionSimulator({ customers: 100, terminals: 200, seed: 9 });
    const txs = [...sim.events(2)].map(scorableEvent);
    const late = { ...txs[3], TX_DATETIME: txs[0].TX_DATETIME, TRANSACTION_ID: 99_999_999 };
    const batch = [txs[0], txs[1], txs[2], late, txs[4]];
    const outcomes = await a.scoreBatch(batch);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, true]);
    expect(outcomes[3]).toMatchObject({ ok: false, error: { code: 'late_event', path: ['events', 3, 'TX_DATETIME'] } });
    // a now holds txs 0, 1, 2 and 4: the same as b after scoring those one at a time.
    for (const e of [txs[0], txs[1], txs[2], txs[4]]) await b.score(e);
    const ra = await a.score(txs[5]);
    const rb = await b.score(txs[5]);
    expect(ra.score).toBe(rb.score);
    await a.close();
    await b.close();
  });
});
