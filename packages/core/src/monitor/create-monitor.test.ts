// The monitor against brute force: window statistics recomputed from the raw rows of the
// window with the textbook formulas, sliding sums against a fresh count of the last k
// sub-windows, outcome metrics against pair counting, Prometheus text through a parser.
import { createDriftCounts, createSeededRandom, recordDriftRow, type CategoricalFeatureProfile, type NumericFeatureProfile, type ReferenceProfile } from '@riskscore/explain';
import { describe, expect, it } from 'vitest';
import { RiskscoreError } from '../errors';
import { createMonitor, type Monitor } from './create-monitor';
import type { MonitorAlert, WindowReport } from './monitor-alert';
import { parsePrometheusText } from './prometheus-parse.test-helper';
import { referenceProfileFromRows, SCORE_FEATURE } from './reference-from-rows';

/** Deterministic uniform numbers in [0, 1): explain's seeded mulberry32. */
const rng = (seed: number): (() => number) => createSeededRandom(seed).next;

const NAMES = ['amount', 'channel', 'unused'];
/** Reference: amount ~ U(0, 100), channel ∈ {0, 1, 2} with shares .5/.3/.2, score ~ U(0, 1). */
function referenceRows(n: number, seed: number): { rows: number[][]; scores: Float64Array } {
  const r = rng(seed);
  const rows: number[][] = [];
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    rows.push([r() * 100, u < 0.5 ? 0 : u < 0.8 ? 1 : 2, 7]);
    scores[i] = r();
  }
  return { rows, scores };
}

function profileFor(rows: number[][], scores?: Float64Array): ReferenceProfile {
  const p = referenceProfileFromRows(rows.map((r) => [r[0], r[1]]), ['amount', 'channel'], { categorical: ['channel'], scores });
  return p;
}

