import { KEY_SEPARATOR } from './hash-string';
import type { StringKey } from './string-key';

/** Smallest block: 2^MIN_CLASS code units. */
const MIN_CLASS = 3;
/** Code units per page (64 KiB) for classes up to it; a larger block is a page of its own. */
const PAGE_SHIFT = 15;

/**
 * The characters of string entity keys, as UTF-16 code units in typed-array blocks of
 * 2^k units (k ≥ 3), paged per class and reused through free lists. A table of a million
 * string keys then holds no million JS strings: V8's major GCs have nothing to mark
 * there (they stopped events for 15–40 ms), and a key's bytes are counted in the store's
 * budget. A block is addressed by its class and its index within the class.
 *
 * @example
 * const a = new StringArena();
 * const k = StringArena.classOf(6);            // 3: a block of 8 units
 * const b = a.alloc(k);
 * a.write(k, b, new StringKey().setString('card-7'));
 * a.read(k, b, 6);                              // 'card-7'
 * a.release(k, b);
 */
export class StringArena {
  private pages: Uint16Array[][] = [];
  private free: Int32Array[] = [];
  private nFree = new Int32Array(32);
  private used = new Int32Array(32);
  /** Bytes of the blocks handed out. */
  liveBytes = 0;

  /** The class of a key of `length` code units. */
  static classOf(length: number): number {
    return length <= 1 << MIN_CLASS ? MIN_CLASS : 32 - Math.clz32(length - 1);
  }

  /** Bytes of one block of class k. */
  static blockBytes(k: number): number {
    return 2 * 2 ** k;
  }

  /** A free block of class k. */
  alloc(k: number): number {
    this.liveBytes += StringArena.blockBytes(k);
    if (this.nFree[k] > 0) return this.free[k][--this.nFree[k]];
    const b = this.used[k]++;
    const shift = this.perPageShift(k);
    const pages = (this.pages[k] ??= []);
    if (b >>> shift === pages.length) pages.push(new Uint16Array(2 ** Math.max(PAGE_SHIFT, k)));
    return b;
  }

  /** Returns block b of class k to its free list. */
  release(k: number, b: number): void {
    this.liveBytes -= StringArena.blockBytes(k);
    let f = this.free[k];
    if (f === undefined || this.nFree[k] === f.length) {
      const g = new Int32Array(Math.max(64, 2 * (f?.length ?? 0)));
      if (f !== undefined) g.set(f);
      this.free[k] = f = g;
    }
    f[this.nFree[k]++] = b;
  }

  /** Writes `key` (its parts joined by U+241F) into block b of class k. */
  write(k: number, b: number, key: StringKey): void {
    const page = this.page(k, b);
    let o = this.offset(k, b);
    for (let j = 0; j < key.n; j++) {
      if (j > 0) page[o++] = KEY_SEPARATOR;
      const s = key.parts[j];
      for (let i = 0; i < s.length; i++) page[o++] = s.charCodeAt(i);
    }
  }

  /** Whether block b of class k holds `key` (the caller has checked the length). */
  equals(k: number, b: number, key: StringKey): boolean {
    const page = this.page(k, b);
    let o = this.offset(k, b);
    for (let j = 0; j < key.n; j++) {
      if (j > 0 && page[o++] !== KEY_SEPARATOR) return false;
      const s = key.parts[j];
      for (let i = 0; i < s.length; i++) if (page[o++] !== s.charCodeAt(i)) return false;
    }
    return true;
  }

  /** The string of `length` code units in block b of class k (allocates; not on the hot path). */
  read(k: number, b: number, length: number): string {
    const page = this.page(k, b);
    const o = this.offset(k, b);
    let s = '';
    for (let i = 0; i < length; i += 4096) s += String.fromCharCode(...page.subarray(o + i, o + Math.min(length, i + 4096)));
    return s;
  }

  /** Forgets every block. */
  clear(): void {
    this.pages = [];
    this.free = [];
    this.nFree.fill(0);
    this.used.fill(0);
    this.liveBytes = 0;
  }

  /** log2 of blocks per page of class k. */
  private perPageShift(k: number): number {
    return k >= PAGE_SHIFT ? 0 : PAGE_SHIFT - k;
  }

  /** The page holding block b of class k (a snapshot copies the units from it). */
  page(k: number, b: number): Uint16Array {
    return this.pages[k][b >>> this.perPageShift(k)];
  }

  /** Offset of block b of class k in its page. */
  offset(k: number, b: number): number {
    return (b & ((1 << this.perPageShift(k)) - 1)) << k;
  }
}
