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

describe('offline pass: outcomes stored at commit', () => {
  it('gives the bits of an online replay that records each outcome availableAfter later (delay >= and < availableAfter)', async () => {
    const { seededRandom } = await import('../../test/seeded-random');
    // delay 100 >= availableAfter 100: labels can travel with their events; delay 50 < 100: they cannot.
    for (const delays of [[100, 250], [50, 100]]) {
      const s: FeatureSpecInput = {
        specVersion: 1, name: 'at-commit',
        event: {
          fields: [{ name: 'id', type: 'number', integer: true }, { name: 'shop', type: 'string' }],
          timestamp: { field: 'ts', format: 'epoch_seconds' }, idField: 'id',
          label: { field: 'y', availableAfter: 100 },
        },
        entities: [{ name: 'shop', key: ['shop'] }],
        features: delays.flatMap((d) => (['count', 'known_count', 'positive_count', 'rate'] as const).map((a) => (
          { name: `${a}_${d}`, kind: 'label_window' as const, entity: 'shop', aggregate: a, window: 400, delay: d }))),
      };
      const r = seededRandom(17);
      const rows: { id: number; shop: string; ts: number; y: number | null }[] = [];
      let ts = 0;
      for (let i = 0; i < 2000; i++) { ts += Math.floor(r() * 8); rows.push({ id: i, shop: `s${Math.floor(r() * 4)}`, ts, y: r() < 0.1 ? null : r() < 0.3 ? 1 : 0 }); }
      const pass = createOfflinePass(compileFeatureSpec(s));
      const online = compileFeatureSpec(s);
      const a = new Float64Array(pass.evaluator.size);
      const b = new Float64Array(online.size);
      let next = 0;
      for (const row of rows) {
        pass.process(row, a);
        while (next < rows.length && rows[next].ts + 100 <= row.ts) {
          const o = rows[next++];
          if (o.y !== null) online.recordOutcome(o, o.y);
        }
        online.computeInto({ id: row.id, shop: row.shop, ts: row.ts }, b);
        expect([...a], `delays ${delays}, row ${row.id}`).toEqual([...b]);
      }
      expect(a.some((x) => x > 0)).toBe(true);
    }
  });
});
