// prepare / commit: computing an event's features writes nothing; commit writes the event
// once, with compare-and-set against anything written in between. Checked on the bytes of
// the store's snapshot and against an evaluator that saw the same events one at a time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFeatureSpec } from './compile-feature-spec';
import { createMemoryStateStore } from '../state/memory-state-store';
import { fdhFraudSpec } from '../fdh/fdh-specs';

const clock = (): number => Date.parse('2018-05-01T00:00:00Z');
/** A stream of events over 30 cards and 20 terminals in April 2018 (seconds apart, in order). */
function events(n: number, seed = 1): Record<string, unknown>[] {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: Record<string, unknown>[] = [];
  let t = Date.parse('2018-04-01T00:00:00Z') / 1000;
  for (let i = 0; i < n; i++) {
    t += 1 + Math.floor(rnd() * 3000);
    const d = new Date(t * 1000).toISOString();
    out.push({
      TRANSACTION_ID: i, TX_DATETIME: `${d.slice(0, 10)} ${d.slice(11, 19)}`,
      CUSTOMER_ID: Math.floor(rnd() * 30), TERMINAL_ID: Math.floor(rnd() * 20), TX_AMOUNT: Math.round(rnd() * 20000) / 100,
    });
  }
  return out;
}
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

describe('prepare and commit', () => {
  it('prepare writes nothing (snapshot bytes and revision unchanged); commit equals computeInto', () => {
    const evs = events(400);
    const store = createMemoryStateStore();
    const ev = compileFeatureSpec(fdhFraudSpec(), { store, clock });
    const ref = compileFeatureSpec(fdhFraudSpec(), { clock });
    const a = new Float64Array(ev.size);
    const b = new Float64Array(ev.size);
    for (const e of evs) {
      const before = store.snapshot();
      const rev = store.revision;
      const p = ev.prepare(e, a);
      expect(store.revision).toBe(rev);
      expect(equalBytes(store.snapshot(), before)).toBe(true);
      ev.commit(p);
      expect(p.committed).toBe(true);
      ref.computeInto(e, b);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
    expect(equalBytes(store.snapshot(), ref.store.snapshot())).toBe(true);
  });

  it('several events prepared before any commit: disjoint entities commit as if one at a time, a shared one is a state_conflict', () => {
    const evs = events(300, 7);
    const ev = compileFeatureSpec(fdhFraudSpec(), { clock });
    const ref = compileFeatureSpec(fdhFraudSpec(), { clock });
    const out = new Float64Array(ev.size);
    for (const e of evs.slice(0, 250)) { ev.computeInto(e, out); ref.computeInto(e, out); }
    const [x, y] = [evs[250], { ...evs[251], CUSTOMER_ID: 1000, TERMINAL_ID: 1000 }]; // y shares no entity with x
    const px = ev.prepare(x, out);
    const py = ev.prepare(y, out); // the evaluator's scratch now holds y's view
    ev.commit(px); // its query state put back from the copy it kept when y was prepared
    ev.commit(py);
    ref.computeInto(x, out);
    ref.computeInto(y, out);
    expect(equalBytes(ev.store.snapshot(), ref.store.snapshot())).toBe(true);
    // Two events of one card prepared together: the second commit finds the card's version moved.
    const z1 = { ...evs[252], CUSTOMER_ID: 5 };
    const z2 = { ...evs[253], CUSTOMER_ID: 5 };
    const p1 = ev.prepare(z1, out);
    const p2 = ev.prepare(z2, out);
    ev.commit(p1);
    const before = ev.store.snapshot();
    expect(() => ev.commit(p2)).toThrow(expect.objectContaining({ code: 'state_conflict', path: ['prepared'] }));
    expect(equalBytes(ev.store.snapshot(), before)).toBe(true);
    expect(() => ev.commit(p1)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    // Prepared again, it commits.
    ev.commit(ev.prepare(z2, out));
    ref.computeInto(z1, out);
    ref.computeInto(z2, out);
    expect(equalBytes(ev.store.snapshot(), ref.store.snapshot())).toBe(true);
  });

  it('a prepare refused halfway (its time already parsed) does not leak into the commit of an earlier prepared event', () => {
    const evs = events(120, 5);
    const ev = compileFeatureSpec(fdhFraudSpec(), { clock });
    const ref = compileFeatureSpec(fdhFraudSpec(), { clock });
    const out = new Float64Array(ev.size);
    for (const e of evs.slice(0, 100)) { ev.computeInto(e, out); ref.computeInto(e, out); }
    const p = ev.prepare(evs[100], out);
    expect(() => ev.prepare({ ...evs[101], CUSTOMER_ID: 999, TX_DATETIME: '2100-01-01 00:00:00' }, out)).toThrow(expect.objectContaining({ code: 'clock_skew' }));
    expect(() => ev.prepare({ ...evs[101], CUSTOMER_ID: 998, TERMINAL_ID: undefined }, out)).toThrow(expect.objectContaining({ code: 'invalid_event' }));
    ev.commit(p);
    ref.computeInto(evs[100], out);
    expect(equalBytes(ev.store.snapshot(), ref.store.snapshot())).toBe(true);
    for (const e of evs.slice(101)) { ev.computeInto(e, out); ref.computeInto(e, out); }
  });

  it('an outcome recorded between prepare and commit is a write: the commit is refused, not lost', () => {
    const evs = events(200, 3);
    const ev = compileFeatureSpec(fdhFraudSpec(), { clock });
    const out = new Float64Array(ev.size);
    for (const e of evs.slice(0, 150)) ev.computeInto(e, out);
    const target = evs.find((e, i) => i < 150 && e.CUSTOMER_ID === evs[150].CUSTOMER_ID)!;
    const p = ev.prepare(evs[150], out);
    const rev = ev.store.revision;
    expect(ev.recordOutcome(target, 1)).toBeGreaterThan(0);
    expect(ev.store.revision).toBeGreaterThan(rev);
    expect(() => ev.commit(p)).toThrow(expect.objectContaining({ code: 'state_conflict' }));
  });

  it('refuses non-plain events, inherited fields and far-future timestamps before reading state', () => {
    const ev = compileFeatureSpec(fdhFraudSpec(), { clock });
    const out = new Float64Array(ev.size);
    const e = events(1)[0];
    const rev = ev.store.revision;
    expect(() => ev.prepare(new Date(), out)).toThrow(expect.objectContaining({ code: 'invalid_event', path: ['event'] }));
    expect(() => ev.prepare(new Map(Object.entries(e)), out)).toThrow(expect.objectContaining({ code: 'invalid_event', path: ['event'] }));
    const inherited = Object.assign(Object.create({ TX_AMOUNT: 5 }), { ...e, TX_AMOUNT: undefined });
    expect(() => ev.prepare(inherited, out)).toThrow(expect.objectContaining({ code: 'invalid_event', path: ['event'] }));
    // A field inherited from a polluted Object.prototype is not the event's either.
    const { TX_AMOUNT: _amount, ...noAmount } = e;
    (Object.prototype as Record<string, unknown>).TX_AMOUNT = 5;
    try {
      expect(() => ev.prepare(noAmount, out)).toThrow(expect.objectContaining({ code: 'invalid_event', path: ['TX_AMOUNT'] }));
    } finally {
      delete (Object.prototype as Record<string, unknown>).TX_AMOUNT;
    }
    expect(() => ev.prepare({ ...e, TX_DATETIME: '9999-12-31 23:59:59' }, out)).toThrow(expect.objectContaining({ code: 'clock_skew', path: ['TX_DATETIME'] }));
    const getter = { ...e };
    Object.defineProperty(getter, 'TX_AMOUNT', { enumerable: true, get: () => { throw new RangeError('boom'); } });
    expect(() => ev.prepare(getter, out)).toThrow(expect.objectContaining({ code: 'invalid_event', path: ['event'] }));
    expect(ev.store.revision).toBe(rev);
    // Clock drift of a few minutes is allowed (maxAhead 5m), six minutes is not.
    expect(() => ev.prepare({ ...e, TX_DATETIME: '2018-05-01 00:06:00' }, out)).toThrow(expect.objectContaining({ code: 'clock_skew' }));
    ev.computeInto({ ...e, TX_DATETIME: '2018-05-01 00:04:00' }, out);
  });

  it('state.maxGap refuses an event too far after its entity\'s newest one', () => {
    const spec = fdhFraudSpec() as { state?: Record<string, unknown> };
    spec.state = { ...spec.state, maxGap: '10d' };
    const ev = compileFeatureSpec(spec, { clock });
    const out = new Float64Array(ev.size);
    const e = events(1)[0];
    ev.computeInto(e, out);
    expect(() => ev.computeInto({ ...e, TRANSACTION_ID: 99, TX_DATETIME: '2018-04-30 00:00:00' }, out))
      .toThrow(expect.objectContaining({ code: 'clock_skew', path: ['TX_DATETIME'] }));
  });

  it('property: events prepared several at a time and committed in any order (sharing no entity) equal one at a time in commit order, numeric and string keys', () => {
    // CUSTOMER_ID as a string: the customer key is a StringKey and customer × terminal a
    // composite string key, the paths a prepared event's copy of its keys must keep.
    const stringSpec = (): ReturnType<typeof fdhFraudSpec> => {
      const spec = fdhFraudSpec();
      const fields = spec.event.fields!.map((f) => (f.name === 'CUSTOMER_ID' ? { name: 'CUSTOMER_ID', type: 'string' as const } : f));
      return { ...spec, event: { ...spec.event, fields } };
    };
    const asString = (e: Record<string, unknown>): Record<string, unknown> => ({ ...e, CUSTOMER_ID: `card-${String(e.CUSTOMER_ID)}` });
    fc.assert(fc.property(
      fc.boolean(), fc.integer({ min: 1, max: 10_000 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 719 })), { minLength: 5, maxLength: 40 }),
      (strings, seed, groups) => {
        const spec = strings ? stringSpec : fdhFraudSpec;
        const evs = events(400, seed).map((e) => (strings ? asString(e) : e));
        const ev = compileFeatureSpec(spec(), { clock });
        const ref = compileFeatureSpec(spec(), { clock });
        const a = new Float64Array(ev.size);
        const b = new Float64Array(ev.size);
        let i = 0;
        for (const [k, perm] of groups) {
          // The next events of the stream that share no entity, up to k of them, prepared in order...
          const group: Array<{ e: Record<string, unknown>; row: Float64Array; p: ReturnType<typeof ev.prepare> }> = [];
          const used = new Set<string>();
          while (group.length < k && i < evs.length) {
            const e = evs[i];
            const ids = [`c${String(e.CUSTOMER_ID)}`, `t${String(e.TERMINAL_ID)}`];
            if (ids.some((x) => used.has(x))) break;
            ids.forEach((x) => used.add(x));
            group.push({ e, row: new Float64Array(ev.size), p: ev.prepare(e, a) });
            group[group.length - 1].row.set(a);
            i++;
          }
          if (group.length === 0) break;
          // ...then committed in a permuted order: each row must equal the one-at-a-time row.
          const order = group.map((_, j) => j);
          for (let j = order.length - 1, r = perm; j > 0; j--, r = Math.floor(r / 2)) { const q = r % (j + 1); [order[j], order[q]] = [order[q], order[j]]; }
          for (const j of order) {
            ev.commit(group[j].p);
            ref.computeInto(group[j].e, b);
            expect(Array.from(group[j].row)).toEqual(Array.from(b));
          }
        }
        expect(equalBytes(ev.store.snapshot(), ref.store.snapshot())).toBe(true);
      },
    ), { numRuns: 60 });
  });
});
