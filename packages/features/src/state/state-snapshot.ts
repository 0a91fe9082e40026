import { FeatureError } from '../errors';
import { EntityTable, type AdmissionPolicy, type EntityShape } from './entity-table';
import { ByteReader, ByteWriter, snapshotChecksum } from './snapshot-bytes';

/** The first four bytes of a state snapshot: "RFSS" (riskscore feature state snapshot). */
export const STATE_SNAPSHOT_MAGIC = 0x53534652;
/** The snapshot format this code writes and the only one it reads. */
export const STATE_SNAPSHOT_FORMAT_VERSION = 1;
/** Bytes before the payload: magic, format version, payload length, checksum, reserved. */
const HEAD_BYTES = 24;

function admissionCode(a: AdmissionPolicy): number {
  return a === 'segmented' ? 1 : 0;
}

/** Whether two entity shapes are the same layout. */
export function sameEntityShape(a: EntityShape, b: EntityShape): boolean {
  return a.signature === b.signature && a.headerSize === b.headerSize && a.lanes === b.lanes && a.maxClass === b.maxClass;
}

/**
 * The bytes of a store's state: one table per entity kind (index = the kind's index in
 * the spec's `entities`; undefined: the kind holds nothing).
 *
 * Format (little-endian, fields at multiples of their width):
 * - head (24 bytes): u32 magic {@link STATE_SNAPSHOT_MAGIC}, u32 format version, f64
 *   payload length in bytes, u32 checksum of the payload ({@link snapshotChecksum}), u32 0;
 * - payload: u32 admission policy (0 'lru', 1 'segmented'), u32 number of kinds, f64
 *   maxEntities and f64 maxBytes of the store that wrote it (informational), then per
 *   kind u32 present (0/1), u32 0 and, when present, the table
 *   ({@link EntityTable.writeSnapshot}: its shape signature first).
 *
 * @example
 * const bytes = writeStateSnapshot([cards, terminals], 'segmented', 100_000, 2 ** 28);
 */
export function writeStateSnapshot(tables: readonly (EntityTable | undefined)[], admission: AdmissionPolicy, maxEntities: number, maxBytes: number): Uint8Array {
  let n = HEAD_BYTES + 24;
  for (const t of tables) n += 8 + (t ? t.snapshotByteLength() : 0);
  const w = new ByteWriter(n);
  w.u32(STATE_SNAPSHOT_MAGIC);
  w.u32(STATE_SNAPSHOT_FORMAT_VERSION);
  w.f64(n - HEAD_BYTES);
  w.u32(0); // checksum, written last
  w.u32(0);
  w.u32(admissionCode(admission));
  w.u32(tables.length);
  w.f64(maxEntities);
  w.f64(maxBytes);
  for (const t of tables) {
    w.u32(t ? 1 : 0);
    w.u32(0);
    t?.writeSnapshot(w);
  }
  if (w.pos !== n) throw new Error(`writeStateSnapshot: wrote ${w.pos} bytes, sized ${n}`); // a bug, not bad input
  new DataView(w.bytes.buffer).setUint32(16, snapshotChecksum(w.bytes, HEAD_BYTES, n), true);
  return w.bytes;
}

/**
 * Reads a snapshot into new tables with this store's bounds and policy, checking all of
 * it first: magic, format version, length, checksum, policy, then every table
 * ({@link EntityTable.readSnapshot}). Refuses with `FeatureError` `invalid_snapshot`;
 * changes nothing (the caller swaps the tables in only when this returns).
 *
 * @example
 * const tables = readStateSnapshot(bytes, 100_000, 2 ** 28, 'segmented');
 */
export function readStateSnapshot(bytes: Uint8Array, maxEntities: number, maxBytes: number, admission: AdmissionPolicy): (EntityTable | undefined)[] {
  const bad = (what: string, details: Record<string, unknown> = {}): FeatureError =>
    new FeatureError('invalid_snapshot', `restore: ${what}; the bytes are not a state snapshot this store can restore`, ['bytes'], { details });
  if (!(bytes instanceof Uint8Array)) throw new FeatureError('invalid_argument', 'restore: expected the Uint8Array that snapshot() returned', ['bytes']);
  if (bytes.byteLength < HEAD_BYTES) throw bad(`${bytes.byteLength} bytes, shorter than a snapshot's ${HEAD_BYTES}-byte head`, { length: bytes.byteLength });
  // Views need the data at a multiple of 8 in its buffer (a Node Buffer often is not): copy then.
  const b = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const r = new ByteReader(b);
  const magic = r.u32();
  if (magic !== STATE_SNAPSHOT_MAGIC) throw bad(`wrong magic 0x${magic.toString(16)} (expected 0x${STATE_SNAPSHOT_MAGIC.toString(16)})`, { magic });
  const version = r.u32();
  if (version !== STATE_SNAPSHOT_FORMAT_VERSION) throw bad(`format version ${version}, this code reads ${STATE_SNAPSHOT_FORMAT_VERSION}`, { version });
  const length = r.f64();
  if (length !== b.byteLength - HEAD_BYTES) throw bad(`the head says ${length} payload bytes, ${b.byteLength - HEAD_BYTES} are there (truncated or extended)`, { expected: length, actual: b.byteLength - HEAD_BYTES });
  if (length % 8 !== 0) throw bad(`a payload of ${length} bytes, not a multiple of 8`);
  const sum = r.u32();
  r.u32();
  const actual = snapshotChecksum(b, HEAD_BYTES, b.byteLength);
  if (sum !== actual) throw bad(`checksum mismatch (stored ${sum}, computed ${actual}): the bytes were damaged`, { stored: sum, computed: actual });
  const pol = r.u32();
  if (pol !== admissionCode(admission)) throw bad(`the snapshot was taken under admission '${pol === 1 ? 'segmented' : pol === 0 ? 'lru' : pol}', this store uses '${admission}'`, { admission: pol });
  const kinds = r.u32();
  if (kinds > 1 << 16) throw bad(`${kinds} entity kinds`);
  r.f64();
  r.f64();
  const tables: (EntityTable | undefined)[] = [];
  for (let e = 0; e < kinds; e++) {
    const present = r.u32();
    r.u32();
    if (present > 1) throw bad(`entity kind ${e}: presence flag ${present}`);
    tables.push(present ? EntityTable.readSnapshot(r, maxEntities, maxBytes, admission, ['bytes', 'kinds', e]) : undefined);
  }
  if (r.pos !== r.end) throw bad(`${r.end - r.pos} bytes after the last entity kind`);
  return tables;
}
