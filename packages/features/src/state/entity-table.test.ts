import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seeded-random';
import { EntityTable } from './entity-table';

describe('EntityTable', () => {
  it('evicts in least-recently-seen order and reuses slots, over several pages of slots, as a reference LRU would', () => {
    const r = rng(3);
    const max = 2500; // more than two pages of 1024 slots
    const t = new EntityTable({ headerSize: 3, lanes: 0, maxClass: 1, signature: 't' }, max, 1 << 30);
    // Reference: a Map keeps insertion order; re-inserting moves a key to the end (newest).
    const ref = new Map<string | number, number>();
    const slotOf = new Map<string | number, number>();
    for (let i = 0; i < 60_000; i++) {
      const u = r();
      const key: string | number = u < 0.3 ? `s${Math.floor(r() * 4000)}` : Math.floor(r() * 4000);
      const op = r();
      if (op < 0.85) {
        const s = t.find(key);
        expect(s).toBe(slotOf.get(key) ?? -1);
        if (s >= 0) {
          t.touch(s);
          ref.delete(key); ref.set(key, i);
          // The header is the entity's own: what was written is still there.
          expect(t.headerPage(s)[t.headerOffset(s) + 1]).toBe(typeof key === 'number' ? key : key.length);
        } else {
          if (ref.size >= max) {
            const oldest = ref.keys().next().value!;
            ref.delete(oldest); slotOf.delete(oldest);
          }
          const n = t.create(key);
          t.headerPage(n)[t.headerOffset(n) + 1] = typeof key === 'number' ? key : key.length;
          ref.set(key, i); slotOf.set(key, n);
          expect(t.keyOf(n)).toBe(key);
        }
      } else {
        expect(t.delete(key)).toBe(ref.delete(key));
        slotOf.delete(key);
      }
      expect(t.size).toBe(ref.size);
    }
    for (const [k, s] of slotOf) { expect(t.find(k)).toBe(s); expect(t.keyOf(s)).toBe(k); }
    // Slots are reused: never more handed out than were ever live at once.
    expect(Math.max(...slotOf.values())).toBeLessThan(max);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.find(1)).toBe(-1);
  });
});

describe('EntityTable string keys', () => {
  it('counts a string key\'s arena block in its bytes and evicts by bytes with keys of any length', () => {
    const shape = { headerSize: 2, lanes: 0, maxClass: 1, signature: 's' };
    const t = new EntityTable(shape, 1000, 1 << 30);
    const short = t.create('card-1');
    const one = t.bytes;
    expect(t.entityBytes('card-1')).toBe(one);
    const long = 'x'.repeat(40_000);
    const s = t.create(long);
    // 40,000 code units take a block of 2^16 units (128 KiB) where 'card-1' takes one of 8 (16 bytes).
    expect(t.bytes - one).toBe(one - 16 + 2 * 65_536);
    expect(t.entityBytes(long)).toBe(t.bytes - one);
    expect(t.find(long)).toBe(s);
    expect(t.keyOf(s)).toBe(long);
    expect(t.find(long.slice(1) + 'y')).toBe(-1);
    expect(t.delete(long)).toBe(true);
    expect(t.bytes).toBe(one);
    expect(t.find('card-1')).toBe(short);

    // A budget for four short entities: a long key pushes the least recently seen ones out.
    const tight = new EntityTable(shape, 1000, 4 * one);
    for (let i = 0; i < 4; i++) tight.create(`card-${i}`);
    expect(tight.size).toBe(4);
    tight.create('y'.repeat(20)); // a block of 32 units (64 bytes), 48 more than a short key's
    expect(tight.size).toBe(3);
    expect(tight.find('card-0')).toBe(-1);
    expect(tight.find('card-1')).toBe(-1);
    expect(tight.bytes).toBeLessThanOrEqual(4 * one);
  });
});
