// The dashboard's summaries against their definitions: Prometheus' histogram_quantile
// by hand, the collector's rings and label joins, the cost matrix and the fairness rates
// (approval = favourable, groups named by the manifest's categories) counted directly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventGrouping, type LoadedBundle, type ScoreResult } from '@riskscore/core';
import { DashboardCollector } from './dashboard-collector';
import { buildSnapshot, histogramQuantile } from './dashboard-snapshot';

const result = (score: number, decision: 'approve' | 'review' | 'decline'): ScoreResult =>
  ({ score, logit: 0, decision, reasons: [], memberScores: {}, model: 'm@1', timings: { featuresUs: 0, membersUs: {}, ensembleUs: 0, totalUs: 0 } }) as ScoreResult;

const bundle = {
  manifest: {
    input: { fields: [{ name: 'SEX', type: 'integer', categories: { 1: 'male', 2: 'female' } }, { name: 'AGE', type: 'integer' }] },
    groups: [{ name: 'AGE_BAND', field: 'AGE', edges: [30, 45] }],
    features: { spec: { entities: [] } },
  },
  reference: { features: [{ name: '__score__', kind: 'numeric', edges: [0.2, 0.5], counts: [50, 30, 20] }] },
} as unknown as LoadedBundle;

describe('histogramQuantile', () => {
  it('is linear inside the bucket where the rank falls (Prometheus histogram_quantile)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 4, maxLength: 4 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (counts, q) => {
      const bounds = [0.001, 0.01, 0.1];
      let acc = 0;
      const samples = counts.map((c, k) => { acc += c; return { labels: { le: k < 3 ? String(bounds[k]) : '+Inf' }, value: acc, suffix: '_bucket' }; });
      const got = histogramQuantile(samples, {}, q);
      if (acc === 0) { expect(got).toBeNull(); return; }
      const rank = q * acc;
      let k = 0, below = 0;
      while (below + counts[k] < rank) { below += counts[k]; k++; }
      const lo = k === 0 ? 0 : bounds[k - 1];
      const want = k === 3 ? bounds[2] : lo + ((bounds[k] - lo) * (rank - below)) / counts[k];
      expect(got!).toBeCloseTo(want, 12);
    }), { numRuns: 300 });
  });
});

