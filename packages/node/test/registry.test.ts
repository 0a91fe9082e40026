// The model registry (issue #16) on the real fraud bundles: fdh-fraud-fast@1.0.0 (trees +
// MLP) and fdh-fraud@1.0.0 (trees + MLP + transformer) share one feature spec; the baseline
// fdh-baseline@1.0.0 has its own. Every expectation is rebuilt independently of the
// registry: one plain scorer replays the whole stream in order (the state a single process
// would reach), and each version's expected score is its predictFeatures on that replay's
// feature row (same spec) or a plain scorer of its own fed every event (own spec).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkExperiment, createModelRegistry, createScorer, isRiskscoreError, splitPoint, type LoadedBundle, type ModelRegistry, type RoutedScoreOutcome, type RoutedScoreResult, type Scorer } from '@riskscore/core';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { delayedBackend } from './delayed-backend';
import { fraudStream, type FraudEvent } from './fraud-stream';

const DIR = join(REPO_ROOT, 'examples', 'fdh-fraud');
const FAST = 'fdh-fraud-fast@1.0.0', FULL = 'fdh-fraud@1.0.0', BASE = 'fdh-baseline@1.0.0';
let fast: LoadedBundle, full: LoadedBundle, baseline: LoadedBundle;
let events: FraudEvent[];
const backend = createNodeBackend();
const scorerOptions = () => ({ backend });

beforeAll(async () => {
  [fast, full, baseline] = await Promise.all(['bundle-trees-mlp', 'bundle', 'bundle-baseline'].map((b) => loadBundleFromDir(join(DIR, b))));
  events = await fraudStream({ customers: 120, terminals: 60, seed: 16, startDate: '2018-04-01', days: 4 });
}, 60_000);


async function registryWith(...bundles: LoadedBundle[]): Promise<ModelRegistry> {
  const r = createModelRegistry({ scorerOptions });
  for (const b of bundles) await r.load(b);
  return r;
}

/** One plain scorer replaying every event in order: each event's feature row, and the state reached. */
async function replay(evs: readonly FraudEvent[]) {
  const s = await createScorer(fast, { backend });
  const rows: Float32Array[] = [];
  for (const e of evs) rows.push((await s.score(e, { features: true })).features!);
  return { scorer: s, rows };
}

/**
 * The features of a what-if probe on every card and every terminal of `evs`, an hour
 * after the last event (commit: false, nothing written): equal probes, equal entity
 * state. (Snapshot bytes may differ between concurrent and in-order runs: entities of
 * different events may commit in another order and take other slots.)
 */
async function probes(scorer: { score: Scorer['score'] }, evs: readonly FraudEvent[]): Promise<number[][]> {
  const cards = [...new Set(evs.map((e) => e.CUSTOMER_ID))];
  const terminals = [...new Set(evs.map((e) => e.TERMINAL_ID))];
  const last = evs[evs.length - 1].TX_DATETIME;
  const at = new Date(Date.parse(`${last.replace(' ', 'T')}Z`) + 3_600_000).toISOString();
  const out: number[][] = [];
  for (let i = 0; i < Math.max(cards.length, terminals.length); i++) {
    const probe = { TRANSACTION_ID: 9e9 + i, TX_DATETIME: `${at.slice(0, 10)} ${at.slice(11, 19)}`, CUSTOMER_ID: cards[i % cards.length], TERMINAL_ID: terminals[i % terminals.length], TX_AMOUNT: 42.5 };
    out.push([...(await scorer.score(probe, { commit: false, features: true })).features!]);
  }
  return out;
}

/** Each row's score by `bundle`, one row per run (onnxruntime's batched kernels round differently in the last bits). */
async function scoreOf(bundle: LoadedBundle, rows: Float32Array[]): Promise<Float64Array> {
  const s = await createScorer(bundle, { backend });
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = (await s.predictFeatures(rows[i], 1)).scores[0];
  await s.close();
  return out;
}

