import { describe, expect, it } from 'vitest';
import { compileFeatureSpec, createMemoryStateStore, type FeatureSpecInput } from '../index';

const spec: FeatureSpecInput = {
  specVersion: 1, name: 'lru',
  event: { fields: [{ name: 'card', type: 'number', integer: true }, { name: 'amount', type: 'number' }], timestamp: { field: 'ts', format: 'epoch_seconds' } },
  entities: [{ name: 'card', key: ['card'] }],
  features: [{ name: 'n', kind: 'window', entity: 'card', aggregate: 'count', window: '1d', includeCurrent: false }],
};

describe('memory state store', () => {
  it('keeps at most maxEntities, evicting the least recently seen', () => {
    const ev = compileFeatureSpec(spec, { store: createMemoryStateStore({ maxEntities: 3 }) });
    const out = new Float64Array(1);
    for (const [card, ts] of [[1, 1], [2, 2], [3, 3], [1, 4], [4, 5]]) ev.computeInto({ card, amount: 1, ts }, out);
    expect(ev.store.size(0)).toBe(3);
    expect(ev.store.evictions?.(0)).toBe(1);
    // Card 2 was the least recently seen when card 4 arrived: its history is gone.
    ev.computeInto({ card: 2, amount: 1, ts: 6 }, out);
    expect(out[0]).toBe(0);
    expect(ev.store.evictions?.(0)).toBe(2); // card 2 came back: one more left
    ev.store.delete(0, 2);
    expect(ev.store.evictions?.(0)).toBe(2); // a delete is not an eviction
    ev.computeInto({ card: 1, amount: 1, ts: 7 }, out);
    expect(out[0]).toBe(2);
  });

  it('keeps the bytes of histories under maxBytes whatever the number of entities', () => {
    const maxBytes = 64 * 1024;
    const ev = compileFeatureSpec(spec, { store: createMemoryStateStore({ maxBytes }) });
    const out = new Float64Array(1);
    for (let i = 0; i < 20_000; i++) ev.computeInto({ card: i % 5000, amount: 1, ts: i }, out);
    expect(ev.store.bytes(0)).toBeLessThanOrEqual(maxBytes);
    expect(ev.store.bytes(0)).toBeGreaterThan(maxBytes / 2);
  });

  it('re-accounts a history that grew in place, so busy entities stay within maxBytes', () => {
    const maxBytes = 64 * 1024;
    const ev = compileFeatureSpec(spec, { store: createMemoryStateStore({ maxBytes }) });
    const out = new Float64Array(1);
    for (let i = 0; i < 30_000; i++) ev.computeInto({ card: Math.floor(i / 300), amount: 1, ts: i }, out);
    // 300 consecutive events per card within the 1-day window: each ring grew from 2 to
    // 512 events (4 KiB with its header), so only a dozen cards fit in 64 KiB.
    expect(ev.store.bytes(0)).toBeLessThanOrEqual(maxBytes);
    const held = ev.store.size(0);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(100);
    let sum = 0;
    for (let c = 0; c < 100; c++) sum += ev.store.entityBytes(0, c);
    expect(ev.store.bytes(0)).toBe(sum);
  });
});
