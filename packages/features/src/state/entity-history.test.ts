/**
 * The incremental window state of `EntityHistory` against brute force on its edges: the
 * window boundary, ties, truncation at maxEventsPerEntity (truncated events must leave
 * sums, deques and distinct counts), outcomes recorded (and overwritten) while an event is
 * inside a running label window, peeks at later times, renumbering (`rebase`), distinct
 * tables that grow and rebuild, and drift of the running sums.
 */
import { describe, expect, it } from 'vitest';
import { compileFeatureSpec, type FeatureSpecInput } from '../index';
import type { EntityHistory } from './entity-history';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGGS = ['count', 'sum', 'mean', 'std', 'min', 'max', 'distinct_count'] as const;

function spec(windows: number[], maxEventsPerEntity = 4096): FeatureSpecInput {
  const features: FeatureSpecInput['features'] = [];
  for (const w of windows) {
    for (const inc of [true, false]) {
      for (const a of AGGS) {
        features.push({
          name: `${a}_${w}_${inc ? 'in' : 'ex'}`, kind: 'window', entity: 'card', aggregate: a, window: w, includeCurrent: inc,
          field: a === 'count' ? undefined : a === 'distinct_count' ? 'shop' : 'amount', empty: -7,
        });
      }
    }
  }
  for (const a of ['count', 'known_count', 'positive_count'] as const) {
    features.push({ name: `lab_${a}`, kind: 'label_window', entity: 'card', aggregate: a, window: windows[windows.length - 1], delay: 30 });
  }
  return {
    specVersion: 1, name: 'edges',
    event: {
      fields: [{ name: 'id', type: 'number', integer: true }, { name: 'card', type: 'string' }, { name: 'shop', type: 'number' }, { name: 'amount', type: 'number' }],
      timestamp: { field: 'ts', format: 'epoch_seconds' },
      idField: 'id',
      label: { field: 'y', availableAfter: 30 },
    },
    entities: [{ name: 'card', key: ['card'] }],
    features,
    state: { maxEventsPerEntity },
  };
}

interface Ev { id: number; card: string; shop: number; amount: number; ts: number }

/** Brute force over `kept`, the earlier events the state may still hold. */
function brute(name: string, ev: Ev, kept: Ev[]): number {
  const m = /^(\w+?)_(\d+)_(in|ex)$/.exec(name);
  if (m) {
    const [, agg, ws, inc] = m;
    const w = Number(ws);
    const inWin = kept.filter((e) => e.ts > ev.ts - w && e.ts <= ev.ts);
    if (inc === 'in') inWin.push(ev);
    const xs = inWin.map((e) => e.amount);
    const n = xs.length;
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    switch (agg) {
      case 'count': return n;
      case 'sum': return xs.reduce((s, x) => s + x, 0);
      case 'mean': return n ? mean : -7;
      case 'std': return n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : -7;
      case 'min': return n ? Math.min(...xs) : -7;
      case 'max': return n ? Math.max(...xs) : -7;
      case 'distinct_count': return new Set(inWin.map((e) => e.shop)).size;
    }
  }
  return NaN;
}

function labelBrute(agg: string, ev: Ev, kept: Ev[], labels: Map<number, number>, w: number): number {
  const inWin = kept.filter((e) => e.ts <= ev.ts - 30 && e.ts > ev.ts - 30 - w);
  const known = inWin.filter((e) => labels.has(e.id));
  if (agg === 'count') return inWin.length;
  if (agg === 'known_count') return known.length;
  return known.filter((e) => labels.get(e.id)! > 0).length;
}

function check(out: Float64Array, names: readonly string[], ev: Ev, kept: Ev[], labels: Map<number, number>, w: number, where: string): void {
  names.forEach((n, k) => {
    const want = n.startsWith('lab_') ? labelBrute(n.slice(4), ev, kept, labels, w) : brute(n, ev, kept);
    if (!(Math.abs(out[k] - want) <= 1e-9 * Math.max(1, Math.abs(want)))) {
      throw new Error(`${where} feature ${n}: got ${out[k]}, brute force ${want}`);
    }
  });
}

