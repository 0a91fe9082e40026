/**
 * A stream scorer on NATS JetStream: one process scoring the partitions it holds leases
 * on, each with its own scorer and in-memory entity state (partition-worker.ts), and
 * taking over the partitions of a process that died.
 *
 * Leases: a key per partition in a key-value bucket whose entries expire after
 * `leaseMs`. A process claims a free partition with `create` (fails while another holds
 * it), renews it every `leaseMs / 3` with `update` at the revision it holds (fails once
 * another took it), and on a failed renewal stops scoring that partition at once, writing
 * nothing. A process that dies stops renewing; after at most `leaseMs` its partitions are
 * free and a process with `takeover` claims them, restores their snapshots and replays.
 *
 * What is exact: an entity kind whose key includes the partition field (the customer,
 * customer × terminal) sees all of its events in one partition, in order, as one process
 * would. A kind keyed by another field (the terminal) is split: each partition keeps its
 * own windows of that terminal, over that partition's events only. The scorer reports
 * which kinds are which (`exactKinds`, `splitKinds`).
 */
import { randomUUID } from 'node:crypto';
import { createScorer, RiskscoreError, type LoadedBundle, type RiskscoreErrorLike, type Scorer, type ScorerOptions } from '@riskscore/core';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import * as natsObj from '@nats-io/obj';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FeatureSpec } from '@riskscore/features';
import { createJetStreamPublisher } from './jetstream-publisher';
import { natsLayout, type NatsLayout } from './nats-layout';
import { startPartitionWorker, type PartitionWorker, type PartitionWorkerStats } from './partition-worker';

/** Options of {@link createNatsStreamScorer}. */
export interface NatsStreamScorerOptions {
  /** A connection (the caller's: not closed by `stop()`). */
  nc: NatsConnection;
  /**
   * A second connection for the leases (default `nc`): under full load the replies to lease
   * renewals queue behind thousands of delivered events and PubAcks on `nc`, and a renewal
   * that comes back later than `leaseMs` gives the partition up. Snapshots are written over
   * it too, so that their megabytes do not delay decisions. The CLI opens one.
   */
  leaseConnection?: NatsConnection;
  bundle: LoadedBundle;
  /** Subject and bucket prefix (default `riskscore`) and partition count (default 8); the server's mapping must use the same (`natsLayout(...).mapping`). */
  prefix?: string;
  partitions?: number;
  /** Partitions this process claims at start (default all). */
  claim?: readonly number[];
  /** Also claim any other partition whose lease is free, `takeoverAfterMs` after start (default true). */
  takeover?: boolean;
  /** Default 2 × leaseMs: the time the other processes have to claim their own partitions first. */
  takeoverAfterMs?: number;
  /** Lease duration (default 3,000 ms; the lease bucket's TTL, set when the bucket is created). */
  leaseMs?: number;
  /** A snapshot every this many events (default 50,000) or `snapshotIntervalMs` (default 30,000) per partition. */
  snapshotEvery?: number;
  snapshotIntervalMs?: number;
  /** Per partition: events read ahead (default 2,048), events per batch (default 512), decisions awaiting their PubAck (default 4,096). */
  maxPending?: number;
  maxBatch?: number;
  publishWindow?: number;
  /** Options of each partition's scorer (backend, clock, idempotency, observer); not `store`. */
  scorerOptions?: Omit<ScorerOptions, 'store' | 'shareStateWith'>;
  /** Creates the streams and buckets when they are missing (default true); the events stream keeps `eventsMaxAgeMs` (default 7 days). */
  ensure?: boolean;
  eventsMaxAgeMs?: number;
  /** How long the decisions stream remembers a message id to drop a second publish of it (default 10 minutes): longer than a takeover's replay. */
  decisionsDuplicateWindowMs?: number;
  /** This process's name in the leases (default a random UUID). */
  owner?: string;
  log?: (line: string) => void;
}

/** A running stream scorer. */
export interface NatsStreamScorer {
  readonly owner: string;
  readonly layout: NatsLayout;
  /** Entity kinds exact across partitions (their key includes the partition field) and the split ones. */
  readonly exactKinds: readonly string[];
  readonly splitKinds: readonly string[];
  /** The partition field (the events' key publishers partition by). */
  readonly keyField: string;
  /** Partitions held now. */
  owned(): number[];
  /** Per partition held (or held before and stopped): what its worker did. */
  stats(): PartitionWorkerStats[];
  /** Failures that made this process give a partition up. */
  readonly failures: RiskscoreErrorLike[];
  /** Resolves once every partition in `claim` that was free is being scored. */
  readonly ready: Promise<void>;
  /** Stops: each partition lets what it read finish, writes a last snapshot and gives up its lease. */
  stop(): Promise<void>;
}

const positiveInt = (name: string, v: unknown, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RiskscoreError('invalid_argument', `stream scorer: ${name} must be a positive integer, got ${String(v)}`, { path: [name] });
  return v;
};

