import { FeatureError } from '../errors';
import type { EntityTable, RingCopier } from './entity-table';
import type { EntityKey } from './state-store';
import type { StringKey } from './string-key';

/**
 * One entity's state as bytes, for a store that keeps entities apart (Redis: one value
 * per entity). The in-memory layout, little-endian: u32 magic `RSE1`, u32 header size,
 * u8 ring class, 7 bytes 0, then the header's float64s and the ring block's raw
 * float64s (a ring slot is `seq & (capacity - 1)`, so the block read back into a block
 * of the same class keeps every event where it was). The key, recency and version are
 * not in it: the store keeps them beside the bytes.
 */
const MAGIC = 0x31455352; // 'RSE1' read as a little-endian u32
const PREAMBLE = 16;

if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) {
  throw new FeatureError('invalid_argument', 'entity records need a little-endian platform', []);
}

/** Bytes of slot `s`'s record. */
export function entityRecordBytes(t: EntityTable, s: number): number {
  const k = t.ringClass[s];
  return PREAMBLE + 8 * (t.shape.headerSize + (k > 0 ? t.pool.blockSize(k) : 0));
}

/**
 * Slot `s`'s state as a record: into `out` when given (exactly `entityRecordBytes(t, s)`
 * long, any byte offset: a Node Buffer for a client to send as it is), else a new buffer.
 */
export function writeEntityRecord<B extends Uint8Array = Uint8Array>(t: EntityTable, s: number, out?: B): B {
  const { headerSize } = t.shape;
  const k = t.ringClass[s];
  const bytes = entityRecordBytes(t, s);
  if (out !== undefined && out.length !== bytes) {
    throw new FeatureError('invalid_argument', `writeEntityRecord: out must be ${bytes} bytes, got ${out.length}`, ['out']);
  }
  const rec = out ?? (new Uint8Array(bytes) as B);
  const head = new DataView(rec.buffer, rec.byteOffset, PREAMBLE);
  head.setUint32(0, MAGIC, true);
  head.setUint32(4, headerSize, true);
  rec.fill(0, 8, PREAMBLE);
  rec[8] = k;
  // Byte copies of the float64 pages: `out` need not be 8-byte aligned.
  const hp = t.headerPage(s);
  rec.set(new Uint8Array(hp.buffer, hp.byteOffset + 8 * t.headerOffset(s), 8 * headerSize), PREAMBLE);
  if (k > 0) {
    const b = t.ringBlock[s];
    const page = t.pool.page(k, b);
    rec.set(new Uint8Array(page.buffer, page.byteOffset + 8 * t.pool.base(k, b), 8 * t.pool.blockSize(k)), PREAMBLE + 8 * headerSize);
  }
  return rec;
}

/** A fresh, 8-byte aligned copy (Buffer's slice is a view, not a copy). */
function copyOf(b: Uint8Array): Uint8Array {
  const c = new Uint8Array(b.length);
  c.set(b);
  return c;
}

const NO_COPY: RingCopier = { copyRing() { /* the record overwrites the new block */ } };

/**
 * Replaces `key`'s local state with a record `writeEntityRecord` wrote (the entity is
 * created when absent, and its old ring given back): returns its slot. Checks the
 * record first and refuses a bad one (wrong magic, header size or ring class for this
 * layout, wrong length) with `invalid_snapshot`, changing nothing; `state_limit` when
 * the ring does not fit the table's byte bound.
 */
export function readEntityRecord(t: EntityTable, key: EntityKey | StringKey, bytes: Uint8Array, path: ReadonlyArray<string | number>): number {
  const { headerSize, maxClass } = t.shape;
  const bad = (what: string): never => {
    throw new FeatureError('invalid_snapshot', `entity record: ${what}; the stored state is not an entity of this feature spec's layout`, path, { details: { bytes: bytes.length } });
  };
  if (bytes.length < PREAMBLE) bad(`${bytes.length} bytes is shorter than its ${PREAMBLE}-byte preamble`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) bad('wrong magic');
  if (dv.getUint32(4, true) !== headerSize) bad(`header of ${dv.getUint32(4, true)} float64s, this layout has ${headerSize}`);
  const k = dv.getUint8(8);
  if (k > maxClass || (k > 0 && t.pool.lanes === 0)) bad(`ring class ${k} (this layout's largest is ${maxClass})`);
  const ringLen = k > 0 ? t.pool.blockSize(k) : 0;
  if (bytes.length !== PREAMBLE + 8 * (headerSize + ringLen)) bad(`${bytes.length} bytes, a record of ring class ${k} has ${PREAMBLE + 8 * (headerSize + ringLen)}`);
  // Aligned float64s: copy the bytes when the view is not on an 8-byte boundary.
  const src = (bytes.byteOffset & 7) === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset + PREAMBLE, headerSize + ringLen)
    : new Float64Array(copyOf(bytes.subarray(PREAMBLE)).buffer);
  let s = t.find(key);
  if (s >= 0 && t.ringClass[s] !== k && t.ringClass[s] > 0) {
    // A smaller or no ring: the table cannot shrink a ring in place, so the entity starts over.
    t.delete(key);
    s = -1;
  }
  if (s < 0) s = t.create(key);
  else t.touch(s);
  if (k > 0 && t.ringClass[s] !== k && !t.setRing(s, k, NO_COPY)) {
    t.delete(key);
    throw new FeatureError('state_limit', `entity record: a ring of ${1 << k} events does not fit the local table's byte bound`, path, { details: { ringClass: k } });
  }
  const o = t.headerOffset(s);
  t.headerPage(s).set(src.subarray(0, headerSize), o);
  if (k > 0) {
    const b = t.ringBlock[s];
    t.pool.page(k, b).set(src.subarray(headerSize), t.pool.base(k, b));
  }
  return s;
}
