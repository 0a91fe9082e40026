import { describe, expect, it } from 'vitest';
import { compileFeatureSpec, createOfflinePass, FeatureError, type FeatureSpecInput } from '../index';

const spec: FeatureSpecInput = {
  specVersion: 1, name: 'offline',
  event: {
    fields: [{ name: 'shop', type: 'string' }],
    timestamp: { field: 'ts', format: 'epoch_seconds' },
    label: { field: 'y', availableAfter: 100 },
  },
  entities: [{ name: 'shop', key: ['shop'] }],
  features: [
    { name: 'known', kind: 'label_window', entity: 'shop', aggregate: 'known_count', window: 1000, delay: 0 },
    { name: 'pos', kind: 'label_window', entity: 'shop', aggregate: 'positive_count', window: 1000, delay: 0 },
  ],
};

describe('offline pass', () => {
  it('makes a label known exactly availableAfter seconds after its event, not earlier', () => {
    const pass = createOfflinePass(compileFeatureSpec(spec));
    const out = new Float64Array(2);
    pass.process({ shop: 'a', ts: 0, y: 1 }, out);
    pass.process({ shop: 'a', ts: 99, y: 0 }, out);
    expect([...out]).toEqual([0, 0]); // at 99 s the first outcome is not known yet
    pass.process({ shop: 'a', ts: 100 }, out); // unlabelled row: no outcome ever
    expect([...out]).toEqual([1, 1]);
    pass.process({ shop: 'a', ts: 199, y: null }, out);
    expect([...out]).toEqual([2, 1]);
    pass.process({ shop: 'a', ts: 10_000 }, out);
    expect([...out]).toEqual([0, 0]); // all outside the window
    expect(pass.rows).toBe(5);
  });

  it('refuses a row older than the previous one with out_of_order, and a non-numeric label', () => {
    const pass = createOfflinePass(compileFeatureSpec(spec));
    const out = new Float64Array(2);
    pass.process({ shop: 'a', ts: 50, y: 0 }, out);
    let err: unknown;
    try { pass.process({ shop: 'b', ts: 49, y: 0 }, out); } catch (e) { err = e; }
    expect(FeatureError.isInstance(err) && err.code === 'out_of_order' && err.path[0] === 'ts').toBe(true);
    expect(() => pass.process({ shop: 'b', ts: 60, y: 'yes' }, out)).toThrowError(expect.objectContaining({ code: 'invalid_event', path: ['y'] }));
    expect(pass.rows).toBe(1);
  });
});
