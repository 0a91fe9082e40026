/**
 * One partition of the events stream, scored by the process that holds its lease:
 *
 *   restore the partition's snapshot (state up to stream sequence S) → a consumer from S + 1
 *   → scoreStream over its messages → each decision published (message id: the event's id)
 *   → the event acknowledged once its decision's PubAck came back (the consumer acknowledges
 *   all up to a sequence: the last of a run whose decisions are all stored is acknowledged).
 *
 * Every `snapshotEvery` events or `snapshotIntervalMs` the worker lets what it read settle
 * (nothing in flight in the scorer), takes the state and the last sequence in one
 * synchronous step, waits for the PubAcks of every decision up to there, and writes the
 * snapshot. So a snapshot never stands for an event whose decision is not stored: a
 * scorer that takes the partition over after a crash restores it and replays from S + 1,
 * reaching the state the dead one had, and the decisions it publishes again for the
 * events after S are stored once (the decisions stream drops a message id it has within
 * its duplicate window).
 */
import { createHash } from 'node:crypto';
import { eventIdOf, featureSpecKey, isRiskscoreError, RiskscoreError, type RiskscoreErrorLike, type Scorer, type ScoreOutcome } from '@riskscore/core';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import type { JetStreamPublisher } from './jetstream-publisher';
import type { NatsLayout } from './nats-layout';
import { decodePartitionSnapshot, encodePartitionSnapshot } from './partition-snapshot';

/** A decision as published on `<prefix>.decisions.<n>` (JSON). */
export type PublishedDecision = {
  /** The event's id (the spec's id field), or null when it has none. */
  id: string | number | null;
  partition: number;
  /** The events stream's sequence of the event. */
  seq: number;
} & ({ ok: true; score: number; decision: string; reasons: string[]; model: string; duplicate?: true } | { ok: false; error: { code: string; message: string; path: Array<string | number> } });

/** What a partition worker has done since it started. */
export interface PartitionWorkerStats {
  partition: number;
  /** The snapshot it started from (stream sequence; 0: none, from the start). */
  restoredSeq: number;
  /** Events scored (ok or refused) and decisions stored (PubAck received) since it started. */
  scored: number;
  published: number;
  /** Decisions the decisions stream had already (a replay after a takeover). */
  duplicatesPublished: number;
  /** Snapshots written, and the sequence of the last one. */
  snapshots: number;
  snapshotSeq: number;
  /** Last stream sequence handled. */
  lastSeq: number;
}

export interface PartitionWorkerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  layout: NatsLayout;
  partition: number;
  /** A fresh scorer with its own in-memory state: the worker restores the snapshot into it. */
  scorer: Scorer;
  snapshots: ObjectStore;
  /** Publishes the decisions (shared by the process's partitions). */
  publisher: JetStreamPublisher;
  /** The events' id field (the decision's message id), or undefined: `stream:seq`. */
  idField: string | undefined;
  snapshotEvery: number;
  snapshotIntervalMs: number;
  maxPending: number;
  maxBatch: number;
  /** Decisions whose PubAck is awaited at once, at most. */
  publishWindow: number;
  /**
   * Waits for this process's turn to take a snapshot and resolves with the function that
   * ends it (default: no waiting). Taking one is synchronous (a 250k-event partition of the
   * fraud spec: ~50 MB in ~0.3 s), so partitions that fall due together would block the
   * event loop, lease renewals included, for their sum; one at a time, they don't.
   */
  snapshotTurn?: () => Promise<() => void>;
  /** Checks this process still holds the partition's lease, before a snapshot is written. */
  stillOwner: () => Promise<boolean>;
  /** Called once when the worker fails (publishing kept failing, the consumer went away): the owner gives the partition up. */
  onFailure: (error: RiskscoreErrorLike) => void;
  log: (line: string) => void;
}

export interface PartitionWorker {
  readonly stats: PartitionWorkerStats;
  /** Resolves once the worker consumes (snapshot restored, consumer created). */
  readonly started: Promise<void>;
  /** Stops reading, lets what was read finish and publish, and, with `snapshot`, writes a last snapshot. */
  stop(options?: { snapshot?: boolean }): Promise<void>;
}

const PUBLISH_ATTEMPTS = 6;
/** Object-store chunk of a snapshot: 512 KiB (the default 128 KiB makes a 50 MB snapshot 400 messages; the server clamps to its max payload). */
const SNAPSHOT_CHUNK = 512 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const specHash = (s: Scorer): string => createHash('sha256').update(featureSpecKey(s.bundle.manifest) ?? '').digest('hex');