/** PSI by its definition (Siddiqi): Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ) over shares floored at 1e−4. */
function psiByDefinition(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  let sr = 0, sc = 0;
  for (let i = 0; i < ref.length; i++) { sr += ref[i]; sc += cur[i]; }
  let psi = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.max(ref[i] / sr, 1e-4), a = Math.max(cur[i] / sc, 1e-4);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Right-closed bin counts of raw values against interior edges, then the missing bucket. */
function binCounts(values: readonly number[], edges: readonly number[]): number[] {
  const c = new Array(edges.length + 2).fill(0);
  for (const v of values) {
    if (Number.isNaN(v)) { c[edges.length + 1]++; continue; }
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    c[b]++;
  }
  return c;
}

function feed(m: Monitor, rows: number[][], scores: ArrayLike<number>, from = 0, to = rows.length): void {
  const row = new Float32Array(3);
  for (let i = from; i < to; i++) {
    row.set(rows[i]);
    m.observe(row, 0, scores[i], 50, 'approve');
  }
}

describe('createMonitor: windows against brute force', () => {
  const ref = referenceRows(5000, 1);
  const profile = profileFor(ref.rows, ref.scores);

  it('a tumbling window’s PSI of a numeric feature and of the score equals the definition on the raw rows', () => {
    const reports: WindowReport[] = [];
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 500 }, onWindow: (r) => reports.push(r), clock: () => 0 });
    // Current: amount shifted by +20, scores squared (towards 0).
    const cur = referenceRows(1000, 2);
    cur.rows.forEach((r) => (r[0] += 20));
    const scores = cur.scores.map((s) => s * s);
    feed(m, cur.rows, scores);
    expect(reports.map((r) => r.window.count)).toEqual([500, 500]);
    const amountEdges = (profile.features[0] as NumericFeatureProfile).edges;
    const scoreEdges = (profile.features[2] as NumericFeatureProfile).edges;
    const refAmount = [...profile.features[0].counts, profile.features[0].missing];
    const refScore = [...profile.features[2].counts, profile.features[2].missing];
    const w2 = cur.rows.slice(500).map((r) => Math.fround(r[0]));
    const psiAmount = reports[1].drift.find((d) => d.feature === 'amount' && d.statistic === 'psi')!.value;
    expect(psiAmount).toBeCloseTo(psiByDefinition(refAmount, binCounts(w2, amountEdges)), 12);
    const psiScore = reports[1].drift.find((d) => d.feature === SCORE_FEATURE && d.statistic === 'psi')!.value;
    expect(psiScore).toBeCloseTo(psiByDefinition(refScore, binCounts(Array.from(scores.subarray(500)), scoreEdges)), 12);
    // The shift is large: amount and score both alert as critical PSI.
    expect(psiAmount).toBeGreaterThan(0.25);
    const crit = reports[1].alerts.filter((a) => a.statistic === 'psi' && a.severity === 'critical').map((a) => a.feature).sort();
    expect(crit).toEqual([SCORE_FEATURE, 'amount']);
    const a = reports[1].alerts.find((x) => x.feature === 'amount' && x.statistic === 'psi')!;
    expect(a).toMatchObject({ type: 'drift', threshold: 0.25, window: { start: 0, end: 0, count: 500 } });
    // The alert also passed the feature's test: its JS distance is far beyond chance at 500 rows.
    expect(a.pValue!).toBeLessThan(1e-6);
    expect(a.adjustedPValue!).toBeLessThan(0.005);
    expect(reports[1].significance!.tests.find((t) => t.feature === 'amount')).toMatchObject({ statistic: 'jensen_shannon', rejected: true, pValue: a.pValue });
  });

  it('Jensen–Shannon distance and chi-square of a categorical feature equal their definitions', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 400 }, alertOn: ['psi', 'jensen_shannon', 'chi_square'] });
    const r = rng(9);
    const rows: number[][] = [];
    for (let i = 0; i < 400; i++) rows.push([r() * 100, r() < 0.2 ? 0 : r() < 0.5 ? 1 : r() < 0.9 ? 2 : 5, 0]); // 5: unseen
    feed(m, rows, new Float64Array(400).fill(0.5));
    const rep = m.lastWindow!;
    const fp = profile.features[1] as CategoricalFeatureProfile;
    const cur = [0, 0, 0, 0, 0]; // categories 0,1,2 · unseen · missing
    for (const x of rows) cur[x[1] === 5 ? 3 : x[1]]++;
    const refc = [...fp.counts, 0, fp.missing];
    // JS distance (base 2): sqrt(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2.
    const p = refc.map((c) => c / refc.reduce((s, v) => s + v, 0)), q = cur.map((c) => c / 400);
    let jsd = 0;
    for (let i = 0; i < p.length; i++) {
      const mm = (p[i] + q[i]) / 2;
      if (p[i] > 0) jsd += 0.5 * p[i] * Math.log2(p[i] / mm);
      if (q[i] > 0) jsd += 0.5 * q[i] * Math.log2(q[i] / mm);
    }
    expect(rep.drift.find((d) => d.feature === 'channel' && d.statistic === 'jensen_shannon')!.value).toBeCloseTo(Math.sqrt(jsd), 12);
    // Pearson chi-square against reference shares floored at 1e-4 and renormalised.
    const fl = p.map((s) => Math.max(s, 1e-4));
    const sf = fl.reduce((s, v) => s + v, 0);
    const chi2 = cur.reduce((s, o, i) => s + (o - (fl[i] / sf) * 400) ** 2 / ((fl[i] / sf) * 400), 0);
    const chi = rep.drift.find((d) => d.feature === 'channel' && d.statistic === 'chi_square')!;
    expect(chi.value).toBeCloseTo(chi2, 8);
    expect(chi.pValue!).toBeLessThan(1e-10);
    expect(rep.alerts.some((a) => a.feature === 'channel' && a.statistic === 'chi_square' && a.severity === 'critical' && a.threshold === 0.005)).toBe(true);
    // Numeric features get no chi-square entry.
    expect(rep.drift.some((d) => d.feature === 'amount' && d.statistic === 'chi_square')).toBe(false);
  });

  it('a window under minWindowEvents (a 17-row tail closed by flush) is reported but raises no alert; with the minimum at 1 the same rows alert', () => {
    const shifted: number[][] = [];
    const r = rng(17);
    for (let i = 0; i < 17; i++) shifted.push([80 + r() * 20, 2, 0]); // far from the reference: amount in the top fifth, one channel
    const raised = (minWindowEvents?: number): { alerts: number; report: WindowReport } => {
      const alerts: MonitorAlert[] = [];
      const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 1000 }, minWindowEvents, onAlert: (a) => alerts.push(a) });
      feed(m, shifted, new Float64Array(17).fill(0.9));
      const report = m.flush()!;
      return { alerts: alerts.length, report };
    };
    const dflt = raised();
    expect(dflt.report.window.count).toBe(17);
    expect(dflt.report.belowMinimum).toBe(true);
    expect(dflt.report.alerts).toEqual([]);
    expect(dflt.alerts).toBe(0);
    // The statistics are still there, and large.
    expect(dflt.report.drift.find((d) => d.feature === 'amount' && d.statistic === 'psi')!.value).toBeGreaterThan(1);
    const off = raised(1);
    expect(off.report.belowMinimum).toBe(false);
    expect(off.alerts).toBeGreaterThan(0);
    expect(raised(17).report.belowMinimum).toBe(false);
    expect(raised(18).report.belowMinimum).toBe(true);
  });

  it('a sliding window of k sub-windows equals fresh counts of the raw rows of the last k sub-windows', () => {
    const reports: WindowReport[] = [];
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 100 }, slidingWindows: 3, onWindow: (r) => reports.push(r) });
    const cur = referenceRows(1000, 3);
    cur.rows.forEach((r, i) => (r[0] += i / 20)); // a slow trend, so every window differs
    feed(m, cur.rows, cur.scores);
    expect(reports).toHaveLength(10);
    expect(reports.map((r) => r.subWindows)).toEqual([1, 2, 3, 3, 3, 3, 3, 3, 3, 3]);
    for (const [w, rep] of reports.entries()) {
      const from = Math.max(0, (w - 2) * 100), to = (w + 1) * 100;
      const fresh = createDriftCounts(profile);
      for (let i = from; i < to; i++) recordDriftRow(fresh, [Math.fround(cur.rows[i][0]), cur.rows[i][1], cur.scores[i]]);
      expect(rep.window.count).toBe(to - from);
      const refAmount = [...profile.features[0].counts, profile.features[0].missing];
      const psi = rep.drift.find((d) => d.feature === 'amount' && d.statistic === 'psi')!.value;
      expect(psi).toBeCloseTo(psiByDefinition(refAmount, fresh.counts.subarray(fresh.offsets[0], fresh.offsets[1])), 12);
    }
    // The trend grows: PSI rises from window to window after the first few.
    const psis = reports.map((r) => r.drift.find((d) => d.feature === 'amount' && d.statistic === 'psi')!.value);
    expect(psis[9]).toBeGreaterThan(psis[4]);
  });

  it('time windows close on the first event past window.ms, and tick() closes an idle one', () => {
    let t = 1000;
    const reports: WindowReport[] = [];
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { ms: 60_000 }, clock: () => t, onWindow: (r) => reports.push(r) });
    const cur = referenceRows(30, 4);
    for (let i = 0; i < 30; i++) { t = 1000 + i * 5000; feed(m, cur.rows, cur.scores, i, i + 1); }
    // events at 1000, 6000, …; the one at 61000 is the first ≥ 60 s after 1000 → closes a window of 12 events.
    expect(reports[0].window).toEqual({ start: 1000, end: 61_000, count: 12 });
    expect(reports[1].window).toEqual({ start: 61_000, end: 121_000, count: 12 });
    t = 121_000 + 59_999;
    expect(m.tick()).toBeNull();
    t = 267_000;
    expect(m.tick()!.window).toEqual({ start: 121_000, end: 267_000, count: 6 });
    expect(m.tick()).toBeNull();
    expect(m.flush()).toBeNull();
  });
});

