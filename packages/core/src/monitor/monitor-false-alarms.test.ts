// The monitor's false-alarm rate per window size, and its power on known shifts, on real
// data. A stream resampled from the reference rows has no shift by construction, so every
// alert on it is a false alarm; with the default false discovery rate (0.005), at most 1 %
// of windows may raise any alert, at every window size, over 500 windows each:
//   Taiwan credit default: clients under 30 as the reference (23 features and the score
//   of the bundle's XGBoost member); known shift: clients over 50.
//   Fraud Detection Handbook: the fraud bundle's 206 features on the 2,000 training rows
//   its reference profile was built from; known shift: the weekend rows alone.
// The per-size rates and the power are printed (docs/monitoring.md keeps the table).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSeededRandom } from '@riskscore/explain';
import { describe, expect, it } from 'vitest';
import { missingDataReason, REPO_ROOT, sharedDataPath } from '../../../../testing/shared-data';
import { loadBundle } from '../bundle/load-bundle';
import { sigmoid } from '../trees/tree-ensemble';
import { createMonitor, type MonitorReferenceSource } from './create-monitor';
import type { WindowReport } from './monitor-alert';
import { categoricalFeaturesOf, referenceProfileFromRows } from './reference-from-rows';

const TAIWAN = 'taiwan-credit-default/default_of_credit_card_clients.csv';
const taiwanPath = sharedDataPath(TAIWAN);
const SIZES = [200, 400, 1000] as const;
const WINDOWS = 500;

/** Rows (float32, `w` wide) with their scores; `pick(k)` is the row of the k-th event. */
interface Stream { rows: Float32Array; scores: Float64Array; w: number }

/** Tumbling windows of `size` over `events` events drawn by `pick`; the reports. */
function windows(source: Parameters<typeof createMonitor>[0], s: Stream, size: number, events: number, pick: (k: number) => number): WindowReport[] {
  const reports: WindowReport[] = [];
  const m = createMonitor(source, { window: { events: size }, onWindow: (r) => reports.push(r) });
  for (let k = 0; k < events; k++) {
    const i = pick(k);
    m.observe(s.rows, i * s.w, s.scores[i], 100, 'approve');
  }
  return reports;
}

const resampled = (source: Parameters<typeof createMonitor>[0], s: Stream, n: number, size: number, seed: number) => {
  const r = createSeededRandom(seed);
  return windows(source, s, size, size * WINDOWS, () => r.nextInt(n));
};

const alerted = (reports: readonly WindowReport[]) => reports.filter((x) => x.alerts.length > 0).length;

/** How close the windows came to an alert: the smallest adjusted p-value of any test. */
const minAdjusted = (reports: readonly WindowReport[]) => Math.min(...reports.flatMap((x) => x.significance!.tests.map((t) => t.adjustedPValue)));

async function taiwan() {
  const dir = join(REPO_ROOT, 'examples', 'taiwan-credit', 'bundle');
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) files[f] = new Uint8Array(readFileSync(join(dir, f)));
  const bundle = await loadBundle(files);
  const order = bundle.manifest.features.order;
  const lines = readFileSync(taiwanPath!, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const idx = order.map((f) => header.indexOf(f));
  const w = order.length, n = lines.length - 1;
  const all = new Float32Array(n * w);
  for (let r = 1; r < lines.length; r++) {
    const c = lines[r].split(',');
    for (let j = 0; j < w; j++) all[(r - 1) * w + j] = Number(c[idx[j]]);
  }
  const margins = new Float64Array(n);
  bundle.members.find((m) => m.spec.kind === 'trees')!.trees!.predictMargins(all, n, margins);
  const age = order.indexOf('AGE');
  const pick = (keep: (a: number) => boolean): Stream & { n: number } => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (keep(all[i * w + age])) rows.push(i);
    const m = new Float32Array(rows.length * w), s = new Float64Array(rows.length);
    rows.forEach((r, k) => { m.set(all.subarray(r * w, (r + 1) * w), k * w); s[k] = sigmoid(margins[r]); });
    return { rows: m, scores: s, w, n: rows.length };
  };
  const young = pick((a) => a < 30), old = pick((a) => a > 50);
  const reference = referenceProfileFromRows(young.rows, order, { categorical: categoricalFeaturesOf(bundle.manifest), scores: young.scores });
  return { bundle, reference, young, old };
}

describe('monitor false alarms per window size: Taiwan credit (24 tests per window)', () => {
  it.skipIf(!taiwanPath)(`500 resampled windows at 200, 400 and 1000 rows: ≤ 1 % raise any alert; the over-50 clients alert in every window at every size ${taiwanPath ? '' : missingDataReason(TAIWAN)}`, async () => {
    const { bundle, reference, young, old } = await taiwan();
    const lines: string[] = [];
    for (const size of SIZES) {
      const quiet = resampled(sourceOf(bundle, reference), young, young.n, size, 1000 + size);
      expect(quiet).toHaveLength(WINDOWS);
      const shifted = windows(sourceOf(bundle, reference), old, size, Math.floor(old.n / size) * size, (k) => k);
      expect(shifted.length).toBeGreaterThanOrEqual(2);
      // Without the test (falseDiscoveryRate: null), the fixed thresholds alone, for comparison.
      const fixed = (() => {
        const reports: WindowReport[] = [];
        const r = createSeededRandom(1000 + size);
        const m = createMonitor(sourceOf(bundle, reference), { window: { events: size }, falseDiscoveryRate: null, onWindow: (x) => reports.push(x) });
        for (let k = 0; k < size * WINDOWS; k++) { const i = r.nextInt(young.n); m.observe(young.rows, i * young.w, young.scores[i], 100, 'approve'); }
        return reports;
      })();
      lines.push(`n=${size}: resampled ${alerted(quiet)}/${WINDOWS} windows alerted (fixed thresholds alone: ${alerted(fixed)}/${WINDOWS}); smallest adjusted p ${minAdjusted(quiet).toExponential(2)}; over-50 ${alerted(shifted)}/${shifted.length}`);
      expect(alerted(quiet) / WINDOWS).toBeLessThanOrEqual(0.01);
      expect(alerted(shifted)).toBe(shifted.length);
      for (const r of shifted) expect(r.alerts.some((a) => a.feature === 'AGE')).toBe(true);
    }
    // eslint-disable-next-line no-console
    console.log(`Taiwan under-30 reference (${young.n} rows):\n  ${lines.join('\n  ')}`);
  });
});

function sourceOf(bundle: Awaited<ReturnType<typeof loadBundle>>, reference: unknown): Parameters<typeof createMonitor>[0] {
  return { reference, featureNames: bundle.manifest.features.order, model: bundle.id };
}

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
