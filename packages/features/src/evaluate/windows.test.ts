/**
 * Entity windows and label-delayed windows against brute-force definitions: for every
 * event, filter the earlier events of its entity by time and recompute each aggregate from
 * scratch (two-pass variance), independent of the evaluator's one-scan accumulators.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seeded-random';
import { compileFeatureSpec, type FeatureSpecInput } from '../index';

interface Ev { id: number; card: string; shop: number; amount: number; ts: number; label: number; knownAt: number }

const WINDOWS = [60, 600, 3600];
const AGGS = ['count', 'sum', 'mean', 'std', 'min', 'max', 'distinct_count'] as const;

function spec(): FeatureSpecInput {
  const features: FeatureSpecInput['features'] = [];
  for (const w of WINDOWS) {
    for (const inc of [true, false]) {
      for (const a of AGGS) {
        features.push({
          name: `card_${a}_${w}_${inc ? 'in' : 'ex'}`, kind: 'window', entity: 'card', aggregate: a, window: w,
          includeCurrent: inc, field: a === 'count' ? undefined : a === 'distinct_count' ? 'shop' : 'amount', empty: -7,
        });
      }
      features.push({ name: `card_std0_${w}_${inc ? 'in' : 'ex'}`, kind: 'window', entity: 'card', aggregate: 'std', field: 'amount', window: w, includeCurrent: inc, ddof: 0, empty: -7 });
    }
    features.push({ name: `pair_count_${w}`, kind: 'window', entity: 'card_shop', aggregate: 'count', window: w, includeCurrent: false });
  }
  features.push({ name: 'card_since_last', kind: 'time_since_last', entity: 'card', missing: -1 });
  for (const [d, w] of [[300, 600], [0, 1800], [900, 3600]]) {
    for (const a of ['count', 'known_count', 'positive_count', 'rate'] as const) {
      features.push({ name: `shop_lab_${a}_${d}_${w}`, kind: 'label_window', entity: 'shop', aggregate: a, window: w, delay: d });
    }
  }
  return {
    specVersion: 1, name: 'brute',
    event: {
      fields: [
        { name: 'id', type: 'number', integer: true },
        { name: 'card', type: 'string' },
        { name: 'shop', type: 'number', integer: true },
        { name: 'amount', type: 'number', min: 0 },
      ],
      timestamp: { field: 'ts', format: 'epoch_seconds' },
      idField: 'id',
      label: { field: 'y', availableAfter: 600 },
    },
    entities: [
      { name: 'card', key: ['card'] },
      { name: 'shop', key: ['shop'] },
      { name: 'card_shop', key: ['card', 'shop'] },
    ],
    features,
  };
}

function brute(name: string, ev: Ev, prior: Ev[], now: number): number {
  const m = /^card_(\w+?)_(\d+)_(in|ex)$/.exec(name);
  if (m) {
    const [, agg, ws, inc] = m;
    const w = Number(ws);
    const inWin = prior.filter((e) => e.card === ev.card && e.ts > ev.ts - w && e.ts <= ev.ts);
    if (inc === 'in') inWin.push(ev);
    const xs = inWin.map((e) => e.amount);
    const n = xs.length;
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
    switch (agg) {
      case 'count': return n;
      case 'sum': return xs.reduce((s, x) => s + x, 0);
      case 'mean': return n ? mean : -7;
      case 'std': return n > 1 ? Math.sqrt(ss / (n - 1)) : -7;
      case 'std0': return n > 0 ? Math.sqrt(ss / n) : -7;
      case 'min': return n ? Math.min(...xs) : -7;
      case 'max': return n ? Math.max(...xs) : -7;
      case 'distinct_count': return new Set(inWin.map((e) => e.shop)).size;
    }
  }
  const p = /^pair_count_(\d+)$/.exec(name);
  if (p) return prior.filter((e) => e.card === ev.card && e.shop === ev.shop && e.ts > ev.ts - Number(p[1])).length;
  if (name === 'card_since_last') {
    const last = prior.filter((e) => e.card === ev.card).at(-1);
    return last ? ev.ts - last.ts : -1;
  }
  const l = /^shop_lab_(\w+)_(\d+)_(\d+)$/.exec(name);
  if (l) {
    const [, agg, ds, ws] = l;
    const d = Number(ds);
    const w = Number(ws);
    const inWin = prior.filter((e) => e.shop === ev.shop && e.ts <= ev.ts - d && e.ts > ev.ts - d - w);
    const known = inWin.filter((e) => e.knownAt <= now);
    const pos = known.filter((e) => e.label > 0).length;
    switch (agg) {
      case 'count': return inWin.length;
      case 'known_count': return known.length;
      case 'positive_count': return pos;
      case 'rate': return inWin.length ? pos / inWin.length : 0;
    }
  }
  throw new Error(`no brute force for ${name}`);
}

describe('entity windows', () => {
  it('match brute-force aggregates on a random stream, with outcomes recorded late', () => {
    const r = rng(7);
    const events: Ev[] = [];
    let ts = 1_600_000_000;
    for (let i = 0; i < 1500; i++) {
      ts += r() < 0.2 ? 0 : Math.floor(r() * 40); // ties included
      events.push({
        id: i, card: `c${Math.floor(r() * 6)}`, shop: Math.floor(r() * 5), amount: Math.round(r() * 20000) / 100,
        ts, label: r() < 0.3 ? 1 : 0, knownAt: ts + 60 + Math.floor(r() * 2000),
      });
    }
    const ev = compileFeatureSpec(spec());
    const out = new Float64Array(ev.size);
    const recorded = new Set<number>();
    let checked = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      // Outcomes whose time has come, recorded through the public API (any order).
      for (let j = 0; j < i; j++) {
        const o = events[j];
        if (!recorded.has(j) && o.knownAt <= e.ts) {
          expect(ev.recordOutcome({ id: o.id, shop: o.shop, ts: o.ts }, o.label)).toBe(1);
          recorded.add(j);
        }
      }
      ev.computeInto({ id: e.id, card: e.card, shop: e.shop, amount: e.amount, ts: e.ts }, out);
      const prior = events.slice(0, i);
      ev.featureNames.forEach((n, k) => {
        const want = brute(n, e, prior, e.ts);
        if (Math.abs(out[k] - want) > 1e-9 * Math.max(1, Math.abs(want))) {
          throw new Error(`event ${i} feature ${n}: got ${out[k]}, brute force ${want}`);
        }
        checked++;
      });
    }
    expect(checked).toBe(events.length * ev.size);
    expect(ev.stats().committed).toBe(events.length);
  });

  it('a composite key keeps its parts apart and time since last survives a gap longer than every window', () => {
    const ev = compileFeatureSpec(spec());
    const out = new Float64Array(ev.size);
    const j = ev.featureNames.indexOf('pair_count_3600');
    const since = ev.featureNames.indexOf('card_since_last');
    ev.computeInto({ id: 1, card: 'a1', shop: 1, amount: 1, ts: 100 }, out);
    ev.computeInto({ id: 2, card: 'a', shop: 11, amount: 1, ts: 101 }, out); // "a"+"11" vs "a1"+"1"
    expect(out[j]).toBe(0);
    ev.computeInto({ id: 3, card: 'a', shop: 11, amount: 1, ts: 100_000 }, out);
    expect(out[since]).toBe(100_000 - 101);
  });

  it('a composite string key is the joined key in the store: found, sized and deleted by it', () => {
    const ev = compileFeatureSpec(spec());
    const out = new Float64Array(ev.size);
    const j = ev.featureNames.indexOf('pair_count_3600');
    const pairKind = 2;
    ev.computeInto({ id: 1, card: 'a', shop: 11, amount: 1, ts: 100 }, out);
    ev.computeInto({ id: 2, card: 'a', shop: 11, amount: 1, ts: 150 }, out);
    expect(out[j]).toBe(1);
    expect(ev.store.entityBytes(pairKind, 'a\u241f11')).toBeGreaterThan(0);
    expect(ev.store.entityBytes(pairKind, 'a\u241f1')).toBe(0);
    expect(ev.store.delete(pairKind, 'a\u241f11')).toBe(true);
    expect(ev.store.delete(pairKind, 'a\u241f11')).toBe(false);
    ev.computeInto({ id: 3, card: 'a', shop: 11, amount: 1, ts: 200 }, out);
    expect(out[j]).toBe(0); // the pair's history went with it
  });

  it('an entity with only time since last keeps no events and still knows its newest time', () => {
    // Such an entity has no ring lanes; compiling it once looped forever sizing ring pages.
    const ev = compileFeatureSpec({
      specVersion: 1, name: 'since-only',
      event: { fields: [{ name: 'card', type: 'number' }], timestamp: { field: 'ts', format: 'epoch_seconds' } },
      entities: [{ name: 'card', key: ['card'] }],
      features: [{ name: 'since', kind: 'time_since_last', entity: 'card', missing: -1 }],
    });
    const out = new Float64Array(1);
    const seen: number[] = [];
    for (const [card, ts] of [[1, 10], [2, 12], [1, 25], [1, 25], [2, 100]]) {
      ev.computeInto({ card, ts }, out);
      seen.push(out[0]);
    }
    expect(seen).toEqual([-1, -1, 15, 0, 88]);
    expect(ev.store.entityBytes(0, 1)).toBeGreaterThan(0);
  });

  it('bounds an entity history by maxEventsPerEntity', () => {
    const s = spec();
    s.state = { maxEventsPerEntity: 16 };
    const ev = compileFeatureSpec(s);
    const out = new Float64Array(ev.size);
    const j = ev.featureNames.indexOf('card_count_3600_ex');
    for (let i = 0; i < 100; i++) ev.computeInto({ id: i, card: 'x', shop: 1, amount: 1, ts: 1000 + i }, out);
    expect(out[j]).toBe(16); // only the 16 newest earlier events are kept (documented truncation)
  });
});

/** A random stream of events of 6 cards at 5 shops, with ties and late outcomes. */
function stream(seed: number, n: number): Ev[] {
  const r = rng(seed);
  const events: Ev[] = [];
  let ts = 1_600_000_000;
  for (let i = 0; i < n; i++) {
    ts += r() < 0.2 ? 0 : Math.floor(r() * 40);
    events.push({
      id: i, card: `c${Math.floor(r() * 6)}`, shop: Math.floor(r() * 5), amount: Math.round(r() * 20000) / 100,
      ts, label: r() < 0.3 ? 1 : 0, knownAt: ts + 60 + Math.floor(r() * 2000),
    });
  }
  return events;
}

