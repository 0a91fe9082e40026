import { describe, expect, it } from 'vitest';
import { missingDataReason, sharedDataPath } from '../../../../testing/shared-data';
import { readCsv, readGolden, relClose, where } from '../../test/fixtures/stats/load-data';
import { ExplainError } from '../errors';
import { addDriftCounts, createDriftCounts, recordDriftColumn, recordDriftRow, resetDriftCounts } from './drift-counts';
import { featureDriftFromCounts, summarizeDrift } from './feature-drift';
import { createReferenceProfile, validateReferenceProfile, type ReferenceProfile } from './reference-profile';

const G = readGolden('drift.json');
const TAIWAN = 'taiwan-credit-default/default_of_credit_card_clients.csv';

function pathOf(fn: () => unknown): ReadonlyArray<string | number> {
  try {
    fn();
  } catch (e) {
    if (ExplainError.isInstance(e)) return e.path;
    throw e;
  }
  throw new Error('expected an ExplainError');
}

describe('createReferenceProfile + drift counts', () => {
  it('profiles small columns by hand: right-closed bins, missing, categories', () => {
    const p = createReferenceProfile([
      { name: 'amount', kind: 'numeric', values: new Float64Array([5, 10, 20, 40, NaN]) },
      { name: 'channel', kind: 'categorical', values: new Float64Array([2, 0, 2, NaN, 7]) },
    ], { bins: 2 });
    // median of [5, 10, 20, 40] by linear interpolation = 15
    expect(p.features[0]).toEqual({ name: 'amount', kind: 'numeric', edges: [15], counts: [2, 2], missing: 1, mean: 18.75, std: Math.sqrt(((5 - 18.75) ** 2 + (10 - 18.75) ** 2 + (20 - 18.75) ** 2 + (40 - 18.75) ** 2) / 4) });
    expect(p.features[1]).toEqual({ name: 'channel', kind: 'categorical', categories: [0, 2, 7], counts: [1, 2, 1], missing: 1 });
    expect(validateReferenceProfile(JSON.parse(JSON.stringify(p)))).toEqual(p);

    const w = createDriftCounts(p);
    recordDriftRow(w, new Float32Array([15, 3])); // 15 is in the first bin (right-closed); 3 is unseen
    recordDriftRow(w, new Float32Array([NaN, 7]));
    recordDriftRow(w, new Float32Array([100, NaN]));
    // amount: [bin0, bin1, missing]; channel: [0, 2, 7, unseen, missing]
    expect(Array.from(w.counts)).toEqual([1, 1, 1, 0, 0, 1, 1, 1]);
    expect(w.rows).toBe(3);
    expect(() => recordDriftRow(w, new Float32Array([1]))).toThrow(ExplainError);
    expect(w.rows).toBe(3);
  });

  it('sliding windows: adding then removing a sub-window restores the counts', () => {
    const p = createReferenceProfile([{ name: 'x', kind: 'numeric', values: Float64Array.from({ length: 100 }, (_, i) => i) }]);
    const a = createDriftCounts(p), b = createDriftCounts(p), sum = createDriftCounts(p);
    recordDriftColumn(a, 0, Float64Array.from({ length: 50 }, (_, i) => i * 2));
    recordDriftColumn(b, 0, Float64Array.from({ length: 30 }, (_, i) => 90 + i));
    addDriftCounts(sum, a);
    addDriftCounts(sum, b);
    addDriftCounts(sum, a, -1);
    expect(Array.from(sum.counts)).toEqual(Array.from(b.counts));
    resetDriftCounts(sum);
    expect(sum.counts.every((c) => c === 0)).toBe(true);
  });

  it('validateReferenceProfile names the offending path', () => {
    const good: ReferenceProfile = { version: 1, rows: 4, features: [{ name: 'a', kind: 'numeric', edges: [1, 2], counts: [1, 2, 1], missing: 0, mean: 1.5, std: 0.5 }] };
    expect(validateReferenceProfile(good)).toBe(good);
    const bad = (patch: (p: any) => void) => { const p = JSON.parse(JSON.stringify(good)); patch(p); return () => validateReferenceProfile(p); };
    expect(pathOf(bad((p) => { p.version = 2; }))).toEqual(['version']);
    expect(pathOf(bad((p) => { p.features[0].edges = [2, 1]; }))).toEqual(['features', 0, 'edges', 1]);
    expect(pathOf(bad((p) => { p.features[0].counts = [1, 2]; }))).toEqual(['features', 0, 'counts']);
    expect(pathOf(bad((p) => { p.features[0].counts[2] = -1; }))).toEqual(['features', 0, 'counts', 2]);
    expect(pathOf(bad((p) => { p.features[0].kind = 'text'; }))).toEqual(['features', 0, 'kind']);
    expect(pathOf(bad((p) => { p.features.push({ ...p.features[0] }); }))).toEqual(['features', 1, 'name']);
    expect(pathOf(() => validateReferenceProfile(null))).toEqual([]);
  });

  const p = sharedDataPath(TAIWAN);
  it.skipIf(!p)(`Taiwan under-30 profile vs over-50 window: counts-based PSI/JS equal the sample-based scipy goldens ${p ? '' : missingDataReason(TAIWAN)}`, () => {
    const t = readCsv(p!);
    const age = t.num('AGE');
    const young = age.map((a) => +(a < 30));
    const old = age.map((a) => +(a > 50));
    const names = Object.keys(G.taiwan.numeric);
    const profile = createReferenceProfile(names.map((n) => ({ name: n, kind: 'numeric' as const, values: where(t.num(n), young) })));
    names.forEach((n, f) => {
      const fp = profile.features[f];
      expect(fp.kind === 'numeric' && fp.edges).toEqual(G.taiwan.numeric[n].edges);
      expect(fp.counts).toEqual(G.taiwan.numeric[n].refCounts);
    });
    const w = createDriftCounts(profile);
    const cols = names.map((n) => where(t.num(n), old));
    const row = new Float64Array(names.length);
    for (let i = 0; i < cols[0].length; i++) {
      for (let f = 0; f < names.length; f++) row[f] = cols[f][i];
      recordDriftRow(w, row);
    }
    const psi = featureDriftFromCounts(w);
    const js = featureDriftFromCounts(w, { numeric: 'jensen_shannon' });
    names.forEach((n, f) => {
      expect(relClose(psi.features[f].value, G.taiwan.numeric[n].psi)).toBe(true);
      expect(relClose(js.features[f].value, G.taiwan.numeric[n].jensenShannon)).toBe(true);
    });
    // Verdicts follow the 0.1 / 0.25 rule on scipy-side values; LIMIT_BAL moves with age.
    names.forEach((n, f) => {
      const g = G.taiwan.numeric[n].psi;
      expect(psi.features[f].status).toBe(g >= 0.25 ? 'drift' : g >= 0.1 ? 'warning' : 'stable');
    });
    expect(psi.features[0].status).not.toBe('stable');
    expect(psi.summary.drifted).toBe(psi.features.filter((x) => x.status === 'drift').length);
    expect(summarizeDrift(psi.features).share).toBeCloseTo(psi.summary.drifted / names.length, 15);
  });

  it('categorical chi-square from counts: smoothed expected shares, unseen and missing buckets', () => {
    const profile = createReferenceProfile([{ name: 'c', kind: 'categorical', values: Float64Array.from([1, 1, 1, 2, 2, 3]) }]);
    const w = createDriftCounts(profile);
    recordDriftColumn(w, 0, Float64Array.from([1, 2, 2, 3, 3, 3]));
    const r = featureDriftFromCounts(w).features[0];
    // by hand: buckets (1, 2, 3, unseen, missing); reference shares (3,2,1,0,0)/6 floored at 1e-4, renormalised
    const shares = [3 / 6, 2 / 6, 1 / 6, 1e-4, 1e-4];
    const tot = shares.reduce((a, b) => a + b, 0);
    const obs = [1, 2, 3, 0, 0];
    const stat = shares.reduce((s, sh, i) => { const e = (sh / tot) * 6; return s + (obs[i] - e) ** 2 / e; }, 0);
    expect(r.statistic).toBe('chi_square');
    expect(relClose(r.value, stat, 1e-12)).toBe(true);
    expect(() => featureDriftFromCounts(createDriftCounts(profile))).toThrow(ExplainError);
  });
});