/** Starts scoring one partition (see the file's comment). */
export function startPartitionWorker(o: PartitionWorkerOptions): PartitionWorker {
  const { js, jsm, layout, partition: p, scorer } = o;
  const state = scorer.state;
  const stats: PartitionWorkerStats = { partition: p, restoredSeq: 0, scored: 0, published: 0, duplicatesPublished: 0, snapshots: 0, snapshotSeq: 0, lastSeq: 0 };
  const encoder = new TextEncoder();
  const spec = specHash(scorer);
  const stopper = new AbortController();
  let messages: ConsumerMessages | undefined;
  let baseEvents = 0;
  let failed = false;

  // ---- publishing: every decision's PubAck before its event's ack; at most publishWindow at once.
  // The consumer acknowledges all up to a sequence (AckPolicy.All): once the decisions of a
  // run of events in handled order are all stored, the last of them is acknowledged.
  const inFlight = new Set<Promise<void>>();
  const unacked: Array<{ m: JsMsg; stored: boolean }> = [];
  let unackedHead = 0;
  const stored = (entry: { m: JsMsg; stored: boolean }): void => {
    entry.stored = true;
    let last: JsMsg | undefined;
    while (unackedHead < unacked.length && unacked[unackedHead].stored) last = unacked[unackedHead++].m;
    if (unackedHead > 4096) { unacked.splice(0, unackedHead); unackedHead = 0; }
    if (last !== undefined && !failed) last.ack();
  };
  const fail = (e: unknown): void => {
    if (failed) return;
    failed = true;
    // A NATS failure (the server gone, a stream deleted) is the stream being unavailable.
    const err = isRiskscoreError(e) ? e : new RiskscoreError('state_unavailable', `partition ${p}: ${(e as Error)?.message ?? String(e)}`, { path: ['stream', p], details: { op: 'consume' } });
    o.log(`partition ${p}: ${err.code}: ${err.message} — giving it up`);
    stopper.abort();
    messages?.stop();
    o.onFailure(err);
  };
  async function publish(m: JsMsg, outcome: ScoreOutcome, id: string | number | undefined): Promise<void> {
    const d: PublishedDecision = outcome.ok
      ? { id: id ?? null, partition: p, seq: m.seq, ok: true, score: outcome.result.score, decision: outcome.result.decision, reasons: outcome.result.reasons.map((r) => r.code), model: outcome.result.model, ...(outcome.result.duplicate ? { duplicate: true as const } : {}) }
      : { id: id ?? null, partition: p, seq: m.seq, ok: false, error: { code: outcome.error.code, message: outcome.error.message, path: [...outcome.error.path] } };
    const body = encoder.encode(JSON.stringify(d));
    const msgID = id === undefined ? `${layout.eventsStream}:${m.seq}` : String(id);
    for (let k = 1; ; k++) {
      try {
        const ack = await o.publisher.publish(layout.decisionSubject(p), body, msgID);
        stats.published++;
        if (ack.duplicate) stats.duplicatesPublished++;
        return;
      } catch (e) {
        if (k >= PUBLISH_ATTEMPTS || failed) throw new RiskscoreError('state_unavailable', `partition ${p}: publishing the decision of stream sequence ${m.seq} failed ${k} times: ${(e as Error).message}`, { path: ['stream', p], details: { op: 'publish', seq: m.seq } });
        await sleep(20 * 2 ** k);
      }
    }
  }

  // ---- snapshots: at a quiet point (everything read is scored), state + sequence in one step
  let given = 0;
  let handled = 0;
  let sinceSnapshot = 0;
  let lastSnapshotAt = Date.now();
  let writing: Promise<void> | undefined;
  let quiet: (() => void) | undefined;
  const snapshotDue = (): boolean => sinceSnapshot > 0 && writing === undefined
    && (sinceSnapshot >= o.snapshotEvery || Date.now() - lastSnapshotAt >= o.snapshotIntervalMs);
  /** Captures now (nothing may be in flight in the scorer) and writes once the decisions up to here are stored. */
  function capture(): Promise<void> {
    const seq = stats.lastSeq;
    const bytes = state === undefined ? new Uint8Array(0) : state.snapshot();
    const events = baseEvents + stats.scored;
    const pendingPublishes = [...inFlight];
    sinceSnapshot = 0;
    lastSnapshotAt = Date.now();
    const w = (async () => {
      await Promise.all(pendingPublishes);
      if (failed || !(await o.stillOwner())) return;
      const blob = encodePartitionSnapshot({ partition: p, seq, events, featureSpec: spec, model: scorer.model }, bytes);
      await o.snapshots.putBlob({ name: layout.partitionKey(p), options: { max_chunk_size: SNAPSHOT_CHUNK } }, blob);
      stats.snapshots++;
      stats.snapshotSeq = seq;
    })().catch((e) => {
      o.log(`partition ${p}: snapshot at ${seq} not written: ${(e as Error).message}`);
      // Still owed: the stop snapshot, or the next one due, writes it (the one stored is older, which only lengthens a replay).
      sinceSnapshot = Math.max(sinceSnapshot, 1);
    }).finally(() => { writing = undefined; });
    writing = w;
    return w;
  }
  /** Captures in this process's snapshot turn, if still due and quiet then (`force`: due or not, at stop). */
  let inTurn: Promise<void> | undefined;
  async function captureInTurn(force = false): Promise<void> {
    if (inTurn !== undefined && !force) return;
    // At stop, one already waiting for its turn (the idle timer's) may find nothing due: wait for it, then take ours.
    while (inTurn !== undefined) await inTurn;
    inTurn = (async () => {
      const end = o.snapshotTurn === undefined ? () => {} : await o.snapshotTurn();
      try {
        // At stop (`force`) the scorer has nothing in flight: what was read and not handled was never scored.
        if (force ? sinceSnapshot > 0 && writing === undefined : given === handled && snapshotDue()) void capture();
      } finally {
        end();
      }
    })().finally(() => { inTurn = undefined; });
    return inTurn;
  }
  // An idle partition writes its snapshot from a timer (nothing arrives to trigger it).
  const timer = setInterval(() => { if (given === handled && snapshotDue()) void captureInTurn(); }, Math.max(50, Math.min(o.snapshotIntervalMs, 1000)));
  timer.unref?.();

  const decoder = new TextDecoder();
  async function* source(msgs: ConsumerMessages): AsyncGenerator<Item> {
    for await (const m of msgs) {
      if (snapshotDue()) {
        // Let everything handed to the scorer come out, then capture before this message goes in.
        if (given !== handled) await new Promise<void>((r) => { quiet = r; });
        if (snapshotDue()) await captureInTurn();
      }
      let event: unknown;
      let notJson = false;
      try { event = JSON.parse(decoder.decode(m.data)); } catch { notJson = true; }
      given++;
      yield { m, event, notJson, id: eventIdOf(event, o.idField) };
    }
  }

  // ---- start: restore, consumer from the snapshot's next sequence, score
  const started = (async () => {
    let info;
    try { info = await o.snapshots.info(layout.partitionKey(p)); } catch { info = null; }
    if (info !== null && info !== undefined && !info.deleted) {
      const blob = await o.snapshots.getBlob(layout.partitionKey(p));
      if (blob !== null) {
        const { header, state: bytes } = decodePartitionSnapshot(blob);
        if (header.partition !== p) throw new RiskscoreError('invalid_snapshot', `partition ${p}: its snapshot says partition ${header.partition}`, { path: ['snapshot'] });
        if (header.featureSpec !== spec) throw new RiskscoreError('invalid_snapshot', `partition ${p}: its snapshot is of another feature spec (written by ${header.model}); delete the ${layout.snapshotBucket} object ${layout.partitionKey(p)} to start it over`, { path: ['snapshot'] });
        if (state !== undefined) state.restore(bytes);
        stats.restoredSeq = stats.snapshotSeq = stats.lastSeq = header.seq;
        baseEvents = header.events;
      }
    }
    const name = layout.consumer(p);
    try { await jsm.consumers.delete(layout.eventsStream, name); } catch { /* none yet */ }
    await jsm.consumers.add(layout.eventsStream, {
      durable_name: name,
      filter_subject: layout.partitionSubject(p),
      ack_policy: AckPolicy.All,
      ack_wait: 60_000_000_000,
      max_ack_pending: Math.max(1000, o.maxPending + o.publishWindow + o.maxBatch),
      ...(stats.restoredSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: stats.restoredSeq + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    const consumer = await js.consumers.get(layout.eventsStream, name);
    messages = await consumer.consume({ max_messages: Math.max(256, o.maxPending) });
    o.log(`partition ${p}: scoring from stream sequence ${stats.restoredSeq + 1}${stats.restoredSeq > 0 ? ' (snapshot restored)' : ''}`);
  })();

  const done = (async () => {
    try {
      await started;
    } catch (e) {
      fail(e);
      return;
    }
    try {
      for await (const { item, outcome: scored } of scorer.scoreStream(source(messages!), { eventOf: (i) => i.event, maxPending: o.maxPending, maxBatch: o.maxBatch, concurrency: 1, signal: stopper.signal })) {
        const { m, id } = item;
        handled++;
        stats.scored++;
        sinceSnapshot++;
        if (m.seq > stats.lastSeq) stats.lastSeq = m.seq;
        const outcome: ScoreOutcome = item.notJson
          ? { ok: false, error: new RiskscoreError('invalid_event', `stream sequence ${m.seq}: the message body is not JSON`, { path: ['event'] }) }
          : scored;
        if (failed) continue;
        const entry = { m, stored: false };
        unacked.push(entry);
        const pub = publish(m, outcome, id).then(() => stored(entry), fail).finally(() => { inFlight.delete(pub); });
        inFlight.add(pub);
        if (inFlight.size >= o.publishWindow) await Promise.race(inFlight);
        if (given === handled && quiet !== undefined) { const q = quiet; quiet = undefined; q(); }
      }
    } catch (e) {
      fail(e);
    }
    await Promise.all(inFlight);
  })();

  return {
    stats,
    started,
    async stop(options) {
      stopper.abort();
      messages?.stop();
      if (quiet !== undefined) { const q = quiet; quiet = undefined; q(); }
      await done;
      clearInterval(timer);
      await writing;
      if (options?.snapshot && !failed && sinceSnapshot > 0) { await captureInTurn(true); await writing; }
    },
  };
}

/** A message read from the partition's consumer, with its parsed body. */
interface Item { m: JsMsg; event: unknown; notJson: boolean; id: string | number | undefined }
