// The monitor's false-alarm rate per window size, and its power on known shifts, on real
// data. A stream resampled from the reference rows has no shift by construction, so every
// alert on it is a false alarm; with the default false discovery rate (0.005), at most 1 %
// of windows may raise any alert, at every window size, over 500 windows each:
//   Taiwan credit default: clients under 30 as the reference (23 features and the score
//   of the bundle's XGBoost member); known shift: clients over 50.
//   Fraud Detection Handbook: the fraud bundle's 206 features on the 2,000 training rows
//   its reference profile was built from; known shift: the weekend rows alone.
// The per-size rates and the power are printed (docs/monitoring.md keeps the table).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSeededRandom } from '@riskscore/explain';
import { describe, expect, it } from 'vitest';
import { missingDataReason, REPO_ROOT, sharedDataPath } from '../../../../testing/shared-data';
import { createMonitor, type MonitorOptions, type MonitorReferenceSource } from './create-monitor';
import type { WindowReport } from './monitor-alert';
import { categoricalFeaturesOf, referenceProfileFromRows } from './reference-from-rows';
import { TAIWAN, taiwanByAge } from './taiwan-by-age.test-helper';
const taiwanPath = sharedDataPath(TAIWAN);
const SIZES = [200, 400, 1000] as const;
const WINDOWS = 500;

/** Rows (float32, `w` wide) with their scores. */
interface Stream { rows: Float32Array; scores: Float64Array; w: number }

/** Tumbling windows of `size` over `events` events, the k-th being row `pick(k)`; the reports. */
function windows(source: MonitorReferenceSource, s: Stream, size: number, events: number, pick: (k: number) => number, options: MonitorOptions = {}): WindowReport[] {
  const reports: WindowReport[] = [];
  const m = createMonitor(source, { ...options, window: { events: size }, onWindow: (r) => reports.push(r) });
  for (let k = 0; k < events; k++) {
    const i = pick(k);
    m.observe(s.rows, i * s.w, s.scores[i], 100, 'approve');
  }
  return reports;
}

/** WINDOWS windows of `size` rows drawn with replacement from the first `n` rows of `s`. */
const resampled = (source: MonitorReferenceSource, s: Stream, n: number, size: number, seed: number, options: MonitorOptions = {}) => {
  const r = createSeededRandom(seed);
  return windows(source, s, size, size * WINDOWS, () => r.nextInt(n), options);
};

const alerted = (reports: readonly WindowReport[]) => reports.filter((x) => x.alerts.length > 0).length;

/** How close the windows came to an alert: the smallest adjusted p-value of any test. */
const minAdjusted = (reports: readonly WindowReport[]) => Math.min(...reports.flatMap((x) => x.significance!.tests.map((t) => t.adjustedPValue)));

describe('monitor false alarms per window size: Taiwan credit (24 tests per window)', () => {
  it.skipIf(!taiwanPath)(`500 resampled windows at 200, 400 and 1000 rows: ≤ 1 % raise any alert; the over-50 clients alert in every window at every size ${taiwanPath ? '' : missingDataReason(TAIWAN)}`, async () => {
    const { bundle, order, w, young, old } = await taiwanByAge();
    const reference = referenceProfileFromRows(young.rows, order, { categorical: categoricalFeaturesOf(bundle.manifest), scores: young.scores });
    const source: MonitorReferenceSource = { reference, featureNames: order, model: bundle.id };
    const youngStream = { ...young, w }, oldStream = { ...old, w };
    const lines: string[] = [];
    for (const size of SIZES) {
      const quiet = resampled(source, youngStream, young.n, size, 1000 + size);
      expect(quiet).toHaveLength(WINDOWS);
      const shifted = windows(source, oldStream, size, Math.floor(old.n / size) * size, (k) => k);
      expect(shifted.length).toBeGreaterThanOrEqual(2);
      // Without the test (falseDiscoveryRate: null), the fixed thresholds alone, for comparison.
      const fixed = resampled(source, youngStream, young.n, size, 1000 + size, { falseDiscoveryRate: null });
      lines.push(`n=${size}: resampled ${alerted(quiet)}/${WINDOWS} windows alerted (fixed thresholds alone: ${alerted(fixed)}/${WINDOWS}); smallest adjusted p ${minAdjusted(quiet).toExponential(2)}; over-50 ${alerted(shifted)}/${shifted.length}`);
      expect(alerted(quiet) / WINDOWS).toBeLessThanOrEqual(0.01);
      expect(alerted(shifted)).toBe(shifted.length);
      for (const r of shifted) expect(r.alerts.some((a) => a.feature === 'AGE')).toBe(true);
    }
    // eslint-disable-next-line no-console
    console.log(`Taiwan under-30 reference (${young.n} rows):\n  ${lines.join('\n  ')}`);
  });
});

describe('monitor false alarms per window size: Fraud Detection Handbook features (206 tests per window)', () => {
  const dir = join(REPO_ROOT, 'examples', 'fdh-fraud');
  it('500 resampled windows of the training rows at 200, 400 and 1000 rows: ≤ 1 % raise any alert; the weekend rows alone alert in every window at every size', () => {
    const reference = JSON.parse(readFileSync(join(dir, 'bundle', 'reference.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(dir, 'bundle', 'manifest.json'), 'utf8'));
    const order: string[] = manifest.features.order;
    const sample: number[][] = JSON.parse(readFileSync(join(dir, 'artifacts', 'reference_sample.json'), 'utf8'));
    expect(sample).toHaveLength(reference.rows);
    const w = order.length;
    const rows = new Float32Array(sample.length * w);
    sample.forEach((r, i) => { expect(r).toHaveLength(w); rows.set(r, i * w); });
    const all: Stream = { rows, scores: new Float64Array(sample.length), w };
    const weekendCol = order.indexOf('weekend');
    const weekend: number[] = [];
    for (let i = 0; i < sample.length; i++) if (rows[i * w + weekendCol] === 1) weekend.push(i);
    expect(weekend.length).toBeGreaterThan(300);
    const source: MonitorReferenceSource = { reference, featureNames: order, model: 'fdh-fraud' };
    const lines: string[] = [];
    for (const size of SIZES) {
      const quiet = resampled(source, all, sample.length, size, 2000 + size);
      expect(quiet).toHaveLength(WINDOWS);
      const r = createSeededRandom(3000 + size);
      const shifted = windows(source, all, size, size * 20, () => weekend[r.nextInt(weekend.length)]);
      lines.push(`n=${size}: resampled ${alerted(quiet)}/${WINDOWS} windows alerted; smallest adjusted p ${minAdjusted(quiet).toExponential(2)}; weekend-only ${alerted(shifted)}/${shifted.length}`);
      expect(alerted(quiet) / WINDOWS).toBeLessThanOrEqual(0.01);
      expect(alerted(shifted)).toBe(shifted.length);
      for (const x of shifted) expect(x.alerts.some((a) => a.feature === 'weekend' || a.feature === 'day_of_week')).toBe(true);
    }
    // eslint-disable-next-line no-console
    console.log(`FDH fraud features (${sample.length} reference rows, ${w} features):\n  ${lines.join('\n  ')}`);
  });
});
