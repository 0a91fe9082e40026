import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seeded-random';
import { ENTITY_OVERHEAD_BYTES, EntityTable } from './entity-table';
import { StringArena } from './string-arena';

describe('EntityTable', () => {
  it('under admission lru evicts in least-recently-seen order and reuses slots, over several pages of slots, as a reference LRU would', () => {
    const r = rng(3);
    const max = 2500; // more than two pages of 1024 slots
    const t = new EntityTable({ headerSize: 3, lanes: 0, maxClass: 1, signature: 't' }, max, 1 << 30, 'lru');
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
    const tight = new EntityTable(shape, 1000, 4 * one, 'lru');
    for (let i = 0; i < 4; i++) tight.create(`card-${i}`);
    expect(tight.size).toBe(4);
    tight.create('y'.repeat(20)); // a block of 32 units (64 bytes), 48 more than a short key's
    expect(tight.size).toBe(3);
    expect(tight.find('card-0')).toBe(-1);
    expect(tight.find('card-1')).toBe(-1);
    expect(tight.bytes).toBeLessThanOrEqual(4 * one);
  });
});

/**
 * A brute-force segmented LRU: two arrays of keys, least recently seen first, every
 * operation a linear scan; bytes per entity computed from the accounting's definition.
 */
class ReferenceSlru {
  prob: (string | number)[] = [];
  prot: (string | number)[] = [];
  constructor(readonly max: number, readonly maxBytes: number, readonly bytesOf: (k: string | number) => number) {}
  get size(): number { return this.prob.length + this.prot.length; }
  private sum(a: (string | number)[]): number { return a.reduce<number>((s, k) => s + this.bytesOf(k), 0); }
  get bytes(): number { return this.sum(this.prob) + this.sum(this.prot); }
  has(k: string | number): boolean { return this.prob.includes(k) || this.prot.includes(k); }
  isProtected(k: string | number): boolean { return this.prot.includes(k); }
  touch(k: string | number): void {
    const i = this.prot.indexOf(k);
    if (i >= 0) { this.prot.splice(i, 1); this.prot.push(k); return; }
    this.prob.splice(this.prob.indexOf(k), 1);
    this.prot.push(k);
    while (this.prot.length > 0 && (this.prot.length > Math.floor(0.8 * this.max) || this.sum(this.prot) > 0.8 * this.maxBytes)) this.prob.push(this.prot.shift()!);
  }
  create(k: string | number): void {
    const need = this.bytesOf(k);
    while (this.size > 0 && (this.size >= this.max || this.bytes + need > this.maxBytes)) {
      if (this.prob.length > 0) this.prob.shift(); else this.prot.shift();
    }
    this.prob.push(k);
  }
  delete(k: string | number): boolean {
    for (const a of [this.prob, this.prot]) { const i = a.indexOf(k); if (i >= 0) { a.splice(i, 1); return true; } }
    return false;
  }
}

describe('EntityTable segmented admission', () => {
  for (const [name, max, byteShare] of [['by entities', 300, 1e9], ['by bytes (string keys of mixed lengths)', 10_000, 0]] as const) {
    it(`matches a brute-force segmented LRU ${name}`, () => {
      const r = rng(11);
      const shape = { headerSize: 3, lanes: 0, maxClass: 1, signature: 'slru' };
      const slot = 3 * 8 + ENTITY_OVERHEAD_BYTES;
      const bytesOf = (k: string | number): number => slot + (typeof k === 'string' ? 2 * 2 ** StringArena.classOf(k.length) + 8 : 0);
      const maxBytes = byteShare === 0 ? 250 * slot : 1e9;
      const t = new EntityTable(shape, max, maxBytes);
      const ref = new ReferenceSlru(max, maxBytes, bytesOf);
      for (let i = 0; i < 20_000; i++) {
        // Skewed keys: a hot set seen often, a long tail seen about once (a flood).
        const hot = r() < 0.5;
        const id = hot ? Math.floor(r() * 200) : 1000 + Math.floor(r() * 100_000);
        const key: string | number = r() < 0.3 ? `k${id}${'x'.repeat(id % 40)}` : id;
        const op = r();
        if (op < 0.95) {
          const s = t.find(key);
          expect(s >= 0).toBe(ref.has(key));
          if (s >= 0) { t.touch(s); ref.touch(key); } else { t.create(key); ref.create(key); }
        } else expect(t.delete(key)).toBe(ref.delete(key));
        expect(t.size).toBe(ref.size);
        if (i % 997 === 0 || i > 19_900) {
          expect(t.bytes).toBe(ref.bytes);
          for (const k of [...ref.prob, ...ref.prot]) {
            const s = t.find(k);
            expect(s).toBeGreaterThanOrEqual(0);
            expect(t.isProtected(s)).toBe(ref.isProtected(k));
          }
        }
      }
      expect(ref.prot.length).toBeGreaterThan(0);
      expect(ref.prob.length).toBeGreaterThan(0);
    });
  }

  it('never evicts a slot whose own ring is growing, and caps the protected segment', () => {
    const shape = { headerSize: 2, lanes: 1, maxClass: 10, signature: 'pin' };
    const one = 2 * 8 + ENTITY_OVERHEAD_BYTES;
    const t = new EntityTable(shape, 10, 3 * one + 8);
    const a = t.create(1);
    t.touch(a); // protected
    t.create(2);
    t.create(3);
    const copier = { copyRing: () => {} };
    // Growing 1's ring to 2 events (16 bytes) fits only by evicting: probation's oldest (2) goes.
    expect(t.setRing(a, 1, copier)).toBe(true);
    expect(t.find(2)).toBe(-1);
    expect(t.find(1)).toBe(a);
    // Alone, a ring too big for the budget is refused and nothing changes.
    expect(t.setRing(a, 10, copier)).toBe(false);
    expect(t.find(1)).toBe(a);
    // At most floor(0.8 · 10) = 8 protected.
    const u = new EntityTable({ headerSize: 1, lanes: 0, maxClass: 1, signature: 'cap' }, 10, 1e9);
    for (let k = 0; k < 10; k++) u.touch(u.create(k));
    let prot = 0;
    for (let k = 0; k < 10; k++) if (u.isProtected(u.find(k))) prot++;
    expect(prot).toBe(8);
    // The two demoted first (0 and 1) sit in probation and go first.
    u.create(100);
    expect(u.find(0)).toBe(-1);
    expect(u.find(1)).toBeGreaterThanOrEqual(0);
  });
});

describe('EntityTable versions', () => {
  it('changes a slot\'s version on create, write and removal, never reusing a value, also across clear', () => {
    const t = new EntityTable({ headerSize: 1, lanes: 0, maxClass: 1, signature: 'v' }, 2, 1e9);
    const seen = new Set<number>();
    const fresh = (v: number): void => { expect(seen.has(v)).toBe(false); seen.add(v); };
    const a = t.create('a');
    const va = t.versionOf(a);
    fresh(va);
    t.markWritten(a);
    expect(t.versionOf(a)).toBeGreaterThan(va);
    fresh(t.versionOf(a));
    const held = t.versionOf(a);
    t.create('b');
    t.create('c'); // evicts 'a' (probation's oldest) and reuses its slot for 'c'? or b's: either way, no ABA
    expect(t.find('a')).toBe(-1);
    for (const k of ['b', 'c']) fresh(t.versionOf(t.find(k)));
    if (t.find('c') === a) expect(t.versionOf(a)).not.toBe(held);
    const before = t.versionClock;
    t.clear();
    const d = t.create('d');
    expect(t.versionOf(d)).toBeGreaterThan(before);
    fresh(t.versionOf(d));
  });
});
