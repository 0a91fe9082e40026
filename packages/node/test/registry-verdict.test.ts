// The registry's verdict (issue #16, item 5) on simulated handbook transactions with their
// truth: labels recorded by event id reach every version that scored the event, and the
// verdict's numbers equal @riskscore/explain's statistics (checked against R's pROC and
// statsmodels in compare.test.ts) computed here from independent replays: a plain scorer
// per version fed the whole stream in order.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExperimentGuard, createModelRegistry, createScorer, loadBundle, splitPoint, type InferenceBackend, type LoadedBundle } from '@riskscore/core';
import { exampleBundleFiles } from '../../../testing/example-bundles';
import { aucCi, averagePrecision, bootstrapCi, delongTestPaired, delongTestUnpaired, recallAtFpr, sequentialTest, twoProportionTest } from '@riskscore/explain';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { labelledFraudStream, type FraudEvent } from './fraud-stream';

const DIR = join(REPO_ROOT, 'examples', 'fdh-fraud');
const FAST = 'fdh-fraud-fast@1.0.0', BASE = 'fdh-baseline@1.0.0', FULL = 'fdh-fraud@1.0.0';
const backend = createNodeBackend();
let fast: LoadedBundle, full: LoadedBundle, baseline: LoadedBundle;
let stream: Array<{ event: FraudEvent; label: 0 | 1 }>;

beforeAll(async () => {
  [fast, full, baseline] = await Promise.all(['bundle-trees-mlp', 'bundle', 'bundle-baseline'].map((b) => loadBundleFromDir(join(DIR, b))));
  stream = await labelledFraudStream({ customers: 1500, terminals: 800, seed: 3, startDate: '2018-04-01', days: 8 });
}, 60_000);

/** Each event's score by a plain scorer of `bundle` fed the whole stream in order. */
async function replayScores(bundle: LoadedBundle, events: readonly FraudEvent[]): Promise<{ scores: Float64Array; declines: Uint8Array }> {
  const s = await createScorer(bundle, { backend });
  const scores = new Float64Array(events.length), declines = new Uint8Array(events.length);
  for (let i = 0; i < events.length; i++) { const r = await s.score(events[i]); scores[i] = r.score; declines[i] = r.decision === 'decline' ? 1 : 0; }
  await s.close();
  return { scores, declines };
}

