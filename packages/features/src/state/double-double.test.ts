/**
 * The double-double helpers against exact arithmetic: values are multiples of 2^-10, so
 * every sum and square is an exact BigInt once scaled by 2^20.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seeded-random';
import { ddAdd, ddAddMoments, ddAddSquare, ddDifference, ddPlus, ddStdInto, sumSquaredDeviations } from './double-double';

/** The exact value of a double-double (hi, lo) scaled by 2^20 (both parts are multiples of 2^-20 here). */
const exact = (hi: number, lo: number): bigint => BigInt(hi * 2 ** 20) + BigInt(lo * 2 ** 20);

describe('double-double helpers', () => {
  it('keep running Σx and Σx² exact, and a window is the difference of two prefixes', () => {
    const r = rng(7);
    const xs = Array.from({ length: 5000 }, () => Math.round((r() - 0.3) * 2 ** 40) / 2 ** 10); // up to ~7e8, 10 fractional bits
    const pre = new Float64Array(4 * (xs.length + 1)); // per i: Σ and Σx² of xs[0..i)
    const run = new Float64Array(4);
    for (let i = 0; i < xs.length; i++) {
      pre.set(run, 4 * i);
      ddAddMoments(run, 0, Float64Array.of(xs[i]), 0);
    }
    pre.set(run, 4 * xs.length);
    // ddAddMoments is ddAdd then ddAddSquare.
    const two = new Float64Array(4);
    for (const x of xs) { ddAdd(two, 0, x); ddAddSquare(two, 2, x); }
    expect(Array.from(two)).toEqual(Array.from(run));
    const w = new Float64Array(4);
    for (let k = 0; k < 200; k++) {
      const a = Math.floor(r() * xs.length), b = a + Math.floor(r() * (xs.length - a + 1));
      ddDifference(pre, 4 * b, pre, 4 * a, w, 0);
      ddDifference(pre, 4 * b + 2, pre, 4 * a + 2, w, 2);
      let s = 0n, q = 0n;
      for (let i = a; i < b; i++) { const v = BigInt(xs[i] * 2 ** 10); s += v; q += v * v; }
      expect(exact(w[0], w[1])).toBe(s * 2n ** 10n); // Σx scaled by 2^20
      // Σx² has 20 fractional bits: compare scaled by 2^20 as well.
      expect(BigInt(w[2] * 2 ** 20) + BigInt(w[3] * 2 ** 20)).toBe(q);
      // hi is the float64 nearest the pair.
      expect(w[0]).toBe(Number(s) / 2 ** 10);
    }
  });

  it('ddDifference may write over its inputs', () => {
    const a = Float64Array.of(1e16, 1, 3, 0);
    ddDifference(a, 0, a, 2, a, 0);
    expect(exact(a[0], a[1])).toBe((10n ** 16n + 1n - 3n) * 2n ** 20n);
  });

  it('ddStdInto: the std of the values merged in, 0 for equal values, as sqrt(M2 / (n - ddof))', () => {
    const acc = new Float64Array(4);
    const vals = [3.25, 5.5, 7.75, 1.125];
    for (const v of vals) ddAddMoments(acc, 0, Float64Array.of(v), 0);
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    const m2 = vals.reduce((s, v) => s + (v - mean) ** 2, 0);
    const out = new Float64Array(2);
    ddStdInto(acc, 0, vals.length, 1, out, 0);
    ddStdInto(acc, 0, vals.length, 0, out, 1);
    expect(out[0]).toBe(Math.sqrt(m2 / 3));
    expect(out[1]).toBe(Math.sqrt(m2 / 4));
    expect(out[0]).toBe(Math.sqrt(sumSquaredDeviations(acc[0], acc[1], acc[2], acc[3], 4) / 3));
    // Equal values: exactly 0 when their squares sum exactly in 106 bits (1.375 has 4
    // significant bits); 0.1 has 53, so 1000 of its squares need ~116 bits and M2 is left
    // at ~1e-30 of Σx² (the documented bound), a std of ~1e-16.
    const same = new Float64Array(4);
    for (let i = 0; i < 1000; i++) ddAddMoments(same, 0, Float64Array.of(1.375), 0);
    ddStdInto(same, 0, 1000, 1, out, 0);
    expect(out[0]).toBe(0);
    const tenth = new Float64Array(4);
    for (let i = 0; i < 1000; i++) ddAddMoments(tenth, 0, Float64Array.of(0.1), 0);
    ddStdInto(tenth, 0, 1000, 1, out, 0);
    expect(out[0]).toBeLessThan(1e-15);
    expect(ddPlus(acc[0], acc[1], 0.5)).toBe(3.25 + 5.5 + 7.75 + 1.125 + 0.5);
  });
});
