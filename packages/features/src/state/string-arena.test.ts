import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seeded-random';
import { hashParts, hashString } from './hash-string';
import { StringArena } from './string-arena';
import { StringKey } from './string-key';

function randomString(r: () => number, len: number): string {
  let s = '';
  // Code units across the BMP, surrogate halves and the separator included.
  for (let i = 0; i < len; i++) s += String.fromCharCode(r() < 0.05 ? 0x241f : Math.floor(r() * 0x10000));
  return s;
}

describe('StringArena', () => {
  it('keeps what was written, block by block, through 20k allocations and releases of keys from 0 to 40k code units', () => {
    const r = rng(21);
    const a = new StringArena();
    const live = new Map<number, { k: number; b: number; s: string }>();
    const key = new StringKey();
    let id = 0;
    const expectedBytes = (): number => [...live.values()].reduce((n, e) => n + StringArena.blockBytes(e.k), 0);
    for (let i = 0; i < 20_000; i++) {
      if (live.size > 0 && r() < 0.4) {
        const ids = [...live.keys()];
        const victim = ids[Math.floor(r() * ids.length)];
        const e = live.get(victim)!;
        a.release(e.k, e.b);
        live.delete(victim);
      } else {
        const len = r() < 0.002 ? 32_768 + Math.floor(r() * 8000) : Math.floor(r() * 70);
        const s = randomString(r, len);
        const k = StringArena.classOf(len);
        expect(2 ** k).toBeGreaterThanOrEqual(len);
        const b = a.alloc(k);
        a.write(k, b, key.setString(s));
        live.set(id++, { k, b, s });
      }
    }
    for (const e of live.values()) {
      expect(a.read(e.k, e.b, e.s.length)).toBe(e.s);
      expect(a.equals(e.k, e.b, key.setString(e.s))).toBe(true);
      if (e.s.length > 0) {
        // One code unit different, anywhere, is another key.
        const j = Math.floor(r() * e.s.length);
        const other = e.s.slice(0, j) + String.fromCharCode((e.s.charCodeAt(j) + 1) & 0xffff) + e.s.slice(j + 1);
        expect(a.equals(e.k, e.b, key.setString(other))).toBe(false);
      }
    }
    expect(a.liveBytes).toBe(expectedBytes());
  });

  it('stores a composite key as its parts joined by U+241F and compares it part by part', () => {
    const a = new StringArena();
    const key = new StringKey();
    key.parts[0] = 'card-7'; key.parts[1] = '42';
    key.seal(2);
    expect(key.length).toBe('card-7\u241f42'.length);
    const k = StringArena.classOf(key.length);
    const b = a.alloc(k);
    a.write(k, b, key);
    expect(a.read(k, b, key.length)).toBe('card-7\u241f42');
    expect(a.equals(k, b, new StringKey().setString('card-7\u241f42'))).toBe(true);
    // The key is the joined string: parts that join alike are the same key.
    const c = new StringKey();
    c.parts[0] = 'a\u241fb'; c.parts[1] = 'c'; c.seal(2);
    const kc = StringArena.classOf(c.length);
    const bc = a.alloc(kc);
    a.write(kc, bc, c);
    c.parts[0] = 'a'; c.parts[1] = 'b\u241fc'; c.seal(2);
    expect(a.equals(kc, bc, c)).toBe(true);
    c.parts[0] = 'a'; c.parts[1] = 'b'; c.parts[2] = 'c'; c.seal(3);
    expect(a.equals(kc, bc, c)).toBe(true);
    key.parts[0] = 'card-7'; key.parts[1] = '43'; key.seal(2);
    expect(a.equals(k, b, key)).toBe(false);
  });
});

describe('hashParts', () => {
  it('is hashString of the joined parts, so a key hashes alike however it is given', () => {
    const r = rng(4);
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(r() * 3);
      const parts = Array.from({ length: n }, () => randomString(r, Math.floor(r() * 12)));
      const joined = parts.join('\u241f');
      expect(hashParts(parts, n)).toBe(hashString(joined));
      const k = new StringKey();
      parts.forEach((p, j) => { k.parts[j] = p; });
      k.seal(n);
      expect(k.hash).toBe(hashString(joined));
      expect(k.length).toBe(joined.length);
      expect(k.toString()).toBe(joined);
    }
  });
});