describe('createMonitor: inputs', () => {
  const ref = referenceRows(500, 5);
  const profile = profileFor(ref.rows);

  it('refuses bad sources and options with typed errors naming the path', () => {
    const bad = (f: () => unknown, path: Array<string | number>) => {
      try { f(); } catch (e) {
        expect(RiskscoreError.isInstance(e) && e.code === 'invalid_argument').toBe(true);
        expect((e as RiskscoreError).path).toEqual(path);
        return;
      }
      throw new Error('expected a throw');
    };
    bad(() => createMonitor({ reference: profile, featureNames: ['amount'] }), ['reference', 'features', 1, 'name']);
    bad(() => createMonitor({ reference: { ...profile, version: 2 }, featureNames: NAMES }), ['reference', 'version']);
    bad(() => createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 0 } }), ['window', 'events']);
    bad(() => createMonitor({ reference: profile, featureNames: NAMES }, { window: { ms: -1 } }), ['window', 'ms']);
    bad(() => createMonitor({ reference: profile, featureNames: NAMES }, { slidingWindows: 1.5 }), ['slidingWindows']);
    bad(() => createMonitor({ reference: profile, featureNames: NAMES }, { alertOn: ['ks' as never] }), ['alertOn', 0]);
    bad(() => createMonitor({ reference: profile, featureNames: NAMES }, { referenceScores: [0.1, NaN] }), ['referenceScores', 1]);
    bad(() => createMonitor({ reference: undefined, featureNames: NAMES }), ['reference']);
    const m = createMonitor({ reference: profile, featureNames: NAMES });
    bad(() => m.track('', 0.5), ['id']);
    bad(() => m.track('a', NaN), ['score']);
    bad(() => m.track('a', 0.5, 'other@1'), ['model']);
    bad(() => m.recordOutcome('a', 2 as 0), ['label']);
    bad(() => m.observerFor('other@1'), ['model']);
    // Nothing was half-recorded by the refused calls.
    expect(m.stateSize().trackedIds).toBe(0);
  });

  it('monitors the score from referenceScores when the profile has none; unprofiled features are listed', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { referenceScores: ref.scores });
    expect(m.monitored).toEqual(['amount', 'channel', SCORE_FEATURE]);
    expect(m.unmonitored).toEqual(['unused']);
    const noScore = createMonitor({ reference: profile, featureNames: NAMES });
    expect(noScore.monitored).toEqual(['amount', 'channel']);
  });

  it('a throwing listener never reaches the scoring path and is counted', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 10 }, minWindowEvents: 1, onWindow: () => { throw new Error('boom'); } });
    const calls: MonitorAlert[] = [];
    const off = m.subscribe((a) => calls.push(a));
    const rows = referenceRows(10, 6).rows.map((r) => [r[0] + 500, r[1], r[2]]);
    expect(() => feed(m, rows, new Float64Array(10))).not.toThrow();
    expect(calls.length).toBeGreaterThan(0);
    expect(parsePrometheusText(m.metrics()).value('riskscore_monitor_listener_errors_total', {})).toBe(1);
    off();
    feed(m, rows, new Float64Array(10));
    expect(calls.length).toBe(m.lastWindow!.alerts.length); // no alerts of the second window reached it
  });
});

