/**
 * Publishing events for stream scoring: each event to `<prefix>.in.<key>` (the server's
 * mapping puts it in its partition), or, with `partitionOnClient`, straight to
 * `<prefix>.p.<n>.<key>` with the same partition the server would give. The event's id is
 * the message id, so an event published twice within the events stream's duplicate window
 * is stored once.
 */
import { eventIdOf, RiskscoreError } from '@riskscore/core';
import { jetstream, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { keyToken, natsLayout, partitionOf, type NatsLayout } from './nats-layout';

export interface NatsEventPublisherOptions {
  nc: NatsConnection;
  prefix?: string;
  partitions: number;
  /** The partition field (the stream scorer's `keyField`: its bundle's first one-field entity key). */
  keyField: string;
  /** The event id field (message id); undefined: no deduplication of events. */
  idField?: string;
  /** Compute the partition here instead of relying on the server's mapping (default false). */
  partitionOnClient?: boolean;
}

export interface NatsEventPublisher {
  readonly layout: NatsLayout;
  /** The subject an event goes to (throws `invalid_event` for an event without a usable key). */
  subjectOf(event: Record<string, unknown>): string;
  /** Publishes one event; resolves with the stream's PubAck. */
  publish(event: Record<string, unknown>): Promise<PubAck>;
  /** Publishes events in order with at most `window` (default 1,024) PubAcks awaited at once. */
  publishAll(events: Iterable<Record<string, unknown>>, options?: { window?: number }): Promise<{ published: number; duplicates: number }>;
}

const encoder = new TextEncoder();

export function createNatsEventPublisher(o: NatsEventPublisherOptions): NatsEventPublisher {
  const layout = natsLayout({ prefix: o.prefix, partitions: o.partitions });
  if (typeof o.keyField !== 'string' || o.keyField === '') throw new RiskscoreError('invalid_argument', 'event publisher: keyField must be a field name', { path: ['keyField'] });
  const js = jetstream(o.nc);
  const subjectOf = (event: Record<string, unknown>): string => {
    if (event === null || typeof event !== 'object') throw new RiskscoreError('invalid_event', `expected an event object, got ${event === null ? 'null' : typeof event}`, { path: ['event'] });
    const token = keyToken(Object.prototype.hasOwnProperty.call(event, o.keyField) ? event[o.keyField] : undefined, o.keyField);
    return o.partitionOnClient ? layout.partitionSubject(partitionOf(token, layout.partitions), token) : layout.inSubject(token);
  };
  const publish = (event: Record<string, unknown>): Promise<PubAck> => {
    const subject = subjectOf(event);
    const id = eventIdOf(event, o.idField);
    const msgID = id === undefined ? undefined : String(id);
    return js.publish(subject, encoder.encode(JSON.stringify(event)), msgID === undefined ? undefined : { msgID });
  };
  return {
    layout,
    subjectOf,
    publish,
    async publishAll(events, options) {
      const window = options?.window ?? 1024;
      const inFlight = new Set<Promise<void>>();
      let published = 0;
      let duplicates = 0;
      let error: unknown;
      for (const e of events) {
        if (error !== undefined) break;
        const p: Promise<void> = publish(e).then((a) => { published++; if (a.duplicate) duplicates++; }, (err) => { error ??= err; }).finally(() => { inFlight.delete(p); });
        inFlight.add(p);
        if (inFlight.size >= window) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (error !== undefined) throw error;
      return { published, duplicates };
    },
  };
}