describe('registry verdict', () => {
  it('paired: a shadow against the champion on the same labelled events equals DeLong on independent replays; one look per new labels', async () => {
    const events = stream.map((s) => s.event), labels = Uint8Array.from(stream.map((s) => s.label));
    expect(labels.reduce((a, b) => a + b, 0)).toBeGreaterThan(60);
    const r = createModelRegistry({ scorerOptions: () => ({ backend }) });
    await r.load(fast);
    await r.load(baseline);
    r.setAlias('champion', FAST);
    r.startExperiment({ name: 'base-shadow', key: 'CUSTOMER_ID', arms: [{ name: 'champion', target: 'champion', weight: 1 }], shadows: [{ target: BASE, percent: 100 }] });
    expect(r.verdict('base-shadow', { challenger: BASE, bootstrap: 0 })).toMatchObject({ verdict: 'not_yet', aucDifference: null });
    await Promise.all(events.map((e) => r.score(e)));
    await r.settle();
    const half = Math.floor(events.length / 2);
    for (let i = 0; i < half; i++) expect(r.recordOutcome(events[i].TRANSACTION_ID, stream[i].label)).toBe(2);
    const [f, b] = await Promise.all([replayScores(fast, events), replayScores(baseline, events)]);
    const v1 = r.verdict('base-shadow', { challenger: BASE, bootstrap: 0 });
    const y1 = labels.subarray(0, half);
    const t1 = delongTestPaired(b.scores.subarray(0, half), f.scores.subarray(0, half), y1);
    expect(v1.comparison).toBe('paired');
    expect(v1.champion).toMatchObject({ n: half, versions: [FAST], auc: aucCi(f.scores.subarray(0, half), y1) });
    expect(v1.challenger).toMatchObject({ n: half, versions: [BASE], auc: aucCi(b.scores.subarray(0, half), y1) });
    expect(v1.aucDifference).toEqual({ estimate: t1.difference, se: t1.se, pValue: t1.pValue, lower: t1.lower, upper: t1.upper, test: 'delong_paired' });
    expect(v1.sequential).toEqual(sequentialTest([{ estimate: t1.difference, variance: t1.se ** 2 }], { tau2: 1e-4 }));
    expect(r.verdict('base-shadow', { challenger: BASE, bootstrap: 0 }).sequential!.looks).toBe(1); // no new labels: no new look
    for (let i = half; i < events.length; i++) r.recordOutcome(events[i].TRANSACTION_ID, stream[i].label);
    const v2 = r.verdict('base-shadow', { challenger: BASE, bootstrap: 0 });
    const t2 = delongTestPaired(b.scores, f.scores, labels);
    expect(v2.aucDifference!.estimate).toBe(t2.difference);
    expect(v2.sequential).toEqual(sequentialTest([{ estimate: t1.difference, variance: t1.se ** 2 }, { estimate: t2.difference, variance: t2.se ** 2 }], { tau2: 1e-4 }));
    const d = v2.sequential!.decided;
    expect(v2.verdict).toBe(d === null ? 'not_yet' : d);
    // Decline rates of the champion: the replay's.
    expect(v2.champion.declineRate!.count).toBe(f.declines.reduce((a, x) => a + x, 0));
    // Average precision and recall at 1 % FPR with stratified bootstrap intervals.
    const v3 = r.verdict('base-shadow', { challenger: BASE, bootstrap: 50 });
    const ap = bootstrapCi(averagePrecision, f.scores, labels, { resamples: 50, seed: 1 });
    expect(v3.champion.averagePrecision).toEqual({ estimate: averagePrecision(f.scores, labels), lower: ap.lower, upper: ap.upper });
    const rc = bootstrapCi((s, y) => recallAtFpr(s, y, 0.01).recall, b.scores, labels, { resamples: 50, seed: 1 });
    const r1 = recallAtFpr(b.scores, labels, 0.01);
    expect(v3.challenger.recallAtFpr).toEqual({ fpr: 0.01, recall: r1.recall, threshold: r1.threshold, lower: rc.lower, upper: rc.upper });
    await r.close();
  }, 240_000);

  it('independent arms: DeLong for independent curves and a two-proportion test of decline rates, on each arm\'s own events', async () => {
    const part = stream.slice(0, 8000);
    const events = part.map((s) => s.event);
    const r = createModelRegistry({ scorerOptions: () => ({ backend }) });
    await r.load(fast);
    await r.load(full);
    r.setAlias('champion', FAST);
    r.startExperiment({ name: 'ab', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }, { name: 'B', target: FULL, weight: 1 }] });
    const got = await Promise.all(events.map((e) => r.score(e)));
    part.forEach((s) => r.recordOutcome(s.event.TRANSACTION_ID, s.label));
    const inB = events.map((e) => splitPoint('ab', String(e.CUSTOMER_ID)) >= 0.5);
    got.forEach((g, i) => expect(g.arm).toBe(inB[i] ? 'B' : 'A'));
    const pick = (b: boolean) => ({
      s: Float64Array.from(got.filter((_, i) => inB[i] === b).map((g) => g.score)),
      y: Uint8Array.from(part.filter((_, i) => inB[i] === b).map((x) => x.label)),
      d: got.filter((g, i) => inB[i] === b && g.decision === 'decline').length,
    });
    const A = pick(false), B = pick(true);
    const v = r.verdict('ab', { minPerClass: 10, bootstrap: 0 });
    expect(v.comparison).toBe('independent');
    const t = delongTestUnpaired(B.s, B.y, A.s, A.y);
    expect(v.aucDifference).toEqual({ estimate: t.difference, se: t.se, pValue: t.pValue, lower: t.lower, upper: t.upper, test: 'delong_unpaired' });
    const p = twoProportionTest(B.d, B.s.length, A.d, A.s.length);
    expect(v.declineRateDifference).toEqual({ estimate: p.difference, pValue: p.pValue, lower: p.lower, upper: p.upper });
    expect(v.champion).toMatchObject({ arm: 'A', n: A.s.length, versions: [FAST] });
    expect(v.challenger).toMatchObject({ arm: 'B', n: B.s.length, versions: [FULL] });
    expect(() => r.verdict('nope')).toThrow(expect.objectContaining({ code: 'model_not_found', path: ['experiment'] }));
    expect(() => r.verdict('ab', { challenger: 'C' })).toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['options', 'challenger'] }));
    expect(() => r.verdict('ab', { fpr: 2 })).toThrow(expect.objectContaining({ path: ['options', 'fpr'] }));
    // Ended, the experiment keeps its verdict.
    r.endExperiment();
    expect(r.verdict('ab', { minPerClass: 10, bootstrap: 0 }).aucDifference).toEqual(v.aucDifference);
    await r.close();
  }, 240_000);
});

