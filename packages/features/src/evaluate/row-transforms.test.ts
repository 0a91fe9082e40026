/**
 * Row transforms against independent definitions: Math/Date built-ins for time parts,
 * the spherical law of cosines for distances, explicit loops for bucketize (numpy
 * `digitize(x, bins, right=False)`), and the encodings' tables.
 */
import { describe, expect, it } from 'vitest';
import { compileFeatureSpec, type FeatureSpecInput } from '../index';

function spec(): FeatureSpecInput {
  return {
    specVersion: 1, name: 'rows',
    event: {
      fields: [
        { name: 'x', type: 'number' },
        { name: 'y', type: 'number' },
        { name: 'lat1', type: 'number' }, { name: 'lon1', type: 'number' },
        { name: 'lat2', type: 'number' }, { name: 'lon2', type: 'number' },
        { name: 'mcc', type: 'category', values: ['grocery', 'travel', 'games'] },
        { name: 'merchant', type: 'string' },
      ],
      timestamp: { field: 'ts', format: 'epoch_millis', utcOffsetMinutes: 60 },
    },
    features: [
      { name: 'x', kind: 'field', field: 'x' },
      { name: 'y', kind: 'field', field: 'y', emit: false },
      { name: 'log1p_x', kind: 'log1p', input: 'x' },
      { name: 'clip_x', kind: 'clip', input: 'x', min: -2, max: 5 },
      { name: 'x_over_y', kind: 'ratio', numerator: 'x', denominator: 'y', onZero: -9 },
      { name: 'x_minus_y', kind: 'difference', a: 'x', b: 'y' },
      { name: 'z_x', kind: 'zscore', input: 'x', mean: 1.5, std: 2 },
      { name: 'bucket_x', kind: 'bucketize', input: 'x', boundaries: [-1, 0, 2.5, 10] },
      { name: 'hour', kind: 'time_part', part: 'hour' },
      { name: 'dow', kind: 'time_part', part: 'day_of_week' },
      { name: 'weekend', kind: 'time_part', part: 'weekend' },
      { name: 'night', kind: 'time_part', part: 'night', nightFrom: 22, nightTo: 5 },
      { name: 'dist', kind: 'haversine', lat1: 'lat1', lon1: 'lon1', lat2: 'lat2', lon2: 'lon2' },
      { name: 'is_travel', kind: 'one_hot', field: 'mcc', value: 'travel' },
      { name: 'mcc_ord', kind: 'ordinal', field: 'mcc', order: ['games', 'grocery'], unknownValue: -1 },
      { name: 'mcc_freq', kind: 'frequency_encoding', field: 'mcc', table: { grocery: 0.7, travel: 0.2 }, unknownValue: 0.01 },
      { name: 'merchant_te', kind: 'target_encoding', field: 'merchant', table: { acme: 0.03 }, unknownValue: 0.005 },
      { name: 'is_acme', kind: 'one_hot', field: 'merchant', value: 'acme' },
    ],
  };
}

const RAD = Math.PI / 180;
function cosineLawKm(a: number, b: number, c: number, d: number): number {
  const v = Math.sin(a * RAD) * Math.sin(c * RAD) + Math.cos(a * RAD) * Math.cos(c * RAD) * Math.cos((d - b) * RAD);
  return 6371.0088 * Math.acos(Math.min(1, v));
}
function digitize(x: number, bins: number[]): number {
  let k = 0;
  for (const b of bins) if (b <= x) k++;
  return k;
}

describe('row transforms', () => {
  it('match their definitions on random inputs', () => {
    const ev = compileFeatureSpec(spec());
    expect(ev.featureNames).not.toContain('y');
    const out = new Float64Array(ev.size);
    const col = (n: string): number => out[ev.featureNames.indexOf(n)];
    let seed = 1;
    const r = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 2000; i++) {
      const x = i % 50 === 0 ? 2.5 : (r() - 0.3) * 20;
      const y = i % 7 === 0 ? 0 : (r() - 0.5) * 10;
      const ms = Math.floor(1.5e12 + r() * 3e10);
      const p = { lat1: r() * 160 - 80, lon1: r() * 360 - 180, lat2: r() * 160 - 80, lon2: r() * 360 - 180 };
      const mcc = ['grocery', 'travel', 'games'][i % 3];
      const merchant = i % 4 === 0 ? 'acme' : `m${i}`;
      ev.computeInto({ x, y, ...p, mcc, merchant, ts: ms }, out);
      expect(col('x')).toBe(x);
      expect(col('log1p_x')).toBe(Math.log1p(x));
      expect(col('clip_x')).toBe(Math.min(5, Math.max(-2, x)));
      expect(col('x_over_y')).toBe(y === 0 ? -9 : x / y);
      expect(col('x_minus_y')).toBe(x - y);
      expect(col('z_x')).toBe((x - 1.5) / 2);
      expect(col('bucket_x')).toBe(digitize(x, [-1, 0, 2.5, 10]));
      const local = new Date(ms + 60 * 60_000);
      const hour = local.getUTCHours();
      expect(col('hour')).toBe(hour);
      expect(col('dow')).toBe((local.getUTCDay() + 6) % 7);
      expect(col('weekend')).toBe(local.getUTCDay() === 0 || local.getUTCDay() === 6 ? 1 : 0);
      expect(col('night')).toBe(hour >= 22 || hour <= 5 ? 1 : 0);
      const want = cosineLawKm(p.lat1, p.lon1, p.lat2, p.lon2);
      expect(Math.abs(col('dist') - want)).toBeLessThan(1e-6 * Math.max(1, want));
      expect(col('is_travel')).toBe(mcc === 'travel' ? 1 : 0);
      expect(col('mcc_ord')).toBe(mcc === 'games' ? 0 : mcc === 'grocery' ? 1 : -1);
      expect(col('mcc_freq')).toBe(mcc === 'grocery' ? 0.7 : mcc === 'travel' ? 0.2 : 0.01);
      expect(col('merchant_te')).toBe(merchant === 'acme' ? 0.03 : 0.005);
      expect(col('is_acme')).toBe(merchant === 'acme' ? 1 : 0);
    }
  });

  it('write float32 with the float64 value rounded once, at an offset', () => {
    const ev = compileFeatureSpec(spec());
    const e = { x: 0.1, y: 3, lat1: 0, lon1: 0, lat2: 0, lon2: 1, mcc: 'games', merchant: 'z', ts: 1.5e12 };
    const d = new Float64Array(ev.size);
    const f = new Float32Array(ev.size + 3);
    ev.peekInto(e, d);
    ev.peekInto(e, f, 3);
    for (let k = 0; k < ev.size; k++) expect(f[k + 3]).toBe(Math.fround(d[k]));
    expect(f[0]).toBe(0);
  });

  it('report lineage: the raw fields each emitted feature derives from', () => {
    const ev = compileFeatureSpec(spec());
    const lin = (n: string): readonly string[] => ev.lineage[ev.featureNames.indexOf(n)];
    expect(lin('x_over_y')).toEqual(['x', 'y']);
    expect(lin('hour')).toEqual(['ts']);
    expect(lin('dist')).toEqual(['lat1', 'lat2', 'lon1', 'lon2']);
    expect(lin('merchant_te')).toEqual(['merchant']);
  });
});