/** The entity a feature of spec() reads, and how far back it looks (seconds). */
function featureEntity(name: string): { entity: 'card' | 'shop' | 'pair'; lookback: number } {
  const w = /_(\d+)(_(in|ex))?$/.exec(name);
  if (name.startsWith('pair_')) return { entity: 'pair', lookback: Number(w![1]) };
  if (name.startsWith('shop_lab_')) {
    const [, , d, win] = /^shop_lab_(\w+)_(\d+)_(\d+)$/.exec(name)!;
    return { entity: 'shop', lookback: Number(d) + Number(win) };
  }
  return { entity: 'card', lookback: name === 'card_since_last' ? Infinity : Number(/_(\d+)_(in|ex)$/.exec(name)![1]) };
}
const sameEntity = (entity: 'card' | 'shop' | 'pair', a: Ev, b: Ev): boolean =>
  entity === 'card' ? a.card === b.card : entity === 'shop' ? a.shop === b.shop : a.card === b.card && a.shop === b.shop;

describe('entity windows at the edges of the state', () => {
  it('at maxEventsPerEntity, every window and label window covers only the newest events an entity holds', () => {
    // Brute force over the N newest earlier events of each entity, the documented truncation.
    const N = 6;
    const s = spec();
    s.state = { maxEventsPerEntity: N };
    const ev = compileFeatureSpec(s);
    const out = new Float64Array(ev.size);
    const events = stream(21, 800);
    const recorded = new Set<number>();
    let checked = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const held = (entity: 'card' | 'shop' | 'pair', x: Ev, upTo: number): Ev[] =>
        events.slice(0, upTo).filter((p) => sameEntity(entity, p, x)).slice(-N);
      for (let j = 0; j < i; j++) {
        const o = events[j];
        if (recorded.has(j) || o.knownAt > e.ts) continue;
        // Found (1) only while the event is still among its shop's N newest.
        const expected = held('shop', o, i).some((p) => p.id === o.id) ? 1 : 0;
        expect(ev.recordOutcome({ id: o.id, shop: o.shop, ts: o.ts }, o.label), `outcome of event ${j}`).toBe(expected);
        recorded.add(j);
      }
      ev.computeInto({ id: e.id, card: e.card, shop: e.shop, amount: e.amount, ts: e.ts }, out);
      ev.featureNames.forEach((name, k) => {
        const prior = held(featureEntity(name).entity, e, i).filter((p) => recorded.has(p.id) || p.knownAt > e.ts);
        // An outcome counts once recorded; events whose outcome was recorded while truncated away are not held anyway.
        const want = brute(name, e, prior.map((p) => (recorded.has(p.id) ? p : { ...p, knownAt: Infinity })), e.ts);
        if (Math.abs(out[k] - want) > 1e-9 * Math.max(1, Math.abs(want))) throw new Error(`event ${i} feature ${name}: got ${out[k]}, brute force ${want}`);
        checked++;
      });
    }
    expect(checked).toBe(events.length * ev.size);
  });

  it('a late event under score_only sees the events at or before its time, and changes nothing', () => {
    const s = spec();
    s.state = { lateEvents: 'score_only' };
    const ev = compileFeatureSpec(s);
    const out = new Float64Array(ev.size);
    const r = rng(5);
    const events = stream(13, 1500);
    const committed: Ev[] = [];
    const recorded = new Set<number>();
    const horizon = { card: 3600, shop: 4500, pair: 3600 }; // each entity's longest lookback
    let clock = -Infinity;
    let lateChecked = 0;
    let skipped = 0;
    for (let i = 0; i < events.length; i++) {
      // One event in ten goes late: up to 20 s before the newest event of its card.
      let e = events[i];
      const newestCard = committed.filter((p) => p.card === e.card).at(-1);
      const late = newestCard !== undefined && r() < 0.1;
      if (late) e = { ...e, ts: newestCard!.ts - 1 - Math.floor(r() * 20) };
      clock = Math.max(clock, e.ts);
      for (const o of committed) {
        if (!recorded.has(o.id) && o.knownAt <= clock) { ev.recordOutcome({ id: o.id, shop: o.shop, ts: o.ts }, o.label); recorded.add(o.id); }
      }
      const before = ev.stats();
      ev.computeInto({ id: e.id, card: e.card, shop: e.shop, amount: e.amount, ts: e.ts }, out);
      const isLate = ev.stats().scoredOnly > before.scoredOnly;
      const prior = committed.filter((p) => p.ts <= e.ts).map((p) => (recorded.has(p.id) ? p : { ...p, knownAt: Infinity }));
      ev.featureNames.forEach((name, k) => {
        const { entity, lookback } = featureEntity(name);
        const newest = committed.filter((p) => sameEntity(entity, p, e)).at(-1)?.ts ?? -Infinity;
        // The ring keeps what the entity's windows needed at its newest event: an earlier
        // event still inside this late event's window may have left it (documented).
        if (newest > e.ts && committed.some((p) => sameEntity(entity, p, e) && p.ts > e.ts - lookback && p.ts <= newest - horizon[entity])) { skipped++; return; }
        const want = brute(name, e, prior, clock);
        if (Math.abs(out[k] - want) > 1e-9 * Math.max(1, Math.abs(want))) throw new Error(`event ${i}${isLate ? ' (late)' : ''} feature ${name}: got ${out[k]}, brute force ${want}`);
        if (isLate) lateChecked++;
      });
      if (!isLate) committed.push(e);
      else expect(late).toBe(true);
    }
    expect(lateChecked).toBeGreaterThan(100 * ev.size);
    expect(skipped).toBeLessThan(lateChecked / 10); // most late features are checked
    expect(ev.stats().committed).toBe(committed.length);
  });
});

