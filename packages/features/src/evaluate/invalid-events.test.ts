/**
 * Bad events get a typed FeatureError with the field path, and a refused event leaves the
 * entity state exactly as it was (same features for the next event, same store sizes).
 */
import { describe, expect, it } from 'vitest';
import { compileFeatureSpec, FeatureError, type FeatureSpecInput } from '../index';

function spec(lateEvents: 'reject' | 'score_only' = 'reject'): FeatureSpecInput {
  return {
    specVersion: 1, name: 'bad-events',
    event: {
      fields: [
        { name: 'card', type: 'string' },
        { name: 'amount', type: 'number', min: 0 },
        { name: 'channel', type: 'category', values: ['web', 'pos'] },
        { name: 'age', type: 'number', required: false, integer: true },
      ],
      timestamp: { field: 'ts', format: 'datetime' },
    },
    entities: [{ name: 'card', key: ['card'] }],
    features: [
      { name: 'amount', kind: 'field', field: 'amount' },
      { name: 'age', kind: 'field', field: 'age', missing: -1 },
      { name: 'n_1d', kind: 'window', entity: 'card', aggregate: 'count', window: '1d', includeCurrent: false },
      { name: 'sum_1d', kind: 'window', entity: 'card', aggregate: 'sum', field: 'amount', window: '1d', includeCurrent: false },
      { name: 'web', kind: 'one_hot', field: 'channel', value: 'web' },
    ],
    state: { lateEvents },
  };
}

const good = { card: 'c1', amount: 10, channel: 'web', ts: '2024-01-01 10:00:00' };

const cases: [string, Record<string, unknown>, string][] = [
  ['missing key', { amount: 10, channel: 'web', ts: '2024-01-01 11:00:00' }, 'card'],
  ['key of the wrong type', { ...good, card: 42, ts: '2024-01-01 11:00:00' }, 'card'],
  ['amount as a string', { ...good, amount: '10', ts: '2024-01-01 11:00:00' }, 'amount'],
  ['NaN amount', { ...good, amount: NaN, ts: '2024-01-01 11:00:00' }, 'amount'],
  ['infinite amount', { ...good, amount: Infinity, ts: '2024-01-01 11:00:00' }, 'amount'],
  ['negative amount', { ...good, amount: -1, ts: '2024-01-01 11:00:00' }, 'amount'],
  ['unparsable timestamp', { ...good, ts: '01/01/2024 11:00' }, 'ts'],
  ['impossible date', { ...good, ts: '2024-02-30 11:00:00' }, 'ts'],
  ['timestamp as a number', { ...good, ts: 1704106800 }, 'ts'],
  ['unknown category', { ...good, channel: 'phone', ts: '2024-01-01 11:00:00' }, 'channel'],
  ['non-integer optional field', { ...good, age: 3.5, ts: '2024-01-01 11:00:00' }, 'age'],
];

describe('refused events', () => {
  it.each(cases)('%s → invalid_event at the field, state unchanged', (_title, bad, field) => {
    const ev = compileFeatureSpec(spec());
    const out = new Float64Array(ev.size);
    ev.computeInto(good, out);
    const probe = { ...good, ts: '2024-01-01 12:00:00' };
    const before = new Float64Array(ev.size);
    ev.peekInto(probe, before);
    const sentinel = new Float64Array(ev.size).fill(123);
    let err: unknown;
    try {
      ev.computeInto(bad, sentinel);
    } catch (e) {
      err = e;
    }
    expect(FeatureError.isInstance(err)).toBe(true);
    const fe = err as FeatureError;
    expect(fe.code).toBe('invalid_event');
    expect(fe.path).toEqual([field]);
    expect(fe.message).toContain(field);
    expect([...sentinel]).toEqual(new Array(ev.size).fill(123)); // out untouched
    const after = new Float64Array(ev.size);
    ev.peekInto(probe, after);
    expect([...after]).toEqual([...before]);
    expect(ev.store.size(0)).toBe(1);
    expect(ev.stats()).toEqual({ committed: 1, refused: 1, scoredOnly: 0 });
  });

  it('an optional field may be missing and takes its `missing` value', () => {
    const ev = compileFeatureSpec(spec());
    const out = new Float64Array(ev.size);
    ev.computeInto(good, out);
    expect(out[1]).toBe(-1);
  });

  it('a late event is refused under "reject" and scored without a state update under "score_only"', () => {
    const late = { ...good, amount: 5, ts: '2024-01-01 09:00:00' };
    const rej = compileFeatureSpec(spec('reject'));
    const out = new Float64Array(rej.size);
    rej.computeInto({ ...good, ts: '2024-01-01 08:00:00' }, out);
    rej.computeInto(good, out);
    expect(() => rej.computeInto(late, out)).toThrowError(expect.objectContaining({ code: 'late_event', path: ['ts'] }));

    const so = compileFeatureSpec(spec('score_only'));
    so.computeInto({ ...good, amount: 3, ts: '2024-01-01 08:00:00' }, out);
    so.computeInto(good, out);
    so.computeInto(late, out);
    // As of 09:00 only the 08:00 event is in the window; the 10:00 one is in its future.
    expect(out[2]).toBe(1);
    expect(out[3]).toBe(3);
    so.computeInto({ ...good, ts: '2024-01-01 11:00:00' }, out);
    expect(out[2]).toBe(2); // the late event was not added
    expect(so.stats().scoredOnly).toBe(1);
  });

  it('a too-short output array is an invalid_argument error, before any state change', () => {
    const ev = compileFeatureSpec(spec());
    expect(() => ev.computeInto(good, new Float32Array(2))).toThrowError(expect.objectContaining({ code: 'invalid_argument' }));
    expect(ev.store.size(0)).toBe(0);
  });

  it('recordOutcome refuses a non-finite label and an event without its keys', () => {
    const s = spec();
    s.event.label = { field: 'y', availableAfter: '1d' };
    s.features.push({ name: 'risk', kind: 'label_window', entity: 'card', aggregate: 'rate', window: '1d', delay: 0 });
    const ev = compileFeatureSpec(s);
    expect(() => ev.recordOutcome(good, NaN)).toThrowError(expect.objectContaining({ code: 'invalid_event', path: ['label'] }));
    expect(() => ev.recordOutcome({ ts: good.ts }, 1)).toThrowError(expect.objectContaining({ code: 'invalid_event', path: ['card'] }));
    expect(ev.recordOutcome(good, 1)).toBe(0); // never committed
  });
});