describe('model registry: versions and aliases', () => {
  it('loads all or nothing, names each version by its manifest hash, refuses a second bundle under one version', async () => {
    const r = createModelRegistry({ scorerOptions: () => ({}) }); // no backend: the MLP member cannot load
    await expect(r.load(fast)).rejects.toMatchObject({ code: 'backend_error' });
    expect(r.versions()).toEqual([]);
    const ok = createModelRegistry({ scorerOptions });
    const info = await ok.load(fast);
    expect(info).toMatchObject({ ref: FAST, name: 'fdh-fraud-fast', version: '1.0.0', aliases: [], stateGroup: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(info.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await ok.load(fast)).ref).toBe(FAST); // the same bundle again: nothing new
    const forged = { ...full, id: FAST, manifest: { ...full.manifest, name: 'fdh-fraud-fast' } } as LoadedBundle;
    await expect(ok.load(forged)).rejects.toMatchObject({ code: 'registry_conflict', path: ['bundle', 'version'] });
    await expect(ok.score(events[0])).rejects.toMatchObject({ code: 'model_not_found', path: ['aliases', 'champion'] });
    expect(() => ok.setAlias('champion', 'nope@1')).toThrow(expect.objectContaining({ code: 'model_not_found' }));
    expect(() => ok.setAlias('bad alias', FAST)).toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['alias'] }));
    await ok.close();
  });

  it('same-spec versions share one state group, another spec has its own; unload refuses a version an alias names', async () => {
    const r = await registryWith(fast, full, baseline);
    const g = Object.fromEntries(r.versions().map((v) => [v.ref, v.stateGroup]));
    expect(g[FAST]).toBe(g[FULL]);
    expect(g[BASE]).not.toBe(g[FAST]);
    expect(r.scorer(FAST).state).toBe(r.scorer(FULL).state);
    r.setAlias('champion', FAST, { actor: 'alice', reason: 'first' });
    r.setAlias('champion', FULL, { actor: 'bob' });
    await expect(r.unload(FULL)).rejects.toMatchObject({ code: 'registry_conflict' });
    const back = r.rollback('champion', { actor: 'carol', reason: 'p99' });
    expect(back).toMatchObject({ action: 'rollback', alias: 'champion', from: FULL, to: FAST, actor: 'carol', reason: 'p99' });
    expect(() => r.rollback('champion')).toThrow(expect.objectContaining({ code: 'model_not_found' }));
    await r.unload(FULL);
    expect(r.versions().map((v) => v.ref).sort()).toEqual([BASE, FAST]);
    expect(r.audit().map((a) => a.action)).toEqual(['load', 'load', 'load', 'alias', 'alias', 'rollback', 'unload']);
    await r.close();
  });
});