/** The partition field of a bundle's feature spec: its first entity kind with a one-field key. */
export function partitionFieldOf(bundle: LoadedBundle): { field: string; exact: string[]; split: string[] } {
  const entities = (bundle.manifest.features.spec as FeatureSpec | undefined)?.entities ?? [];
  const first = entities.find((e) => e.key.length === 1);
  if (first === undefined) throw new RiskscoreError('invalid_argument', `stream scorer: bundle ${bundle.id} has no entity kind with a one-field key to partition by`, { path: ['bundle', 'features', 'entities'] });
  const field = first.key[0];
  return { field, exact: entities.filter((e) => e.key.includes(field)).map((e) => e.name), split: entities.filter((e) => !e.key.includes(field)).map((e) => e.name) };
}

/** Creates the events and decisions streams and the lease and snapshot buckets when missing. */
export async function ensureNatsLayout(jsm: JetStreamManager, layout: NatsLayout, o: { eventsMaxAgeMs?: number; decisionsDuplicateWindowMs?: number } = {}): Promise<void> {
  const ensure = async (name: string, subjects: string[], extra: Record<string, unknown>): Promise<void> => {
    try { await jsm.streams.info(name); return; } catch { /* missing */ }
    try {
      await jsm.streams.add({ name, subjects, storage: StorageType.File, retention: RetentionPolicy.Limits, ...extra });
    } catch (e) {
      // Another process created it meanwhile (scorers starting together): fine if it is there now.
      try { await jsm.streams.info(name); } catch { throw e; }
    }
  };
  await ensure(layout.eventsStream, [layout.partitionSubject(0).replace(/\.0\.>$/, '.>')], { max_age: (o.eventsMaxAgeMs ?? 7 * 86_400_000) * 1e6, duplicate_window: 120e9 });
  await ensure(layout.decisionsStream, [`${layout.prefix}.decisions.>`], { duplicate_window: (o.decisionsDuplicateWindowMs ?? 600_000) * 1e6 });
}

