/**
 * Where stream scoring lives on a NATS server: subjects, streams, consumers and buckets,
 * all named from one prefix and a partition count, and the server's subject mapping that
 * partitions events by entity key.
 *
 * Publishers send an event to `<prefix>.in.<key>`, the key being the event's partition
 * field (the customer, say) written as one subject token. The server maps that subject to
 * `<prefix>.p.<n>.<key>` with `n = fnv1a32(key) % partitions` (its deterministic
 * `partition()` transform; {@link partitionOf} computes the same on the client), and the
 * events stream keeps `<prefix>.p.>`. A scorer owning partition `n` consumes
 * `<prefix>.p.<n>.>`: every event of one key reaches one scorer, in order. Decisions go to
 * `<prefix>.decisions.<n>`, kept by the decisions stream, with the event's id as message id
 * so that a decision published twice (a replay after a failover) is stored once.
 */
import { RiskscoreError } from '@riskscore/core';

/** Names of a stream-scoring deployment on NATS. */
export interface NatsLayout {
  readonly prefix: string;
  readonly partitions: number;
  /** Subject publishers send events to: `<prefix>.in.<key>`. */
  readonly inSubject: (key: string) => string;
  /** Subject of partition `n`'s events (after the server's mapping): `<prefix>.p.<n>.>` for a consumer, `<prefix>.p.<n>.<key>` for one event. */
  readonly partitionSubject: (n: number, key?: string) => string;
  /** Subject of partition `n`'s decisions. */
  readonly decisionSubject: (n: number) => string;
  /** The JetStream streams, the partition consumers and the key-value and object buckets. */
  readonly eventsStream: string;
  readonly decisionsStream: string;
  readonly consumer: (n: number) => string;
  readonly leaseBucket: string;
  readonly snapshotBucket: string;
  /** Lease and snapshot key of partition `n`. */
  readonly partitionKey: (n: number) => string;
  /** The nats-server configuration line that partitions `<prefix>.in.*` (put it in the server's config, or the account's). */
  readonly mapping: string;
}

const PREFIX = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** The layout of `prefix` (default `riskscore`; letters, digits, `_`, `-`) over `partitions` (1 to 1,024). */
export function natsLayout(options: { prefix?: string; partitions: number }): NatsLayout {
  const prefix = options.prefix ?? 'riskscore';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new RiskscoreError('invalid_argument', `nats layout: prefix must be a letter then up to 31 letters, digits, _ or -, got ${JSON.stringify(prefix)}`, { path: ['prefix'] });
  }
  const n = options.partitions;
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new RiskscoreError('invalid_argument', `nats layout: partitions must be an integer from 1 to 1024, got ${String(n)}`, { path: ['partitions'] });
  }
  const upper = prefix.toUpperCase().replace(/-/g, '_');
  const checkPartition = (p: number): number => {
    if (!Number.isInteger(p) || p < 0 || p >= n) throw new RiskscoreError('invalid_argument', `nats layout: partition must be an integer from 0 to ${n - 1}, got ${String(p)}`, { path: ['partition'] });
    return p;
  };
  return {
    prefix,
    partitions: n,
    inSubject: (key) => `${prefix}.in.${key}`,
    partitionSubject: (p, key) => `${prefix}.p.${checkPartition(p)}.${key ?? '>'}`,
    decisionSubject: (p) => `${prefix}.decisions.${checkPartition(p)}`,
    eventsStream: `${upper}_EVENTS`,
    decisionsStream: `${upper}_DECISIONS`,
    consumer: (p) => `${prefix}-p${checkPartition(p)}`,
    leaseBucket: `${prefix}-leases`,
    snapshotBucket: `${prefix}-snapshots`,
    partitionKey: (p) => `p${checkPartition(p)}`,
    mapping: `mappings = { ${JSON.stringify(`${prefix}.in.*`)}: ${JSON.stringify(`${prefix}.p.{{partition(${n},1)}}.{{wildcard(1)}}`)} }`,
  };
}

const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const utf8 = new TextEncoder();

/**
 * An entity key as one subject token: itself when it is 1 to 128 letters, digits, `_` or
 * `-` (a customer number), else `x` and the hex of its UTF-8 bytes (no `.`, `*`, `>` or
 * space can reach a subject). Throws `invalid_event` for a key that is not a string or a
 * finite number.
 */
export function keyToken(key: unknown, field: string): string {
  const s = typeof key === 'number' && Number.isFinite(key) ? String(key) : typeof key === 'string' && key.length > 0 ? key : undefined;
  if (s === undefined) throw new RiskscoreError('invalid_event', `${field}: expected the partition key (a non-empty string or a finite number), got ${key === null ? 'null' : typeof key}`, { path: [field] });
  if (TOKEN.test(s) && !s.startsWith('x')) return s;
  let hex = 'x';
  for (const b of utf8.encode(s)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * The partition nats-server's `{{partition(n,1)}}` gives a subject token: FNV-1a (32-bit)
 * of its bytes modulo `n`. For publishers that send to `<prefix>.p.<n>.<key>` themselves.
 */
export function partitionOf(token: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(token)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