describe('incremental window state', () => {
  it('drops an event exactly at t - w and keeps one just inside; ties at one time are all in', () => {
    const ev = compileFeatureSpec(spec([60]));
    const out = new Float64Array(ev.size);
    const n = ev.featureNames.indexOf('count_60_ex');
    const mx = ev.featureNames.indexOf('max_60_ex');
    ev.computeInto({ id: 1, card: 'a', shop: 1, amount: 9, ts: 0 }, out);
    ev.computeInto({ id: 2, card: 'a', shop: 1, amount: 2, ts: 0.5 }, out);
    ev.peekInto({ id: 3, card: 'a', shop: 1, amount: 1, ts: 59.999 }, out);
    expect([out[n], out[mx]]).toEqual([2, 9]);
    ev.computeInto({ id: 3, card: 'a', shop: 1, amount: 1, ts: 60 }, out); // (0, 60]: the event at 0 is out
    expect([out[n], out[mx]]).toEqual([1, 2]);
    ev.computeInto({ id: 4, card: 'a', shop: 1, amount: 1, ts: 60 }, out); // a tie: the earlier one is in
    expect([out[n], out[mx]]).toEqual([2, 2]);
    ev.computeInto({ id: 5, card: 'a', shop: 1, amount: 1, ts: 120.5 }, out); // (60.5, 120.5]: both ties out
    expect([out[n], out[mx]]).toEqual([0, -7]);
  });

  it('matches brute force with truncation, many distinct values, peeks, outcome overwrites and renumbering', () => {
    for (const [seed, maxEvents] of [[1, 16], [2, 64], [3, 4096]]) {
      const r = rng(seed);
      const windows = [20, 200, 2000];
      const ev = compileFeatureSpec(spec(windows, maxEvents));
      const out = new Float64Array(ev.size);
      const peekOut = new Float64Array(ev.size);
      const all: Ev[] = [];
      const labels = new Map<number, number>();
      let ts = 1000;
      for (let i = 0; i < 1200; i++) {
        ts += r() < 0.25 ? 0 : Math.floor(r() * 15);
        // Amounts of very different sizes (drift) and 300 shop ids (distinct tables grow and rebuild).
        const e: Ev = { id: i, card: 'c', shop: Math.floor(r() * 300) - 100.5 * (i % 2), amount: r() < 0.1 ? 1e6 + r() : Math.round(r() * 1000) / 100, ts };
        // Outcomes, some overwritten, for events that may sit inside the running label window.
        for (let k = 0; k < 3 && all.length > 0; k++) {
          const o = all[Math.floor(r() * all.length)];
          const y = r() < 0.5 ? 1 : 0;
          if (ev.recordOutcome({ id: o.id, card: o.card, ts: o.ts }, y) === 1) labels.set(o.id, y);
        }
        // A peek later than the next event must not move the state.
        if (r() < 0.2) ev.peekInto({ ...e, ts: ts + Math.floor(r() * 3000) }, peekOut);
        if (i % 97 === 0) (ev.store.peek(0, 'c') as EntityHistory | undefined)?.rebase();
        ev.computeInto(e, out);
        const kept = all.slice(Math.max(0, all.length - maxEvents));
        check(out, ev.featureNames, e, kept, labels, windows[2], `seed ${seed} event ${i}`);
        all.push(e);
      }
      const h = ev.store.peek(0, 'c') as EntityHistory;
      expect(h.truncated > 0).toBe(maxEvents < 100);
    }
  });

  it('an outcome recorded for an event inside a running label window updates it at once', () => {
    const ev = compileFeatureSpec(spec([100]));
    const out = new Float64Array(ev.size);
    const [cnt, known, pos] = ['lab_count', 'lab_known_count', 'lab_positive_count'].map((n) => ev.featureNames.indexOf(n));
    ev.computeInto({ id: 1, card: 'a', shop: 1, amount: 1, ts: 0 }, out);
    ev.computeInto({ id: 2, card: 'a', shop: 1, amount: 1, ts: 40 }, out); // (−90, 10]: event 1 enters
    expect([out[cnt], out[known], out[pos]]).toEqual([1, 0, 0]);
    expect(ev.recordOutcome({ id: 1, card: 'a', ts: 0 }, 1)).toBe(1);
    ev.computeInto({ id: 3, card: 'a', shop: 1, amount: 1, ts: 41 }, out);
    expect([out[cnt], out[known], out[pos]]).toEqual([1, 1, 1]);
    expect(ev.recordOutcome({ id: 1, card: 'a', ts: 0 }, 0)).toBe(1); // overwritten
    ev.computeInto({ id: 4, card: 'a', shop: 1, amount: 1, ts: 42 }, out);
    expect([out[cnt], out[known], out[pos]]).toEqual([1, 1, 0]);
    ev.computeInto({ id: 5, card: 'a', shop: 1, amount: 1, ts: 131 }, out); // (1, 101]: event 1 left, 2–4 entered
    expect([out[cnt], out[known], out[pos]]).toEqual([3, 0, 0]);
  });

  it('keeps an equal-valued window at a variance of exactly 0 after many values entered and left', () => {
    const ev = compileFeatureSpec(spec([10]));
    const out = new Float64Array(ev.size);
    const std = ev.featureNames.indexOf('std_10_in');
    const sum = ev.featureNames.indexOf('sum_10_ex');
    const r = rng(9);
    let ts = 0;
    for (let i = 0; i < 20_000; i++) ev.computeInto({ id: i, card: 'a', shop: 1, amount: r() * 1e9, ts: ts++ }, out);
    ts += 100;
    ev.computeInto({ id: -1, card: 'a', shop: 1, amount: 0.1, ts }, out);
    ev.computeInto({ id: -2, card: 'a', shop: 1, amount: 0.1, ts }, out);
    expect(out[std]).toBe(0);
    expect(out[sum]).toBe(0.1);
  });
});