/** Starts a stream scorer (see the file's comment); its partitions start as their leases are won. */
export async function createNatsStreamScorer(options: NatsStreamScorerOptions): Promise<NatsStreamScorer> {
  const { nc, bundle } = options;
  const layout = natsLayout({ prefix: options.prefix, partitions: options.partitions ?? 8 });
  const leaseMs = positiveInt('leaseMs', options.leaseMs, 3000);
  const snapshotEvery = positiveInt('snapshotEvery', options.snapshotEvery, 50_000);
  const snapshotIntervalMs = positiveInt('snapshotIntervalMs', options.snapshotIntervalMs, 30_000);
  const maxPending = positiveInt('maxPending', options.maxPending, 2048);
  const maxBatch = positiveInt('maxBatch', options.maxBatch, 512);
  const publishWindow = positiveInt('publishWindow', options.publishWindow, 4096);
  const claim = options.claim ?? Array.from({ length: layout.partitions }, (_, i) => i);
  for (const p of claim) layout.partitionKey(p);
  const takeover = options.takeover ?? true;
  const takeoverAfterMs = options.takeoverAfterMs ?? 2 * leaseMs;
  const owner = options.owner ?? randomUUID();
  const log = options.log ?? (() => {});
  const { field: keyField, exact, split } = partitionFieldOf(bundle);
  const idField = (bundle.manifest.features.spec as FeatureSpec | undefined)?.event?.idField;

  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  if (options.ensure !== false) await ensureNatsLayout(jsm, layout, options);
  // The object store hashes every chunk; its default is pure-JS SHA-256, which for a 12 MB
  // snapshot blocked the event loop long enough to put ~1.4 s into bench:stream's paced
  // p99. Node's own is process-wide and much faster (@nats-io/obj ≥ 3.4 has the switch).
  const obj = natsObj as { setSha256Backend?: (b: 'js' | 'native') => void };
  if (typeof obj.setSha256Backend === 'function') obj.setSha256Backend('native');
  // Twice: two scorers starting together may race to create a bucket; the second try finds it.
  const twice = async <T>(f: () => Promise<T>): Promise<T> => { try { return await f(); } catch { await new Promise((r) => setTimeout(r, 100)); return f(); } };
  const leases: KV = await twice(() => new Kvm(options.leaseConnection ?? nc).create(layout.leaseBucket, { ttl: leaseMs, history: 1 }));
  // Snapshots go over the lease connection too: tens of MB through `nc` would hold up the decisions' PubAcks behind them.
  const snapshots: ObjectStore = await twice(() => new Objm(options.leaseConnection ?? nc).create(layout.snapshotBucket));
  const publisher = createJetStreamPublisher(nc, { timeoutMs: 5000 });

  interface Held { revision: number; renewedAt: number; worker: PartitionWorker | undefined; scorer: Scorer | undefined; releasing?: Promise<void>; renewing?: Promise<boolean>; lost?: boolean }
  const held = new Map<number, Held>();
  const finished: PartitionWorkerStats[] = [];
  const failures: RiskscoreErrorLike[] = [];
  const leaseValue = JSON.stringify({ owner, pid: process.pid });
  const startedAt = Date.now();
  let stopping = false;

  /**
   * Stops scoring a partition; `inOrder`: a last snapshot, and the lease given back at once.
   * The partition stays held (its lease renewed) until its worker has stopped, so the last
   * snapshot passes the worker's ownership check; a second call joins the first.
   */
  function release(p: number, inOrder: boolean): Promise<void> {
    const h = held.get(p);
    if (h === undefined) return Promise.resolve();
    h.releasing ??= (async () => {
      if (h.worker !== undefined) {
        await h.worker.stop({ snapshot: inOrder });
        finished.push({ ...h.worker.stats });
      }
      if (held.get(p) === h) held.delete(p);
      await h.scorer?.close();
      if (inOrder) {
        try { await leases.delete(layout.partitionKey(p), { previousSeq: h.revision }); } catch { /* taken or expired meanwhile */ }
      }
    })();
    return h.releasing;
  }

  async function begin(p: number, revision: number): Promise<void> {
    const h: Held = { revision, renewedAt: Date.now(), worker: undefined, scorer: undefined };
    held.set(p, h);
    log(`${owner}: holds partition ${p}`);
    h.scorer = await createScorer(bundle, { ...options.scorerOptions });
    if (held.get(p) !== h) { await h.scorer.close(); return; }
    h.worker = startPartitionWorker({
      js, jsm, layout, partition: p, scorer: h.scorer, snapshots, publisher, idField,
      snapshotEvery, snapshotIntervalMs, maxPending, maxBatch, publishWindow, log, snapshotTurn,
      stillOwner: async () => held.get(p) === h && await renew(p),
      // Given up, not in order: the lease is deleted so that a process (this one too) claims it, restores and replays.
      onFailure: (e) => {
        failures.push(e);
        void release(p, false).then(() => leases.delete(layout.partitionKey(p), { previousSeq: h.revision })).catch(() => {});
      },
    });
    await h.worker.started.catch(() => { /* onFailure has it */ });
  }

  /**
   * Renews a partition's lease at the revision held. One renewal at a time per partition
   * (the lease timer and a snapshot's ownership check share it): two at once would send the
   * same revision, and the second would read the first's write as the lease taken.
   */
  function renew(p: number): Promise<boolean> {
    const h = held.get(p);
    if (h === undefined || h.lost) return Promise.resolve(false);
    h.renewing ??= (async () => {
      try {
        h.revision = await leases.update(layout.partitionKey(p), leaseValue, h.revision);
        h.renewedAt = Date.now();
        return true;
      } catch (e) {
        const lost = /wrong last sequence|not found|deleted/i.test((e as Error).message ?? '');
        if (lost || Date.now() - h.renewedAt >= leaseMs) {
          h.lost = true;
          log(`${owner}: lost the lease of partition ${p} (${(e as Error).message})`);
          void release(p, false);
        }
        return false;
      } finally {
        h.renewing = undefined;
      }
    })();
    return h.renewing;
  }

  /** One partition's snapshot at a time in this process (partition-worker.ts: `snapshotTurn`); the next waits a timer turn, so renewals run between. */
  let turn: Promise<void> = Promise.resolve();
  const snapshotTurn = (): Promise<() => void> => {
    let end!: () => void;
    const mine = new Promise<void>((r) => { end = () => { setTimeout(r, 0); }; });
    const wait = turn.then(() => end);
    turn = turn.then(() => mine);
    return wait;
  };

  /** Partitions being started (restore, consumer): not awaited by the lease round, whose renewals must go on meanwhile. */
  const starting = new Set<Promise<void>>();

  /** One lease round: renew what is held, claim what is free; resolves with the starts it began. */
  async function tick(): Promise<Promise<void>[]> {
    const began: Promise<void>[] = [];
    if (stopping) return began;
    await Promise.all([...held.keys()].map((p) => renew(p)));
    const candidates = takeover && Date.now() - startedAt >= takeoverAfterMs
      ? Array.from({ length: layout.partitions }, (_, i) => i) : claim;
    for (const p of candidates) {
      if (stopping || held.has(p)) continue;
      let revision: number;
      try { revision = await leases.create(layout.partitionKey(p), leaseValue); } catch { continue; }
      const b: Promise<void> = begin(p, revision).catch((e) => { log(`${owner}: partition ${p} did not start: ${(e as Error).message}`); }).finally(() => { starting.delete(b); });
      starting.add(b);
      began.push(b);
    }
    return began;
  }

  let ticking: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => { ticking = ticking.then(tick).catch((e) => log(`${owner}: lease round failed: ${(e as Error).message}`)); }, Math.max(50, Math.floor(leaseMs / 3)));
  const first = tick();
  ticking = first;
  const ready = first.then((began) => Promise.all(began)).then(() => {});

  return {
    owner, layout, keyField,
    exactKinds: exact, splitKinds: split,
    owned: () => [...held.keys()].sort((a, b) => a - b),
    stats: () => [...finished, ...[...held.values()].flatMap((h) => (h.worker ? [{ ...h.worker.stats }] : []))],
    failures,
    ready,
    async stop() {
      stopping = true;
      clearInterval(timer);
      await ticking.catch(() => {});
      await Promise.all([...starting]);
      await Promise.all([...held.keys()].map((p) => release(p, true)));
      publisher.close();
    },
  };
}