describe('buildSnapshot', () => {
  it('counts decisions, joins labels once, prices outcomes and rates groups as defined', () => {
    let now = Date.parse('2026-12-04T10:00:00Z');
    const grouping = eventGrouping(bundle.manifest, 'SEX');
    const c = new DashboardCollector({ amountField: 'amount', baseline: (e) => (Number(e.amount) > 100 ? 'decline' : 'approve'), clock: () => now, recentDecisions: 3 }, grouping);
    const rows: Array<{ id: number; amount: number; sex: number; score: number; decision: 'approve' | 'review' | 'decline'; label: 0 | 1 }> = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 400; i++) {
      const score = rnd();
      const decision = score < 0.6 ? 'approve' : score < 0.8 ? 'review' : 'decline';
      const row = { id: i, amount: Math.round(rnd() * 200), sex: 1 + (i % 2), score, decision, label: (rnd() < score * 0.5 ? 1 : 0) as 0 | 1 } as const;
      rows.push(row);
      c.observe({ amount: row.amount, SEX: row.sex }, row.id, result(score, decision));
      if (i % 50 === 49) now += 1000;
    }
    const reviews = rows.filter((r) => r.decision === 'review').length;
    expect(c.pendingReviews).toBe(reviews);
    for (const r of rows.slice(0, 300)) expect(c.outcome(r.id, r.label)).toBe(true);
    expect(c.outcome(0, 1)).toBe(false); // a second label for one id is refused
    expect(c.outcome(9999, 1)).toBe(false);
    const costs = { fraudApproved: 'amount' as const, falseDecline: 10, review: 2 };
    const s = buildSnapshot({ model: 'm@1', bundle, collector: c, insights: { explainedRows: 0, attribution: [], interactionRows: 0, interactions: [], refreshedAt: null }, families: [], driftHistory: [], requestRate: { t: [], perSecond: [] }, costs, baselineName: 'b', grouping, minGroupSize: 30 });

    expect(s.risk.totals).toEqual({ approve: rows.filter((r) => r.decision === 'approve').length, review: reviews, decline: rows.filter((r) => r.decision === 'decline').length });
    expect(s.risk.overTime.approve.reduce((a, b) => a + b, 0) + s.risk.overTime.review.reduce((a, b) => a + b, 0) + s.risk.overTime.decline.reduce((a, b) => a + b, 0)).toBe(400);
    expect(s.risk.latest.map((d) => d.id)).toEqual(rows.filter((r) => r.decision !== 'approve').slice(-3).reverse().map((r) => r.id));
    expect(s.risk.reference).toEqual([0.5, 0.3, 0.2]);
    expect(s.risk.current).toEqual([0.2, 0.5, Infinity].map((hi, k, e) => rows.filter((r) => r.score < hi && r.score >= (k === 0 ? -Infinity : e[k - 1])).length / 400));
    const lab = rows.slice(0, 300);
    const cost = (d: string, y: number, a: number) => (d === 'review' ? 2 : y === 1 ? (d === 'approve' ? a : 0) : d === 'decline' ? 10 : 0);
    const model = lab.reduce((t, r) => t + cost(r.decision, r.label, r.amount), 0);
    const base = lab.reduce((t, r) => t + cost(r.amount > 100 ? 'decline' : 'approve', r.label, r.amount), 0);
    expect(s.business.cost).toEqual({ model, baseline: base, saved: base - model, baselineName: 'b' });
    const caught = lab.filter((r) => r.label === 1 && r.decision !== 'approve');
    expect(s.business.fraudCaught).toEqual({ count: caught.length, amount: caught.reduce((t, r) => t + r.amount, 0) });
    const neg = lab.filter((r) => r.label === 0);
    expect(s.business.falsePositiveRate).toBeCloseTo(neg.filter((r) => r.decision !== 'approve').length / neg.length, 12);
    expect(s.business.reviewQueue.pending).toBe(rows.slice(300).filter((r) => r.decision === 'review').length);
    const fa = s.insights.fairness!;
    expect(fa.groups.map((g) => [g.value, g.label])).toEqual([['1', 'male'], ['2', 'female']]);
    for (const g of fa.groups) {
      const mine = lab.filter((r) => String(r.sex) === g.value);
      expect(g.n).toBe(mine.length);
      expect(g.approvalRate).toBeCloseTo(mine.filter((r) => r.decision === 'approve').length / mine.length, 12);
      const pos = mine.filter((r) => r.label === 1);
      expect(g.truePositiveRate).toBeCloseTo(pos.filter((r) => r.decision !== 'approve').length / pos.length, 12);
    }
    const [a, b] = fa.groups.map((g) => g.approvalRate);
    expect(fa.summary!.fourFifthsRatio).toBeCloseTo(Math.min(a, b) / Math.max(a, b), 12);
  });

  it('rates derived bands of the manifest (age bands), in band order, by direct count', () => {
    const grouping = eventGrouping(bundle.manifest, 'AGE_BAND');
    const c = new DashboardCollector({}, grouping);
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows = Array.from({ length: 600 }, (_, id) => {
      const score = rnd();
      return { id, age: 18 + Math.floor(rnd() * 60), score, decision: (score < 0.5 ? 'approve' : 'decline') as 'approve' | 'decline', label: (rnd() < score ? 1 : 0) as 0 | 1 };
    });
    for (const r of rows) {
      c.observe({ AGE: r.age }, r.id, result(r.score, r.decision));
      c.outcome(r.id, r.label);
    }
    c.observe({}, 'no-age', result(0.9, 'decline')); // no AGE: in no group
    c.outcome('no-age', 1);
    const s = buildSnapshot({ model: 'm@1', bundle, collector: c, insights: { explainedRows: 0, attribution: [], interactionRows: 0, interactions: [], refreshedAt: null }, families: [], driftHistory: [], requestRate: { t: [], perSecond: [] }, costs: { fraudApproved: 'amount', falseDecline: 10, review: 2 }, baselineName: 'b', grouping, minGroupSize: 30 });
    const fa = s.insights.fairness!;
    expect(fa.field).toBe('AGE_BAND');
    expect(fa.groups.map((g) => g.label)).toEqual(['<30', '30–44', '≥45']);
    const bands: Array<[number, number]> = [[-Infinity, 30], [30, 45], [45, Infinity]];
    fa.groups.forEach((g, k) => {
      const mine = rows.filter((r) => r.age >= bands[k][0] && r.age < bands[k][1]);
      expect(g.n).toBe(mine.length);
      expect(g.approvalRate).toBeCloseTo(mine.filter((r) => r.decision === 'approve').length / mine.length, 12);
      const neg = mine.filter((r) => r.label === 0);
      expect(g.falsePositiveRate).toBeCloseTo(neg.filter((r) => r.decision !== 'approve').length / neg.length, 12);
    });
  });
});
