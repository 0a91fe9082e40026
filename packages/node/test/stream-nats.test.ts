// Stream scoring on a real nats-server with JetStream (the Debian package): handbook events
// published to <prefix>.in.<customer>, partitioned by the server's mapping, scored by
// stream scorers that own the partitions, decisions published to the decisions stream.
//
// The reference is a brute-force definition of what partitioned scoring must give: for
// each partition, one in-memory scorer fed that partition's events in stream order. Every
// published score must equal it bit for bit, and every partition's final snapshot must
// hold exactly its state bytes (sha256), however the partitions were spread over scorers
// and whichever scorer died on the way.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { createScorer, isRiskscoreError } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '../src/index';
import { createNatsEventPublisher, createNatsStreamScorer, keyToken, natsLayout, partitionFieldOf, partitionOf, startNatsServer, type NatsLayout } from '../src/nats';
import type { LocalServer } from '../src/servers/local-server';
import { decodePartitionSnapshot, encodePartitionSnapshot } from '../src/stream/partition-snapshot';
import type { PublishedDecision } from '../src/stream/partition-worker';
import { sharedDataPath, missingDataReason, REPO_ROOT } from '../../../testing/shared-data';
import { HANDBOOK_MONTHS, handbookEvents, type HandbookEvent } from '../../../testing/handbook-events';

const BUNDLE = `${REPO_ROOT}/examples/fdh-fraud/bundle-trees-mlp`;
const CLI = join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js');
const HAVE_NATS = existsSync('/usr/sbin/nats-server') || existsSync('/usr/bin/nats-server');
if (!HAVE_NATS && process.env.CI === 'true') throw new Error('CI=true but nats-server is missing: .ci/run installs nats-server');
const MONTHS = HANDBOOK_MONTHS;
const aprilPath = sharedDataPath(MONTHS[0]);
/** Events of the parity test (the issue: 100k) and of the kill -9 test (1M with STREAM_FAILOVER_EVENTS=1000000; the suite's default keeps it near a minute). */
const PARITY_EVENTS = 100_000;
const FAILOVER_EVENTS = Number(process.env.STREAM_FAILOVER_EVENTS ?? 150_000);
const P = 4;
/** A file to append the CLI children's logs to (leases, restores), for looking into a failure. */
const DEBUG_LOG = process.env.STREAM_DEBUG_LOG;

type Tx = HandbookEvent;

/** The first `n` handbook transactions, April 2018 on, in time order. */

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const partitionOfEvent = (e: Tx): number => partitionOf(keyToken(e.CUSTOMER_ID, 'CUSTOMER_ID'), P);

/** The reference: per partition, one in-memory scorer over its events in order. */
async function partitionReplay(events: Tx[]): Promise<{ scores: Map<number, number>; decisions: Map<number, string>; refused: Map<number, string>; stateHash: string[]; counts: number[] }> {
  const bundle = await loadBundleFromDir(BUNDLE);
  const parts: Tx[][] = Array.from({ length: P }, () => []);
  for (const e of events) parts[partitionOfEvent(e)].push(e);
  const scores = new Map<number, number>();
  const decisions = new Map<number, string>();
  const refused = new Map<number, string>();
  const stateHash: string[] = [];
  for (let p = 0; p < P; p++) {
    const s = await createScorer(bundle, { backend: createNodeBackend() });
    for (let i = 0; i < parts[p].length; i += 512) {
      const batch = parts[p].slice(i, i + 512);
      const out = await s.scoreBatch(batch);
      out.forEach((o, k) => { if (o.ok) { scores.set(batch[k].TRANSACTION_ID, o.result.score); decisions.set(batch[k].TRANSACTION_ID, o.result.decision); } else refused.set(batch[k].TRANSACTION_ID, o.error.code); });
    }
    stateHash.push(sha256(s.state!.snapshot()));
    await s.close();
  }
  return { scores, decisions, refused, stateHash, counts: parts.map((x) => x.length) };
}

