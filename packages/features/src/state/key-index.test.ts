import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seeded-random';
import { KeyIndex } from './key-index';

describe('KeyIndex', () => {
  it('agrees with a Map over 200k random sets, gets and deletes (numbers and strings, with growth and churn)', () => {
    const r = rng(5);
    const slotKey: (string | number)[] = [];
    const ix = new KeyIndex((slot) => slotKey[slot]);
    const ref = new Map<string | number, number>();
    // Few distinct keys so deletions hit long probe runs; big and fractional ids too.
    const keyOf = (): string | number => {
      const u = r();
      if (u < 0.1) return `k${Math.floor(r() * 500)}`;
      if (u < 0.2) return Math.floor(r() * 500) * 2 ** 26 + Math.floor(r() * 4);
      if (u < 0.25) return Math.floor(r() * 50) + 0.5;
      return Math.floor(r() * 3000);
    };
    for (let i = 0; i < 200_000; i++) {
      const k = keyOf();
      const op = r();
      if (op < 0.45) {
        if (!ref.has(k)) { slotKey[i] = k; ix.set(k, i); ref.set(k, i); }
      } else if (op < 0.8) {
        expect(ix.delete(k)).toBe(ref.delete(k));
      } else {
        expect(ix.get(k)).toBe(ref.get(k) ?? -1);
      }
    }
    for (const [k, v] of ref) expect(ix.get(k)).toBe(v);
    expect(ix.get(-0)).toBe(ref.get(0) ?? -1);
  });

  it('grows to 300k keys incrementally, with deletes and lookups during every resize, as a Map would', () => {
    const r = rng(11);
    const slotKey: (string | number)[] = [];
    const ix = new KeyIndex((slot) => slotKey[slot]);
    const ref = new Map<string | number, number>();
    const live: (string | number)[] = [];
    // Numbers and strings alike: both tables grow through many resizes.
    const keyAt = (i: number): string | number => (i % 3 === 0 ? `card-${i}` : i * 2 ** 26 + (i % 7));
    for (let i = 0; i < 400_000; i++) {
      // Mostly new keys (so the tables keep growing), some deletes of live ones, lookups of anything.
      const k = keyAt(i);
      slotKey[i] = k;
      ix.set(k, i); ref.set(k, i); live.push(k);
      if (r() < 0.25) {
        const j = Math.floor(r() * live.length);
        const d = live[j];
        live[j] = live[live.length - 1]; live.pop();
        expect(ix.delete(d)).toBe(true);
        ref.delete(d);
        expect(ix.delete(d)).toBe(false);
      }
      const qk = keyAt(Math.floor(r() * (i + 1)));
      expect(ix.get(qk)).toBe(ref.get(qk) ?? -1);
    }
    expect(ref.size).toBeGreaterThan(250_000);
    for (const [k, v] of ref) expect(ix.get(k)).toBe(v);
    // A deleted key may come back with a new slot.
    const back = live[0];
    ix.delete(back);
    slotKey[7] = back;
    ix.set(back, 7);
    expect(ix.get(back)).toBe(7);
  });

  it('keeps two strings with the same 53-bit hash apart, confirming a match by the slot\'s key', () => {
    // A real 53-bit collision is too rare to find; what keeps colliding strings apart is the
    // confirmation against the slot's key, so test that: when the slot a hash leads to
    // holds another key, the lookup must not return it.
    const slotKey: string[] = ['a', 'b'];
    const ix = new KeyIndex((slot) => slotKey[slot]);
    ix.set('a', 0);
    ix.set('b', 1);
    slotKey[0] = 'not-a'; // slot 0 now holds another key: 'a' must no longer be found through it
    expect(ix.get('a')).toBe(-1);
    expect(ix.delete('a')).toBe(false);
    expect(ix.get('b')).toBe(1);
    slotKey[0] = 'a';
    expect(ix.get('a')).toBe(0);
    expect(ix.delete('a')).toBe(true);
    expect(ix.get('a')).toBe(-1);
  });
});
