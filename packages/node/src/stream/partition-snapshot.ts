/**
 * A partition's snapshot: its scorer's entity state and the stream position it stands for
 * (every event of the partition up to `seq` committed, none after), as one blob:
 *
 *   "RSP1" · u32 little-endian header length · header JSON · state bytes
 *
 * The header names the partition, the stream sequence, the feature spec (its key: a
 * snapshot of another spec is refused, not restored into the wrong layout), the bundle, and
 * the sha256 of the state bytes (checked on read). Kept in a JetStream object store, one
 * object per partition, replaced by each new snapshot.
 */
import { createHash } from 'node:crypto';
import { RiskscoreError } from '@riskscore/core';

/** What a snapshot says about itself. */
export interface PartitionSnapshotHeader {
  format: 'riskscore-partition-snapshot/1';
  partition: number;
  /** The events stream's sequence of the last event in this state (0: none). */
  seq: number;
  /** Events this partition's scorers have handled up to `seq`, across takeovers. */
  events: number;
  /** The feature spec's key (`featureSpecKey`) and the bundle that wrote it. */
  featureSpec: string;
  model: string;
  /** sha256 (hex) of the state bytes. */
  stateSha256: string;
  /** When it was written (ISO 8601). */
  writtenAt: string;
}

const MAGIC = [0x52, 0x53, 0x50, 0x31]; // "RSP1"

/** The blob of a snapshot. */
export function encodePartitionSnapshot(header: Omit<PartitionSnapshotHeader, 'format' | 'stateSha256' | 'writtenAt'>, state: Uint8Array): Uint8Array {
  const full: PartitionSnapshotHeader = {
    format: 'riskscore-partition-snapshot/1', ...header,
    stateSha256: createHash('sha256').update(state).digest('hex'), writtenAt: new Date().toISOString(),
  };
  const json = new TextEncoder().encode(JSON.stringify(full));
  const out = new Uint8Array(8 + json.length + state.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(state, 8 + json.length);
  return out;
}

/** Reads a snapshot blob; `invalid_snapshot` naming what is wrong for bytes that are not one or are damaged. */
export function decodePartitionSnapshot(blob: Uint8Array): { header: PartitionSnapshotHeader; state: Uint8Array } {
  const bad = (why: string): RiskscoreError => new RiskscoreError('invalid_snapshot', `partition snapshot: ${why}`, { path: ['snapshot'] });
  if (blob.length < 8 || MAGIC.some((b, i) => blob[i] !== b)) throw bad('not a riskscore partition snapshot (no RSP1 magic)');
  const n = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(4, true);
  if (8 + n > blob.length) throw bad(`header of ${n} bytes runs past the end (${blob.length} bytes)`);
  let header: PartitionSnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(blob.subarray(8, 8 + n))) as PartitionSnapshotHeader;
  } catch {
    throw bad('header is not JSON');
  }
  if (header?.format !== 'riskscore-partition-snapshot/1' || !Number.isInteger(header.partition) || !Number.isInteger(header.seq) || header.seq < 0
    || !Number.isInteger(header.events) || typeof header.featureSpec !== 'string' || typeof header.stateSha256 !== 'string') {
    throw bad('header lacks format, partition, seq, events, featureSpec or stateSha256');
  }
  const state = blob.subarray(8 + n);
  const sha = createHash('sha256').update(state).digest('hex');
  if (sha !== header.stateSha256) throw bad(`state bytes do not match their sha256 (${sha.slice(0, 12)}… vs ${header.stateSha256.slice(0, 12)}…)`);
  return { header, state };
}
