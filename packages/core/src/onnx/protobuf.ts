/**
 * A minimal protocol-buffers wire-format reader and writer, enough for ONNX
 * (https://protobuf.dev/programming-guides/encoding/). Hand-written rather than a
 * generated protobufjs reader: it decodes only the fields the tree parser needs and
 * skips the rest (initializers of neural members are never copied), which loads a
 * 200-tree model several times faster (see benchmarks/README.md, spine).
 */
import { RiskscoreError } from '../errors';
import { utf8Decode, utf8Encode } from '../util/utf8';

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;


function truncated(what: string, at: number): never {
  throw new RiskscoreError('invalid_onnx', `ONNX protobuf is truncated or corrupt: ${what} at byte ${at}`, {
    details: { offset: at },
  });
}

/** Reads one protobuf message from `buf[start, end)`. */
export class ProtoReader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as a JS number (exact up to 2^53; ONNX ids and dims fit). */
  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) truncated('varint', this.pos);
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) {
        // Negative int64 values are 10-byte two's complement; fold them back.
        return result >= 2 ** 63 ? result - 2 ** 64 : result;
      }
      shift *= 128;
    }
    return truncated('varint longer than 10 bytes', this.pos);
  }

  /** Reads a field tag; returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }

  /** Returns the [start, end) of a length-delimited field and moves past it. */
  bytesRange(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (len < 0 || end > this.end) truncated('length-delimited field', start);
    this.pos = end;
    return [start, end];
  }

  bytes(): Uint8Array {
    const [s, e] = this.bytesRange();
    return this.buf.subarray(s, e);
  }

  string(): string {
    return utf8Decode(this.bytes());
  }

  float32(): number {
    if (this.pos + 4 > this.end) truncated('fixed32', this.pos);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    if (this.pos + 8 > this.end) truncated('fixed64', this.pos);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.pos += 8;
        break;
      case WireType.LEN:
        this.bytesRange();
        return;
      case WireType.I32:
        this.pos += 4;
        break;
      default:
        truncated(`unknown wire type ${wireType}`, this.pos);
    }
    if (this.pos > this.end) truncated('fixed-width field', this.pos);
  }

  /** Appends a repeated float field (packed or not) to `out`. */
  floats(wireType: number, out: number[]): void {
    if (wireType === WireType.LEN) {
      const [s, e] = this.bytesRange();
      if ((e - s) % 4 !== 0) truncated('packed floats', s);
      for (let p = s; p < e; p += 4) out.push(this.view.getFloat32(p, true));
    } else {
      out.push(this.float32());
    }
  }

  /** Appends a repeated int64 field (packed or not) to `out`. */
  ints(wireType: number, out: number[]): void {
    if (wireType === WireType.LEN) {
      const [s, e] = this.bytesRange();
      const sub = new ProtoReader(this.buf, s, e);
      while (!sub.done) out.push(sub.varint());
    } else {
      out.push(this.varint());
    }
  }
}

/** Writes protobuf messages into a growable buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private rawVarint(v: number): void {
    this.ensure(10);
    if (v < 0) v += 2 ** 64; // two's complement for negative int64
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  varint(field: number, v: number): this {
    this.tag(field, WireType.VARINT);
    this.rawVarint(v);
    return this;
  }

  float32(field: number, v: number): this {
    this.tag(field, WireType.I32);
    this.ensure(4);
    this.view.setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, WireType.LEN);
    this.rawVarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8Encode(s));
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const v = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) v.setFloat32(i * 4, values[i], true);
    return this.bytes(field, b);
  }

  packedInts(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.rawVarint(values[i]);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
