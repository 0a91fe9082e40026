// Entity records (entity-record.ts) against their byte layout written out by hand: u32
// magic 'RSE1' little-endian, u32 header size, u8 ring class, 7 zero bytes, the header's
// float64s, the ring block's float64s.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureError } from '../errors';
import { EntityTable } from './entity-table';
import { entityRecordBytes, readEntityRecord, writeEntityRecord } from './entity-record';

const shape = { headerSize: 5, lanes: 2, maxClass: 4, signature: 'record-test' };

/** A record as the layout defines it, from the header's and the ring's values. */
function byHand(ringClass: number, header: number[], ring: number[]): Uint8Array {
  const out = new Uint8Array(16 + 8 * (header.length + ring.length));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x31455352, true);
  dv.setUint32(4, header.length, true);
  out[8] = ringClass;
  [...header, ...ring].forEach((v, i) => dv.setFloat64(16 + 8 * i, v, true));
  return out;
}

describe('entity records', () => {
  it('read then written, fresh or into a Buffer at any byte offset: the same bytes as the layout by hand', () => {
    const t = new EntityTable(shape, 1000, 1 << 30, 'lru');
    const f64 = fc.double({ noNaN: false });
    fc.assert(fc.property(fc.integer({ min: 0, max: shape.maxClass }), fc.integer({ min: 0, max: 7 }), fc.array(f64, { minLength: 64, maxLength: 64 }), (k, offset, values) => {
      const ringLen = k > 0 ? t.pool.blockSize(k) : 0;
      const rec = byHand(k, values.slice(0, shape.headerSize), Array.from({ length: ringLen }, (_, i) => values[(shape.headerSize + i) % values.length]));
      const s = readEntityRecord(t, 7, rec, ['state']);
      expect(entityRecordBytes(t, s)).toBe(rec.length);
      expect(Buffer.from(writeEntityRecord(t, s)).equals(rec)).toBe(true);
      // Into a slice of a larger Buffer, not 8-byte aligned: what the Redis store sends.
      const big = Buffer.alloc(rec.length + 8, 0xee);
      const out = big.subarray(offset, offset + rec.length);
      expect(writeEntityRecord(t, s, out)).toBe(out);
      expect(out.equals(rec)).toBe(true);
      expect(big.subarray(offset + rec.length).every((b) => b === 0xee)).toBe(true);
    }), { numRuns: 300 });
  });

  it('an out of the wrong length is a typed error naming it, and writes nothing', () => {
    const t = new EntityTable(shape, 10, 1 << 30, 'lru');
    const s = readEntityRecord(t, 1, byHand(0, [1, 2, 3, 4, 5], []), ['state']);
    const out = new Uint8Array(entityRecordBytes(t, s) + 1).fill(9);
    try { writeEntityRecord(t, s, out); expect.unreachable(); } catch (e) { expect(e instanceof FeatureError && e.code === 'invalid_argument' && e.path[0] === 'out').toBe(true); }
    expect(out.every((b) => b === 9)).toBe(true);
  });
});
