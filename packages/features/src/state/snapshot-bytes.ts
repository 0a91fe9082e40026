import { FeatureError } from '../errors';

/** Whether this platform's typed arrays are little-endian (every current JS engine's are; checked, not assumed). */
function platformIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** `n` rounded up to a multiple of 8. */
export function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Writes a state snapshot's fields in little-endian order into one buffer of a size known
 * in advance (the writer computes it first, so nothing is copied while growing). Bulk
 * float64 and UTF-16 runs go through typed-array views of the buffer when the platform
 * is little-endian (all current engines), through a DataView otherwise; runs start at
 * multiples of their width (the format pads to 8 bytes after every variable run).
 *
 * @example
 * const w = new ByteWriter(16);
 * w.u32(7); w.u32(0); w.f64(0.5);
 * w.bytes; // 16 bytes: 07 00 00 00 00 00 00 00 00 00 00 00 00 00 e0 3f
 */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private readonly f64s: Float64Array | null;
  private readonly u16s: Uint16Array | null;
  /** Next byte to write. */
  pos = 0;

  constructor(byteLength: number) {
    const buf = new ArrayBuffer(byteLength);
    this.bytes = new Uint8Array(buf);
    this.dv = new DataView(buf);
    const le = platformIsLittleEndian();
    this.f64s = le ? new Float64Array(buf, 0, byteLength >>> 3) : null;
    this.u16s = le ? new Uint16Array(buf, 0, byteLength >>> 1) : null;
  }

  u8(v: number): void {
    this.dv.setUint8(this.pos, v);
    this.pos += 1;
  }

  u16(v: number): void {
    this.dv.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.dv.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** `n` float64 from `src[from…]` (the position must be a multiple of 8). */
  f64Run(src: Float64Array, from: number, n: number): void {
    const d = this.f64s;
    if (d !== null) {
      const o = this.pos >>> 3;
      // A memcpy for long runs (ring blocks); a loop for short ones, where a view would cost more.
      if (n >= 64) d.set(src.subarray(from, from + n), o);
      else for (let i = 0; i < n; i++) d[o + i] = src[from + i];
    } else for (let i = 0; i < n; i++) this.dv.setFloat64(this.pos + 8 * i, src[from + i], true);
    this.pos += 8 * n;
  }

  /** `n` UTF-16 code units from `src[from…]`, then zeros up to a multiple of 8 bytes. */
  u16Run(src: Uint16Array, from: number, n: number): void {
    const d = this.u16s;
    if (d !== null) {
      const o = this.pos >>> 1;
      for (let i = 0; i < n; i++) d[o + i] = src[from + i];
    } else for (let i = 0; i < n; i++) this.dv.setUint16(this.pos + 2 * i, src[from + i], true);
    this.pos = pad8(this.pos + 2 * n); // the buffer is zeroed: padding needs no write
  }

  /** The code units of `s`, then zeros up to a multiple of 8 bytes. */
  stringRun(s: string): void {
    for (let i = 0; i < s.length; i++) this.dv.setUint16(this.pos + 2 * i, s.charCodeAt(i), true);
    this.pos = pad8(this.pos + 2 * s.length);
  }
}

/**
 * Reads what {@link ByteWriter} wrote, checking every read against the end: a truncated
 * or inconsistent snapshot is a `FeatureError` `invalid_snapshot`, never a RangeError or
 * a garbage value. `bytes` must start at a multiple of 8 in its buffer (the restorer
 * copies it otherwise).
 *
 * @example
 * const r = new ByteReader(w.bytes);
 * r.u32(); // 7
 */
export class ByteReader {
  private readonly dv: DataView;
  private readonly f64s: Float64Array | null;
  private readonly u16s: Uint16Array | null;
  readonly end: number;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.byteLength;
    const le = platformIsLittleEndian() && bytes.byteOffset % 8 === 0;
    this.f64s = le ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 3) : null;
    this.u16s = le ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 1) : null;
  }

  /** Refuses unless `n` more bytes are there. */
  need(n: number, what: string): void {
    if (!(n >= 0 && this.pos + n <= this.end)) {
      throw new FeatureError('invalid_snapshot', `restore: the snapshot is truncated: ${what} needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`, ['bytes'], { details: { offset: this.pos, needed: n, left: this.end - this.pos } });
    }
  }

  u8(): number {
    this.need(1, 'a byte');
    return this.dv.getUint8(this.pos++);
  }

  u16(): number {
    this.need(2, 'a 16-bit field');
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'a 32-bit field');
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8, 'a float64 field');
    const v = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` float64 into `dst[to…]` (the caller has checked `need(8 n)`). */
  f64Run(dst: Float64Array, to: number, n: number): void {
    const s = this.f64s;
    if (s !== null) {
      const o = this.pos >>> 3;
      if (n >= 64) dst.set(s.subarray(o, o + n), to);
      else for (let i = 0; i < n; i++) dst[to + i] = s[o + i];
    } else for (let i = 0; i < n; i++) dst[to + i] = this.dv.getFloat64(this.pos + 8 * i, true);
    this.pos += 8 * n;
  }

  /** A string of `n` code units, and its padding to 8 bytes (allocates: restore only). */
  string(n: number, what: string): string {
    this.need(pad8(2 * n), what);
    let s = '';
    const u = this.u16s;
    if (u !== null) {
      const o = this.pos >>> 1;
      for (let i = 0; i < n; i += 4096) s += String.fromCharCode(...u.subarray(o + i, o + Math.min(n, i + 4096)));
    } else for (let i = 0; i < n; i++) s += String.fromCharCode(this.dv.getUint16(this.pos + 2 * i, true));
    this.pos += pad8(2 * n);
    return s;
  }
}

/**
 * The snapshot checksum: FNV-1a (32-bit offset basis and prime) fed one little-endian
 * 32-bit word at a time instead of one byte, 4× fewer multiplies for the same property
 * that matters here: the step is a bijection of the state for a fixed word, so any one
 * changed word always changes the result, and other damage is missed with probability
 * about 2^-32. `bytes[from, to)` must have a length that is a multiple of 4.
 *
 * @example
 * snapshotChecksum(new Uint8Array(8), 0, 8); // a 32-bit unsigned integer
 */
export function snapshotChecksum(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  const n = (to - from) >>> 2;
  if (platformIsLittleEndian() && (bytes.byteOffset + from) % 4 === 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset + from, n);
    for (let i = 0; i < n; i++) h = Math.imul(h ^ w[i], 0x01000193);
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + from, 4 * n);
    for (let i = 0; i < n; i++) h = Math.imul(h ^ dv.getUint32(4 * i, true), 0x01000193);
  }
  return h >>> 0;
}