async function publishAll(nc: NatsConnection, prefix: string, events: Tx[]): Promise<void> {
  const pub = createNatsEventPublisher({ nc, prefix, partitions: P, keyField: 'CUSTOMER_ID', idField: 'TRANSACTION_ID' });
  const r = await pub.publishAll(events, { window: 1024 });
  expect(r.published).toBe(events.length);
}

/** Waits until the decisions stream holds `n` messages (or fails after `ms`). */
async function waitDecisions(nc: NatsConnection, layout: NatsLayout, n: number, ms: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const t0 = Date.now();
  for (;;) {
    const have = (await jsm.streams.info(layout.decisionsStream)).state.messages;
    if (have >= n) return;
    if (Date.now() - t0 > ms) throw new Error(`${have} of ${n} decisions after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every message of the decisions stream. */
async function readDecisions(nc: NatsConnection, layout: NatsLayout): Promise<PublishedDecision[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(layout.decisionsStream)).state.messages;
  const c = await jetstream(nc).consumers.get(layout.decisionsStream);
  const out: PublishedDecision[] = [];
  if (total === 0) return out;
  const msgs = await c.consume({ max_messages: 4096 });
  for await (const m of msgs) {
    out.push(m.json<PublishedDecision>());
    if (out.length >= total) break;
  }
  await msgs.close();
  return out;
}

/** Each partition's snapshot header (stream sequence, events, state hash). */
async function snapshots(nc: NatsConnection, layout: NatsLayout): Promise<Array<{ seq: number; events: number; stateSha256: string }>> {
  const os = await new Objm(nc).open(layout.snapshotBucket);
  const out = [];
  for (let p = 0; p < P; p++) {
    const blob = await os.getBlob(layout.partitionKey(p));
    if (blob === null) throw new Error(`no snapshot of partition ${p}`);
    const { header, state } = decodePartitionSnapshot(blob);
    expect(sha256(state)).toBe(header.stateSha256);
    out.push({ seq: header.seq, events: header.events, stateSha256: header.stateSha256 });
  }
  return out;
}

/** Every event has exactly one decision, and it is the reference's. */
function expectOneDecisionEach(decisions: PublishedDecision[], events: Tx[], ref: Awaited<ReturnType<typeof partitionReplay>>): number {
  const seen = new Map<number, PublishedDecision>();
  let twice = 0;
  for (const d of decisions) {
    if (seen.has(d.id as number)) twice++;
    seen.set(d.id as number, d);
  }
  expect(twice).toBe(0);
  expect(decisions.length).toBe(events.length);
  let differ = 0;
  let wrongPartition = 0;
  let lastBits = 0;
  for (const e of events) {
    const d = seen.get(e.TRANSACTION_ID);
    if (d === undefined) { differ++; continue; }
    if (d.partition !== partitionOfEvent(e)) wrongPartition++;
    if (!d.ok) { if (ref.refused.get(e.TRANSACTION_ID) !== d.error.code) differ++; continue; }
    const want = ref.scores.get(e.TRANSACTION_ID);
    if (want === undefined || ref.decisions.get(e.TRANSACTION_ID) !== d.decision || Math.abs(d.score - want) > 1e-6 * want) { differ++; continue; }
    if (d.score !== want) lastBits++;
  }
  expect(wrongPartition).toBe(0);
  expect(differ).toBe(0);
  // The MLP runs in float32 in onnxruntime, whose GEMM takes another kernel for another
  // batch size: the stream's micro-batches are not the replay's, and a score can differ in
  // its last bits (seen: ~1e-7 relative, about 1 event in 10,000). Features are exact: the
  // states' hashes are compared bit for bit.
  expect(lastBits).toBeLessThan(events.length / 1000);
  return lastBits;
}

describe('nats layout', () => {
  it('keyToken: plain keys as they are, anything else as x + hex of its UTF-8; no subject wildcard or dot can get through', () => {
    expect(keyToken(42, 'c')).toBe('42');
    expect(keyToken('card_9-A', 'c')).toBe('card_9-A');
    expect(keyToken('a.b', 'c')).toBe('x612e62');
    expect(keyToken('x1', 'c')).toBe('x7831'); // a key that looks encoded is encoded too: no two keys share a token
    expect(keyToken('ü >', 'c')).toBe('xc3bc203e');
    for (const bad of [undefined, null, '', Number.NaN, Infinity, {}, true]) {
      try { keyToken(bad, 'CUSTOMER_ID'); expect.unreachable(); } catch (e) { expect(isRiskscoreError(e) && e.code === 'invalid_event' && e.path[0] === 'CUSTOMER_ID').toBe(true); }
    }
  });

  it('partitionOf is FNV-1a 32 mod n (the published test vectors) and the layout names stay in their rules', () => {
    // FNV-1a 32-bit vectors (Fowler/Noll/Vo): "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(partitionOf('', 2 ** 31)).toBe(0x811c9dc5 % 2 ** 31);
    expect(partitionOf('a', 1000)).toBe(0xe40c292c % 1000);
    expect(partitionOf('foobar', 7)).toBe(0xbf9cf968 % 7);
    const l = natsLayout({ prefix: 'fx-1', partitions: 3 });
    expect([l.inSubject('k'), l.partitionSubject(2, 'k'), l.partitionSubject(0), l.decisionSubject(1), l.eventsStream, l.decisionsStream, l.consumer(2), l.leaseBucket, l.snapshotBucket])
      .toEqual(['fx-1.in.k', 'fx-1.p.2.k', 'fx-1.p.0.>', 'fx-1.decisions.1', 'FX_1_EVENTS', 'FX_1_DECISIONS', 'fx-1-p2', 'fx-1-leases', 'fx-1-snapshots']);
    expect(l.mapping).toBe('mappings = { "fx-1.in.*": "fx-1.p.{{partition(3,1)}}.{{wildcard(1)}}" }');
    for (const [o, path] of [[{ prefix: 'a.b', partitions: 2 }, 'prefix'], [{ prefix: '', partitions: 2 }, 'prefix'], [{ partitions: 0 }, 'partitions'], [{ partitions: 1025 }, 'partitions'], [{ partitions: 1.5 }, 'partitions']] as const) {
      try { natsLayout(o as { prefix?: string; partitions: number }); expect.unreachable(); } catch (e) { expect(isRiskscoreError(e) && e.code === 'invalid_argument' && e.path[0] === path).toBe(true); }
    }
    try { l.consumer(3); expect.unreachable(); } catch (e) { expect(isRiskscoreError(e) && e.path[0] === 'partition').toBe(true); }
  });

  it('partition snapshots: round trip; a flipped byte, a short blob, another magic are invalid_snapshot', () => {
    const state = new Uint8Array([1, 2, 3, 4, 5, 250]);
    const blob = encodePartitionSnapshot({ partition: 2, seq: 77, events: 70, featureSpec: 'f'.repeat(64), model: 'm@1' }, state);
    const { header, state: back } = decodePartitionSnapshot(blob);
    expect(header).toMatchObject({ format: 'riskscore-partition-snapshot/1', partition: 2, seq: 77, events: 70, model: 'm@1', stateSha256: sha256(state) });
    expect(Array.from(back)).toEqual(Array.from(state));
    const flipped = blob.slice(); flipped[flipped.length - 1] ^= 1;
    const magic = blob.slice(); magic[0] ^= 1;
    for (const bad of [flipped, magic, blob.slice(0, 6), new Uint8Array(0)]) {
      try { decodePartitionSnapshot(bad); expect.unreachable(); } catch (e) { expect(isRiskscoreError(e) && e.code === 'invalid_snapshot').toBe(true); }
    }
  });

  it('the fraud bundle partitions by customer: customer and customer × terminal exact, terminal split', async () => {
    const b = await loadBundleFromDir(BUNDLE);
    const f = partitionFieldOf(b);
    expect(f).toEqual({ field: 'CUSTOMER_ID', exact: ['customer', 'customer_terminal'], split: ['terminal'] });
  });
});

describe.skipIf(!HAVE_NATS)('stream scoring on NATS JetStream', () => {
  let server: LocalServer;
  let nc: NatsConnection;
  const prefixes = ['split', 'whole', 'failover', 'dup', 'map'];
  beforeAll(async () => {
    const entries = prefixes.map((x) => natsLayout({ prefix: x, partitions: P }).mapping.replace(/^mappings = \{ | \}$/g, ''));
    server = await startNatsServer({ config: `mappings = { ${entries.join(', ')} }` });
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => { await nc?.close(); await server?.stop(); });

  it('the server maps each event to the partition partitionOf computes', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'MAPCHECK', subjects: ['map.p.>'] });
    const keys = ['0', '1', '7', '123456', 'card_x', keyToken('a.b', 'k'), ...Array.from({ length: 200 }, (_, i) => String(i * 7919))];
    for (const k of keys) {
      const ack = await js.publish(`map.in.${k}`, new Uint8Array(0));
      const m = await jsm.streams.getMessage('MAPCHECK', { seq: ack.seq });
      expect(m!.subject).toBe(`map.p.${partitionOf(k, P)}.${k}`);
    }
    await jsm.streams.delete('MAPCHECK');
  });

  it('scorers starting together create the streams and buckets once and each gets the partitions it claims; a lease held is not taken', async () => {
    const bundle = await loadBundleFromDir(BUNDLE);
    for (let round = 0; round < 3; round++) {
      const prefix = `race${round}`;
      const claims = [[0], [1], [2, 3]];
      const scorers = await Promise.all(claims.map((claim) => createNatsStreamScorer({ nc, bundle, prefix, partitions: P, claim, takeover: false, leaseMs: 2000, scorerOptions: { backend: createNodeBackend() } })));
      await Promise.all(scorers.map((x) => x.ready));
      expect(scorers.map((x) => x.owned())).toEqual(claims);
      // A fourth claiming everything, with takeover, gets nothing while the leases are renewed.
      const late = await createNatsStreamScorer({ nc, bundle, prefix, partitions: P, takeoverAfterMs: 1, leaseMs: 2000, scorerOptions: { backend: createNodeBackend() } });
      await late.ready;
      await new Promise((r) => setTimeout(r, 2500));
      expect(late.owned()).toEqual([]);
      for (const x of [...scorers, late]) { await x.stop(); expect(x.failures).toEqual([]); }
    }
  }, 120_000);

  it.skipIf(aprilPath === null)(`parity: ${PARITY_EVENTS / 1000}k handbook events through two stream scorers owning half the partitions each, and through one owning all: scores and final states equal the per-partition replay (${aprilPath === null ? missingDataReason(MONTHS[0]) : 'April 2018'})`, async () => {
    const events = handbookEvents(PARITY_EVENTS);
    const ref = await partitionReplay(events);
    const bundle = await loadBundleFromDir(BUNDLE);
    const run = async (prefix: string, claims: number[][]): Promise<{ decisions: PublishedDecision[]; snaps: Awaited<ReturnType<typeof snapshots>>; owned: number[][] }> => {
      const conns = await Promise.all(claims.map(() => connect({ servers: server.url })));
      const scorers = await Promise.all(claims.map((claim, k) => createNatsStreamScorer({
        nc: conns[k], bundle, prefix, partitions: P, claim, takeover: false, leaseMs: 2000, snapshotEvery: 20_000,
        scorerOptions: { backend: createNodeBackend() },
      })));
      await Promise.all(scorers.map((s) => s.ready));
      const owned = scorers.map((s) => s.owned());
      await publishAll(nc, prefix, events);
      await waitDecisions(nc, natsLayout({ prefix, partitions: P }), events.length, 240_000);
      for (const s of scorers) { await s.stop(); expect(s.failures).toEqual([]); }
      for (const c of conns) await c.close();
      const layout = natsLayout({ prefix, partitions: P });
      return { decisions: await readDecisions(nc, layout), snaps: await snapshots(nc, layout), owned };
    };
    const split = await run('split', [[0, 1], [2, 3]]);
    expect(split.owned).toEqual([[0, 1], [2, 3]]);
    const splitBits = expectOneDecisionEach(split.decisions, events, ref);
    const whole = await run('whole', [[0, 1, 2, 3]]);
    const wholeBits = expectOneDecisionEach(whole.decisions, events, ref);
    expect(split.snaps.map((s) => s.stateSha256)).toEqual(ref.stateHash);
    expect(whole.snaps.map((s) => s.stateSha256)).toEqual(ref.stateHash);
    expect(split.snaps.map((s) => s.events)).toEqual(ref.counts);
    console.log(`stream parity: ${events.length} events, partitions ${ref.counts.join('/')}, ${ref.refused.size} refused, every decision and state hash equal to the per-partition replay; scores bit-identical but ${splitBits} / ${wholeBits} (float32 MLP, last bits)`);
  }, 600_000);

  it.skipIf(aprilPath === null)('exact kinds equal one process over every event: customer and customer × terminal windows of the partitioned state are those of a single scorer', async () => {
    // The partition replay's customer features against a single scorer given all events.
    const events = handbookEvents(30_000);
    const bundle = await loadBundleFromDir(BUNDLE);
    const one = await createScorer(bundle, { backend: createNodeBackend() });
    const parts = await Promise.all(Array.from({ length: P }, () => createScorer(bundle, { backend: createNodeBackend() })));
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500);
      await one.scoreBatch(batch);
      for (const e of batch) await parts[partitionOfEvent(e)].score(e);
    }
    const names = one.featureNames;
    const exact = names.map((n, j) => [n, j] as const).filter(([n]) => n.startsWith('cust_') || n.startsWith('ct_'));
    const split = names.map((n, j) => [n, j] as const).filter(([n]) => n.startsWith('term_'));
    expect(exact.length).toBeGreaterThan(20);
    expect(split.length).toBeGreaterThan(5);
    let splitDiffer = 0;
    for (const e of events.slice(-300)) {
      const probe = { ...e, TRANSACTION_ID: e.TRANSACTION_ID + 10_000_000, TX_DATETIME: events[events.length - 1].TX_DATETIME };
      const a = (await one.score(probe, { features: true, commit: false })).features!;
      const b = (await parts[partitionOfEvent(e)].score(probe, { features: true, commit: false })).features!;
      for (const [n, j] of exact) expect(b[j], n).toBe(a[j]);
      if (split.some(([, j]) => a[j] !== b[j])) splitDiffer++;
    }
    // The terminal's windows are per partition: they differ for most probes (documented in docs/fleet.md).
    expect(splitDiffer).toBeGreaterThan(100);
    for (const s of [one, ...parts]) await s.close();
  }, 300_000);

  it.skipIf(aprilPath === null)('redelivery and publishing twice are absorbed: one decision per event id', async () => {
    const events = handbookEvents(3000);
    const ref = await partitionReplay(events);
    const bundle = await loadBundleFromDir(BUNDLE);
    const s = await createNatsStreamScorer({ nc, bundle, prefix: 'dup', partitions: P, takeover: false, leaseMs: 1000, snapshotEvery: 1000, scorerOptions: { backend: createNodeBackend() } });
    await s.ready;
    const pub = createNatsEventPublisher({ nc, prefix: 'dup', partitions: P, keyField: 'CUSTOMER_ID', idField: 'TRANSACTION_ID' });
    await pub.publishAll(events.slice(0, 2000));
    // The first 500 again, with the same ids: the events stream stores each id once.
    const again = await pub.publishAll(events.slice(0, 500));
    expect(again.duplicates).toBe(500);
    // A publisher without ids (no stream-level deduplication) sends 200 of them once more: the scorer's idempotency answers them as duplicates.
    const noIds = createNatsEventPublisher({ nc, prefix: 'dup', partitions: P, keyField: 'CUSTOMER_ID' });
    await noIds.publishAll(events.slice(1000, 1200));
    await pub.publishAll(events.slice(2000));
    const layout = natsLayout({ prefix: 'dup', partitions: P });
    await waitDecisions(nc, layout, events.length, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    await s.stop();
    const decisions = await readDecisions(nc, layout);
    // The 200 re-sent events have the same id as their first decision: the decisions stream keeps one of each.
    expectOneDecisionEach(decisions, events, ref);
    const stats = s.stats();
    expect(stats.reduce((a, x) => a + x.scored, 0)).toBe(events.length + 200);
    expect(stats.reduce((a, x) => a + x.duplicatesPublished, 0)).toBe(200);
  }, 120_000);

  it.skipIf(aprilPath === null)(`kill -9 of a stream scorer mid-run over ${FAILOVER_EVENTS / 1000}k events: the one that takes over restores and replays, every event has one decision, the final states equal the replay`, async () => {
    const events = handbookEvents(FAILOVER_EVENTS);
    const t0 = Date.now();
    const ref = await partitionReplay(events);
    const refMs = Date.now() - t0;
    const layout = natsLayout({ prefix: 'failover', partitions: P });
    const args = ['stream', '--nats', server.url, '--bundle', BUNDLE, '--prefix', 'failover', '--partitions', String(P), '--lease-ms', '2000', '--snapshot-every', String(Math.max(1000, Math.floor(FAILOVER_EVENTS / 40)))];
    const a = startCli([...args, '--owner', 'a']);
    await a.ready;
    const publishing = publishAll(nc, 'failover', events);
    const jsm = await jetstreamManager(nc);
    // Kill A once it has decided about a third of the events (and written snapshots).
    for (;;) {
      const n = (await jsm.streams.info(layout.decisionsStream)).state.messages;
      if (n >= events.length / 3) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    a.child.kill('SIGKILL');
    const killedAt = (await jsm.streams.info(layout.decisionsStream)).state.messages;
    const b = startCli([...args, '--owner', 'b']);
    await b.ready;
    await publishing;
    const t1 = Date.now();
    await waitDecisions(nc, layout, events.length, 600_000);
    await new Promise((r) => setTimeout(r, 1000)); // anything more would show as a count over N
    b.child.kill('SIGTERM');
    const stopped = await b.stopped;
    const decisions = await readDecisions(nc, layout);
    expectOneDecisionEach(decisions, events, ref);
    const snaps = await snapshots(nc, layout);
    expect(snaps.map((s) => s.stateSha256)).toEqual(ref.stateHash);
    expect(snaps.map((s) => s.events)).toEqual(ref.counts);
    const st = stopped.stats as Array<{ restoredSeq: number; duplicatesPublished: number; scored: number }>;
    expect(st.some((x) => x.restoredSeq > 0)).toBe(true); // B started from A's snapshots, not from the start
    console.log(`stream failover: ${events.length} events, A killed after ${killedAt} decisions; B ran ${st.length} partition workers, restored at ${st.map((x) => x.restoredSeq).join('/')}, replayed ${st.reduce((s, x) => s + x.scored, 0)} events, ${st.reduce((s, x) => s + x.duplicatesPublished, 0)} decisions already stored; last decision ${((Date.now() - t1) / 1000).toFixed(1)} s after the last publish; reference replay ${(refMs / 1000).toFixed(1)} s`);
  }, 1_200_000);
});

/** `riskscore stream` in a child process (the built CLI). */
function startCli(args: string[]): { child: ChildProcess; ready: Promise<unknown>; stopped: Promise<{ stats: unknown }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); if (DEBUG_LOG) appendFileSync(DEBUG_LOG, d); });
  let onReady: (v: unknown) => void;
  let onStopped: (v: { stats: unknown }) => void;
  const ready = new Promise((r) => { onReady = r; });
  const stopped = new Promise<{ stats: unknown }>((r) => { onStopped = r; });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      const o = JSON.parse(l) as { ready?: unknown; stopped?: { stats: unknown } };
      if (o.ready) onReady(o.ready);
      if (o.stopped) onStopped(o.stopped);
    } catch { /* not JSON */ }
  });
  const exited = new Promise<never>((_, rej) => child.on('exit', (c, sig) => { if (sig !== 'SIGKILL') rej(new Error(`riskscore stream exited ${c ?? sig}: ${stderr}`)); }));
  exited.catch(() => {});
  return { child, ready: Promise.race([ready, exited]), stopped: Promise.race([stopped, exited]) };
}