describe('experiment guard', () => {
  /** The node backend, failing every run while `fail.on` (backend_error for the member). */
  function failing(fail: { on: boolean }): InferenceBackend {
    return {
      name: 'failing-onnxruntime-node',
      async createSession(model, io) {
        const s = await backend.createSession(model, io);
        return { run: (input, rows, cols) => (fail.on ? Promise.reject(new Error('device lost')) : s.run(input, rows, cols)), release: () => s.release() };
      },
    };
  }

  it('a failing challenger ends the experiment; a failing promoted champion is rolled back; every change audited as auto', async () => {
    const fail = { on: false };
    const r = createModelRegistry({ scorerOptions: (b) => ({ backend: b.id === FULL ? failing(fail) : backend }) });
    await r.load(fast);
    await r.load(full);
    r.setAlias('champion', FAST);
    r.startExperiment({ name: 'g', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }, { name: 'B', target: FULL, weight: 1 }] });
    const guard = createExperimentGuard(r, { guardrails: { maxFailureRate: 0.01, minDecisions: 100 } });
    const events = stream.map((s) => s.event);
    await Promise.all(events.slice(0, 400).map((e) => r.safeScore(e)));
    expect(guard.check()).toEqual({ action: 'none' });
    fail.on = true;
    const out = await Promise.all(events.slice(400, 800).map((e) => r.safeScore(e)));
    expect(out.some((o) => !o.ok && o.error.code === 'backend_error')).toBe(true);
    const ended = guard.check();
    expect(ended).toMatchObject({ action: 'ended_experiment', change: { action: 'end_experiment', actor: 'auto' } });
    expect(ended.reason).toMatch(/fdh-fraud@1\.0\.0: failure rate/);
    expect(r.experiment).toBeNull();
    // Promoted by hand, then failing as champion: rolled back.
    fail.on = false;
    r.setAlias('champion', FULL, { actor: 'ops' });
    fail.on = true;
    await Promise.all(events.slice(800, 1000).map((e) => r.safeScore(e)));
    expect(guard.check()).toMatchObject({ action: 'rolled_back', change: { action: 'auto_rollback', actor: 'auto', from: FULL, to: FAST } });
    expect(r.resolve('champion')).toBe(FAST);
    expect(guard.check()).toEqual({ action: 'none' });
    expect(() => createExperimentGuard(r, { guardrails: { maxFailureRate: 2 } })).toThrow(expect.objectContaining({ path: ['options', 'guardrails', 'maxFailureRate'] }));
    await r.close();
  }, 120_000);

  it('promote: the challenger arm becomes champion once the sequential verdict says better', async () => {
    // A champion that ranks every event backwards (the fast bundle with its ensemble
    // logit negated: AUC 1 − AUC), so the verdict has a real difference to find.
    const files = exampleBundleFiles('fdh-fraud', 'bundle-trees-mlp');
    const m = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    m.version = '0.9.0-inverted';
    for (const member of m.members) member.weight = -member.weight;
    m.ensemble.bias = -m.ensemble.bias;
    files['manifest.json'] = new TextEncoder().encode(JSON.stringify(m));
    const inverted = await loadBundle(files);
    const INV = inverted.id;
    const r = createModelRegistry({ scorerOptions: () => ({ backend }) });
    await r.load(inverted);
    await r.load(fast);
    r.setAlias('champion', INV);
    r.startExperiment({ name: 'p', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }, { name: 'B', target: FAST, weight: 1 }] });
    const verdictOptions = { minPerClass: 10, tau2: 0.01, bootstrap: 0 };
    const guard = createExperimentGuard(r, { promote: verdictOptions });
    let promoted: ReturnType<typeof guard.check> | undefined;
    // A day of labels at a time, a look after each.
    const days = [...new Set(stream.map((s) => s.event.TX_DATETIME.slice(0, 10)))];
    let looked = 0;
    for (const day of days) {
      const today = stream.filter((s) => s.event.TX_DATETIME.startsWith(day));
      await Promise.all(today.map((s) => r.score(s.event)));
      today.forEach((s) => r.recordOutcome(s.event.TRANSACTION_ID, s.label));
      looked++;
      const c = guard.check();
      if (c.action !== 'none') { promoted = c; break; }
    }
    expect(promoted).toMatchObject({ action: 'promoted', change: { action: 'auto_promote', actor: 'auto', from: INV, to: FAST } });
    expect(looked).toBeLessThan(days.length);
    expect(r.resolve('champion')).toBe(FAST);
    expect(r.experiment).toBeNull();
    expect(r.audit().at(-1)).toMatchObject({ action: 'end_experiment', actor: 'auto', experiment: 'p' });
    const v = r.verdict('p', { champion: 'A', challenger: 'B', ...verdictOptions });
    expect(v.verdict).toBe('better');
    expect(v.sequential!.pValue).toBeLessThanOrEqual(0.05);
    expect(v.aucDifference!.estimate).toBeGreaterThan(0);
    await r.close();
  }, 240_000);
});