describe('createMonitor: outcomes and quality', () => {
  const ref = referenceRows(500, 7);
  const profile = profileFor(ref.rows);

  it('joins late labels through a bounded ring; quality equals pair-counting AUC and the Brier definition', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES, model: 'm@1' }, { models: ['m@2'], outcomeCapacity: 1000 });
    const r = rng(11);
    const truth: Array<{ s: number; y: number }> = [];
    for (let i = 0; i < 3000; i++) {
      const y = r() < 0.3 ? 1 : 0;
      const s = Math.min(1, Math.max(0, 0.3 + 0.25 * (y - 0.3) + 0.2 * (r() - 0.5)));
      m.track(`id-${i}`, Math.round(s * 100) / 100, i % 2 === 0 ? 'm@1' : 'm@2'); // rounded: ties on purpose
      if (i >= 2000) truth.push({ s: Math.round(s * 100) / 100, y });
    }
    // Labels arrive late and out of order; the first 2000 ids were evicted (capacity 1000).
    let joined = 0;
    for (let i = 2999; i >= 0; i--) if (m.recordOutcome(`id-${i}`, (truth[i - 2000]?.y ?? 0) as 0 | 1)) joined++;
    expect(joined).toBe(1000);
    expect(m.stateSize().trackedIds).toBe(1000);
    const q = m.quality();
    expect(q.map((x) => x.model)).toEqual(['m@1', 'm@2']);
    for (const [v, mq] of q.entries()) {
      const mine = truth.filter((_, j) => (2000 + j) % 2 === v);
      const pos = mine.filter((t) => t.y === 1), neg = mine.filter((t) => t.y === 0);
      let pairs = 0;
      for (const p of pos) for (const n of neg) pairs += p.s > n.s ? 1 : p.s === n.s ? 0.5 : 0;
      expect(mq.labelled).toBe(mine.length);
      expect(mq.positives).toBe(pos.length);
      expect(mq.rocAuc!).toBeCloseTo(pairs / (pos.length * neg.length), 12);
      // DeLong's 95 % interval by its definition: placement values, their variances, ±z·se.
      const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
      const v10 = pos.map((p) => neg.reduce((acc, n) => acc + psi(p.s, n.s), 0) / neg.length);
      const v01 = neg.map((n) => pos.reduce((acc, p) => acc + psi(p.s, n.s), 0) / pos.length);
      const auc = pairs / (pos.length * neg.length);
      const sampleVar = (v: number[]) => v.reduce((acc, x) => acc + (x - auc) ** 2, 0) / (v.length - 1);
      const se = Math.sqrt(sampleVar(v10) / pos.length + sampleVar(v01) / neg.length);
      expect(mq.rocAucCi!.lower).toBeCloseTo(auc - 1.959963984540054 * se, 10);
      expect(mq.rocAucCi!.upper).toBeCloseTo(auc + 1.959963984540054 * se, 10);
      expect(mq.brier!).toBeCloseTo(mine.reduce((s, t) => s + (t.s - t.y) ** 2, 0) / mine.length, 12);
      expect(mq.calibration!.counts.reduce((a, b) => a + b, 0)).toBe(mine.length);
      expect(mq.roc!.fpr[0]).toBe(0);
      expect(mq.roc!.tpr[mq.roc!.tpr.length - 1]).toBe(1);
    }
    const prom = parsePrometheusText(m.metrics());
    expect(prom.value('riskscore_outcomes_unmatched_total', {})).toBe(2000);
    expect(prom.value('riskscore_tracked_evicted_total', {})).toBe(2000);
    expect(prom.value('riskscore_outcomes_total', { model: 'm@1', label: '1' }) + prom.value('riskscore_outcomes_total', { model: 'm@2', label: '1' }))
      .toBe(truth.filter((t) => t.y === 1).length);
  });

  it('without labels, or with one class only, the metrics that need them are null', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES });
    m.track('a', 0.2);
    expect(m.quality()[0]).toMatchObject({ tracked: 1, labelled: 0, rocAuc: null, rocAucCi: null, brier: null, calibration: null });
    m.recordOutcome('a', true);
    expect(m.quality()[0]).toMatchObject({ labelled: 1, positives: 1, rocAuc: null });
    expect(m.quality()[0].brier).toBeCloseTo((0.2 - 1) ** 2, 15);
  });
});