describe('model registry: routing', () => {
  it('splits by a hash of the entity key: weights within ±1 % over 100k entities, the same entity always the same arm', () => {
    for (const [salt, w] of [['exp-a', 0.5], ['exp-b', 0.1], ['exp-c', 0.9]] as const) {
      let below = 0;
      for (let k = 0; k < 100_000; k++) if (splitPoint(salt, String(1_000_000 + k)) < w) below++;
      expect(Math.abs(below / 100_000 - w)).toBeLessThan(0.01);
    }
    expect(splitPoint('s', '42')).toBe(splitPoint('s', '42'));
    expect(splitPoint('s', '42')).not.toBe(splitPoint('t', '42'));
  });

  it('fired at once over two arms sharing state: every score equals its version on a single in-order replay, the state equals it too', async () => {
    const evs = events.slice(0, 1500);
    const r = await registryWith(fast, full);
    r.setAlias('champion', FAST);
    r.setAlias('challenger', FULL);
    r.startExperiment({ name: 'ab', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }, { name: 'B', target: 'challenger', weight: 1 }], rules: [{ field: 'TX_AMOUNT', min: 200, arm: 'B' }] });
    const got = await Promise.all(evs.map((e) => r.score(e)));
    const { scorer: ref, rows } = await replay(evs);
    const [sFast, sFull] = await Promise.all([scoreOf(fast, rows), scoreOf(full, rows)]);
    const armOf = new Map<number, string>();
    got.forEach((g, i) => {
      const e = evs[i];
      const arm = e.TX_AMOUNT >= 200 ? 'B' : splitPoint('ab', String(e.CUSTOMER_ID)) < 0.5 ? 'A' : 'B';
      expect(g.arm).toBe(arm);
      expect(g.version).toBe(arm === 'A' ? FAST : FULL);
      expect(g.model).toBe(g.version);
      expect(g.experiment).toBe('ab');
      expect(g.score).toBe(arm === 'A' ? sFast[i] : sFull[i]);
      if (e.TX_AMOUNT < 200) {
        if (armOf.has(e.CUSTOMER_ID)) expect(armOf.get(e.CUSTOMER_ID)).toBe(arm);
        armOf.set(e.CUSTOMER_ID, arm);
      }
      expect('features' in g).toBe(false);
    });
    expect(new Set(got.map((g) => g.arm))).toEqual(new Set(['A', 'B']));
    // Both versions read one store that saw each event once, in order.
    const want = await probes(ref, evs);
    expect(await probes(r.scorer(FAST), evs)).toEqual(want);
    expect(await probes(r.scorer(FULL), evs)).toEqual(want);
    await r.close();
  }, 120_000);

  it('scoreBatch routes runs of events to their deciders in order: equal to score() one at a time', async () => {
    const evs = events.slice(0, 800);
    const r = await registryWith(fast, full);
    r.setAlias('champion', FAST);
    r.startExperiment({ name: 'ab', key: ['CUSTOMER_ID'], arms: [{ name: 'A', target: 'champion', weight: 3 }, { name: 'B', target: FULL, weight: 1 }] });
    const out: RoutedScoreOutcome[] = [];
    for (let i = 0; i < evs.length; i += 97) out.push(...await r.scoreBatch(evs.slice(i, i + 97)));
    const { scorer: ref, rows } = await replay(evs);
    const [sFast, sFull] = await Promise.all([scoreOf(fast, rows), scoreOf(full, rows)]);
    out.forEach((o, i) => {
      expect(o.ok).toBe(true);
      if (!o.ok) return;
      // Members run over several rows at once in a batch: onnxruntime's batched kernels
      // round the last bits differently from one row (seen: 1e-7 relative).
      const want = o.result.arm === 'A' ? sFast[i] : sFull[i];
      expect(Math.abs(o.result.score - want) / want).toBeLessThan(1e-5);
    });
    expect(new Set(out.map((o) => o.ok && o.result.arm))).toEqual(new Set(['A', 'B']));
    expect(await probes(r.scorer(FULL), evs)).toEqual(await probes(ref, evs));
    await r.close();
  }, 120_000);

  it('shadows never change a response; a same-spec shadow scores the decider\'s row, an own-spec shadow is fed every event', async () => {
    const evs = events.slice(0, 1000);
    const plain = await registryWith(fast);
    plain.setAlias('champion', FAST);
    const expected: RoutedScoreResult[] = [];
    for (const e of evs) expected.push(await plain.score(e));
    // The decider's neural member takes 0–5 ms a call, so decisions finish out of arrival order.
    const slow = delayedBackend([3, 0, 5, 1, 0, 4, 2], backend);
    const r = createModelRegistry({ scorerOptions: (b) => ({ backend: b.id === FAST ? slow : backend }) });
    for (const b of [fast, full, baseline]) await r.load(b);
    r.setAlias('champion', FAST);
    r.startExperiment({ name: 'shadowed', key: 'CUSTOMER_ID', arms: [{ name: 'champion', target: 'champion', weight: 1 }], shadows: [{ target: FULL, percent: 100 }, { target: BASE, percent: 50 }] });
    const got = await Promise.all(evs.map((e) => r.score(e)));
    got.forEach((g, i) => {
      expect(g.score).toBe(expected[i].score);
      expect(g.decision).toBe(expected[i].decision);
      expect(g.version).toBe(FAST);
    });
    await r.settle();
    // Labels for every event: each is attributed to the decider and to every shadow that scored it.
    const { rows } = await replay(evs);
    const sFull = await scoreOf(full, rows);
    const base = await createScorer(baseline, { backend });
    const sBase: number[] = [];
    for (const e of evs) sBase.push((await base.score(e)).score);
    let attributed = 0;
    evs.forEach((e, i) => { attributed += r.recordOutcome(e.TRANSACTION_ID, (i % 17 === 0 ? 1 : 0)); });
    const shadowedBase = evs.filter((e) => splitPoint('shadowed\u0000shadow\u00001', String(e.CUSTOMER_ID)) < 0.5).length;
    expect(attributed).toBe(evs.length * 2 + shadowedBase);
    const s = r.labelled('shadowed')!;
    expect(s.n).toBe(evs.length);
    const colFull = s.shadowScores.get(FULL)!, colBase = s.shadowScores.get(BASE)!;
    evs.forEach((e, i) => {
      expect(s.deciderScore[i]).toBe(expected[i].score);
      expect(colFull[i]).toBe(sFull[i]);
      const shadowed = splitPoint('shadowed\u0000shadow\u00001', String(e.CUSTOMER_ID)) < 0.5;
      if (shadowed) expect(colBase[i]).toBe(sBase[i]); else expect(colBase[i]).toBeNaN();
    });
    // The baseline kept its own state and saw every event: equal to the plain baseline scorer's.
    expect(await probes(r.scorer(BASE), evs)).toEqual(await probes(base, evs));
    expect(r.recordOutcome(evs[0].TRANSACTION_ID, 1)).toBe(0);
    expect(r.stats().outcomes.relabelled).toBe(1);
    const info = Object.fromEntries(r.versions().map((v) => [v.ref, v]));
    expect(info[FULL].shadowScored).toBe(evs.length);
    expect(info[BASE].shadowScored + info[BASE].fed).toBe(evs.length);
    await Promise.all([r.close(), plain.close(), base.close()]);
  }, 180_000);

  it('two shadows of another state group: one scores the event in that group\'s state, the other its row', async () => {
    const evs = events.slice(0, 400);
    const r = await registryWith(baseline, fast, full);
    r.setAlias('champion', BASE);
    r.startExperiment({ name: 'two', key: 'CUSTOMER_ID', arms: [{ name: 'base', target: 'champion', weight: 1 }], shadows: [{ target: FAST, percent: 100 }, { target: FULL, percent: 100 }] });
    await Promise.all(evs.map((e) => r.score(e)));
    await r.settle();
    evs.forEach((e) => r.recordOutcome(e.TRANSACTION_ID, 0));
    const { scorer: ref, rows } = await replay(evs);
    const [sFast, sFull] = await Promise.all([scoreOf(fast, rows), scoreOf(full, rows)]);
    const s = r.labelled('two')!;
    evs.forEach((_, i) => {
      expect(s.shadowScores.get(FAST)![i]).toBe(sFast[i]);
      expect(s.shadowScores.get(FULL)![i]).toBe(sFull[i]);
    });
    expect(await probes(r.scorer(FULL), evs)).toEqual(await probes(ref, evs));
    await r.close();
  }, 120_000);

  it('a promotion during a burst is atomic: each event is decided by exactly one version, and an event retried after it is counted once', async () => {
    const evs = events.slice(0, 600);
    const r = await registryWith(fast, full);
    r.setAlias('champion', FAST);
    const first = evs.slice(0, 300).map((e) => r.score(e));
    r.setAlias('champion', FULL, { reason: 'promote' });
    const second = evs.slice(300).map((e) => r.score(e));
    const got = await Promise.all([...first, ...second]);
    const { rows } = await replay(evs);
    const [sFast, sFull] = await Promise.all([scoreOf(fast, rows), scoreOf(full, rows)]);
    got.forEach((g, i) => {
      expect(g.version).toBe(i < 300 ? FAST : FULL);
      expect(g.score).toBe(i < 300 ? sFast[i] : sFull[i]);
    });
    // A retry of an event FAST decided, after the promotion: the stored result, not counted again.
    const before = Buffer.from(r.scorer(FULL).state!.snapshot());
    const retry = await r.score(evs[10]);
    expect(retry).toMatchObject({ duplicate: true, version: FAST, score: sFast[10] });
    expect(Buffer.from(r.scorer(FULL).state!.snapshot()).equals(before)).toBe(true);
    await r.close();
  }, 120_000);

  it('refuses a bad experiment by field and leaves the running one in place', async () => {
    const r = await registryWith(fast);
    r.setAlias('champion', FAST);
    const good = { name: 'one', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }] };
    r.startExperiment(good);
    const bad: Array<[unknown, unknown[]]> = [
      [{ ...good, name: '' }, ['experiment', 'name']],
      [{ ...good, key: [] }, ['experiment', 'key']],
      [{ ...good, arms: [{ name: 'A', target: 'champion', weight: -1 }] }, ['experiment', 'arms', 0, 'weight']],
      [{ ...good, arms: [{ name: 'A', target: 'nobody', weight: 1 }] }, ['experiment', 'arms', 0, 'target']],
      [{ ...good, rules: [{ field: 'TX_AMOUNT', min: 1, arm: 'Z' }] }, ['experiment', 'rules', 0, 'arm']],
      [{ ...good, shadows: [{ target: FAST, percent: 101 }] }, ['experiment', 'shadows', 0, 'percent']],
    ];
    for (const [config, path] of bad) {
      let caught: unknown;
      try { r.startExperiment(config as never); } catch (e) { caught = e; }
      expect(isRiskscoreError(caught), JSON.stringify(config)).toBe(true);
      expect((caught as { path: unknown[] }).path).toEqual(path);
    }
    expect(r.experiment?.name).toBe('one');
    expect((await r.score(events[0])).experiment).toBe('one');
    expect(() => checkExperiment(null)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await r.close();
  });
});