describe('composite keys of two integer fields', () => {
  it('count each (card, shop) pair apart, (a, b) ≠ (b, a), ids past 2^26 and negative ids included', () => {
    // Pairs of small non-negative integers are keyed by one number, the rest by a joined
    // string; both must count exactly what a brute force over the pairs counts.
    const s = compileFeatureSpec({
      specVersion: 1, name: 'pairs',
      event: {
        fields: [{ name: 'c', type: 'number', integer: true }, { name: 's', type: 'number', integer: true }],
        timestamp: { field: 'ts', format: 'epoch_seconds' },
      },
      entities: [{ name: 'pair', key: ['c', 's'] }],
      features: [{ name: 'n', kind: 'window', entity: 'pair', aggregate: 'count', window: 3600, includeCurrent: false }],
    });
    const ids = [0, 1, 2, 2 ** 26 - 1, 2 ** 26, 2 ** 26 + 1, -1];
    const r = rng(11);
    const seen: Array<{ c: number; s: number; ts: number }> = [];
    const out = new Float64Array(1);
    let ts = 1_000_000;
    for (let i = 0; i < 2000; i++) {
      ts += Math.floor(r() * 5);
      const c = ids[Math.floor(r() * ids.length)];
      const sh = ids[Math.floor(r() * ids.length)];
      s.computeInto({ c, s: sh, ts }, out);
      const expected = seen.filter((e) => e.c === c && e.s === sh && e.ts > ts - 3600).length;
      expect(out[0], `event ${i} (${c}, ${sh})`).toBe(expected);
      seen.push({ c, s: sh, ts });
    }
  });
});