describe('createMonitor: Prometheus text and fixed memory', () => {
  const ref = referenceRows(2000, 8);
  const profile = profileFor(ref.rows, ref.scores);

  it('exports counters and a cumulative latency histogram that a parser accepts', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES, model: 'taiwan "credit"@1' }, { window: { events: 100 }, models: ['shadow@2'] });
    const lat = [0.5, 1, 3, 3, 100, 2_000_000];
    const dec = ['approve', 'review', 'decline', 'approve', 'approve', 'review'] as const;
    const row = new Float32Array(3);
    lat.forEach((l, i) => m.observe(row, 0, 0.1, l, dec[i]));
    m.observerFor('shadow@2').observe(row, 0, 0.1, 10, 'decline');
    feed(m, ref.rows, ref.scores, 0, 194); // closes two windows
    const text = m.metrics();
    const p = parsePrometheusText(text); // throws on any malformed line, duplicate TYPE, non-cumulative buckets
    const model = 'taiwan "credit"@1';
    expect(p.types.get('riskscore_score_latency_seconds')).toBe('histogram');
    expect(p.value('riskscore_scored_total', { model })).toBe(200);
    expect(p.value('riskscore_scored_total', { model: 'shadow@2' })).toBe(1);
    expect(p.value('riskscore_decisions_total', { model, decision: 'review' })).toBe(2);
    expect(p.value('riskscore_decisions_total', { model, decision: 'approve' })).toBe(3 + 194);
    expect(p.value('riskscore_score_latency_seconds_bucket', { model, le: '0.000001' })).toBe(2); // 0.5 and 1 µs
    expect(p.value('riskscore_score_latency_seconds_bucket', { model, le: '0.000004' })).toBe(4);
    expect(p.value('riskscore_score_latency_seconds_bucket', { model, le: '0.000064' })).toBe(4 + 194); // feed() uses 50 µs
    expect(p.value('riskscore_score_latency_seconds_bucket', { model, le: '1.048576' })).toBe(199);
    expect(p.value('riskscore_score_latency_seconds_bucket', { model, le: '+Inf' })).toBe(200);
    expect(p.value('riskscore_score_latency_seconds_count', { model })).toBe(200);
    expect(p.value('riskscore_score_latency_seconds_sum', { model })).toBeCloseTo((0.5 + 1 + 3 + 3 + 100 + 2e6 + 194 * 50) * 1e-6, 12);
    expect(p.value('riskscore_monitor_windows_total', {})).toBe(2);
    expect(p.value('riskscore_feature_drift', { feature: 'amount', statistic: 'psi' })).toBe(m.lastWindow!.drift.find((d) => d.feature === 'amount' && d.statistic === 'psi')!.value);
    expect(text).toContain('model="taiwan \\"credit\\"@1"');
  });

  it('state does not grow with events: same arrays, rows capped at k × window, ids capped at capacity', () => {
    const m = createMonitor({ reference: profile, featureNames: NAMES }, { window: { events: 1000 }, slidingWindows: 4, outcomeCapacity: 500 });
    const row = new Float32Array(3);
    const r = rng(12);
    const step = (n: number) => {
      for (let i = 0; i < n; i++) {
        row[0] = r() * 100; row[1] = i % 3;
        m.observe(row, 0, r(), 20, 'approve');
        if (i % 7 === 0) m.track(`t${i}-${r()}`, 0.1);
      }
    };
    step(5000);
    const a = m.stateSize();
    step(200_000);
    const b = m.stateSize();
    expect(b.typedArrayBytes).toBe(a.typedArrayBytes);
    expect(b.trackedIds).toBe(500);
    expect(b.windowRows).toBeLessThanOrEqual(4 * 1000 + 999);
    expect(parsePrometheusText(m.metrics()).value('riskscore_monitor_windows_total', {})).toBe(205);
  });
});