describe('scorer options the registry stands on', () => {
  it('start: the event takes its place in its entities\' lines at the call, and runs once start settles', async () => {
    const s = await createScorer(fast, { backend });
    const ref = await createScorer(fast, { backend });
    const [e1, e2] = events.filter((e) => e.CUSTOMER_ID === events[0].CUSTOMER_ID).slice(0, 2);
    let go!: () => void;
    const start = new Promise<void>((r) => { go = r; });
    const first = s.score(e1, { start, features: true });
    const second = s.score(e2, { features: true });
    let secondDone = false;
    void second.then(() => { secondDone = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(secondDone).toBe(false); // behind e1, which waits for start
    go();
    const [a, b] = await Promise.all([first, second]);
    const ra = await ref.score(e1, { features: true });
    const rb = await ref.score(e2, { features: true });
    expect([...a.features!]).toEqual([...ra.features!]);
    expect([...b.features!]).toEqual([...rb.features!]);
    expect(b.score).toBe(rb.score);
  });

  it('shareStateWith: refused across feature specs and next to state options', async () => {
    const a = await createScorer(fast, { backend });
    await expect(createScorer(baseline, { shareStateWith: a })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'shareStateWith'] });
    await expect(createScorer(full, { backend, shareStateWith: a, idempotency: false })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'idempotency'] });
    await expect(createScorer(full, { backend, shareStateWith: {} as Scorer })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'shareStateWith'] });
    const b = await createScorer(full, { backend, shareStateWith: a });
    expect(b.state).toBe(a.state);
    // One idempotency window: an event a committed is a duplicate for b.
    await a.score(events[0]);
    expect((await b.score(events[0])).duplicate).toBe(true);
  });
});
