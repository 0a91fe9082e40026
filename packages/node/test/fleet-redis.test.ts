// Entity state shared through a real redis-server (Debian's, started on a free loopback
// port): two scoring processes give the features of one process, two processes racing on
// ten entities lose no update, and an outage is typed, corrupts nothing and heals.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createScorer, type Scorer } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '../src/index';
import { createRedisStateStore } from '../src/state/redis-state-store';
import { startRedisServer } from '../src/servers/redis-local';
import type { LocalServer } from '../src/servers/local-server';
import { sharedDataPath, missingDataReason, REPO_ROOT } from '../../../testing/shared-data';
import { handbookEvents, type HandbookEvent } from '../../../testing/handbook-events';
import { seededRandom } from '../../features/test/seeded-random';
import { delayedBackend } from './delayed-backend';
import { dispatchInEntityOrder, ScorerProcess, type Answer } from './fleet/fleet-driver';

const BUNDLE = `${REPO_ROOT}/examples/fdh-fraud/bundle-trees-mlp`;
const HAVE_REDIS = existsSync('/usr/bin/redis-server');
if (!HAVE_REDIS && process.env.CI === 'true') throw new Error('CI=true but /usr/bin/redis-server is missing: .ci/run installs redis-server');
const APRIL = 'fdh-simulated-transactions/transactions_2018-04.csv.gz';
const aprilPath = sharedDataPath(APRIL);

type Tx = HandbookEvent;

/** The first `n` transactions of the handbook's April file, in time order. */

const rowOf = (f: Float32Array): string => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');

describe.skipIf(!HAVE_REDIS)('entity state in Redis', () => {
  let redis: LocalServer;
  beforeAll(async () => {
    redis = await startRedisServer({ appendOnly: true, args: ['--appendfsync', 'always'] });
  });
  afterAll(async () => { await redis?.stop(); });

  it.skipIf(aprilPath === null)(`100k handbook events through two processes sharing one Redis: features bit-identical to one process (${aprilPath === null ? missingDataReason(APRIL) : 'April 2018'})`, async () => {
    const events = handbookEvents(100_000);
    // The reference: one process, in-memory state, events in order.
    const bundle = await loadBundleFromDir(BUNDLE);
    const one = await createScorer(bundle, { backend: createNodeBackend(), clock: null, idempotency: false });
    const expected: string[] = [];
    for (let i = 0; i < events.length; i += 500) {
      for (const o of await one.scoreBatch(events.slice(i, i + 500), { features: true })) {
        if (!o.ok) throw o.error;
        expected.push(rowOf(o.result.features!));
      }
    }
    await one.close();

    const procs = [new ScorerProcess(redis.port, BUNDLE, 'parity'), new ScorerProcess(redis.port, BUNDLE, 'parity')];
    const rnd = seededRandom(17);
    const pick = events.map(() => (rnd() < 0.5 ? 0 : 1));
    const answers = await dispatchInEntityOrder(events, procs, (i) => pick[i], (e) => [`c${e.CUSTOMER_ID}`, `t${e.TERMINAL_ID}`], 128);
    const stats = await Promise.all(procs.map((p) => p.end()));
    const failed = answers.filter((a) => !a.ok);
    expect(failed.slice(0, 3)).toEqual([]);
    let differ = 0;
    for (let i = 0; i < events.length; i++) if ((answers[i] as Extract<Answer, { ok: true }>).row !== expected[i]) differ++;
    expect(differ).toBe(0);
    // Both processes did real work, and each event was written once.
    expect(stats[0].writes + stats[1].writes).toBe(events.length);
    expect(Math.min(stats[0].writes, stats[1].writes)).toBeGreaterThan(0.45 * events.length);
    console.log(`parity: ${events.length} events, ${stats[0].writes} + ${stats[1].writes} written, decoded ${stats[0].decoded + stats[1].decoded}, conflicts ${stats[0].conflicts + stats[1].conflicts}`);
  }, 600_000);

  it('two processes scoring the same 10 entities at full speed: every count exact, conflicts retried and counted', async () => {
    const t = '2018-04-02 12:00:00'; // one instant: any order of commits is in time order
    const mk = (k: number, p: number): Tx => ({ TRANSACTION_ID: p * 1_000_000 + k, TX_DATETIME: t, CUSTOMER_ID: k % 10, TERMINAL_ID: 100 + ((k * 7) % 10), TX_AMOUNT: 10 + (k % 13) });
    const per = 600;
    const procs = [new ScorerProcess(redis.port, BUNDLE, 'contention'), new ScorerProcess(redis.port, BUNDLE, 'contention')];
    // No coordination at all: each process gets its own events as fast as it takes them.
    const runs = procs.map((proc, p) => Promise.all(Array.from({ length: per }, (_, k) => proc.send(k, mk(k, p)))));
    const answers = (await Promise.all(runs)).flat();
    const stats = await Promise.all(procs.map((p) => p.end()));
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const conflicts = stats[0].conflicts + stats[1].conflicts;
    expect(conflicts).toBeGreaterThan(0); // they did race
    expect(stats[0].writes + stats[1].writes).toBe(2 * per);

    // What the state holds: probes (not committed) by a third scorer on the same Redis …
    const client = new Redis(redis.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
    await client.connect();
    const bundle = await loadBundleFromDir(BUNDLE);
    const probe = await createScorer(bundle, { store: createRedisStateStore({ client, prefix: 'contention' }), backend: createNodeBackend(), clock: null, idempotency: false });
    // … against one in-memory scorer given every event once.
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock: null, idempotency: false });
    for (let p = 0; p < 2; p++) for (let k = 0; k < per; k++) await ref.score(mk(k, p));
    const names = ['cust_count_1d', 'cust_count_30d', 'term_count_1d', 'term_count_30d', 'ct_count_30d'].map((n) => probe.featureNames.indexOf(n));
    for (let c = 0; c < 10; c++) {
      const ev = { ...mk(c, 9), TERMINAL_ID: 100 + ((c * 7) % 10) };
      const got = (await probe.score(ev, { features: true, commit: false })).features!;
      const want = (await ref.score(ev, { features: true, commit: false })).features!;
      for (const j of names) expect(got[j], `${probe.featureNames[j]} of customer ${c}`).toBe(want[j]);
      expect(got[names[1]]).toBe(2 * per / 10 + 1); // its 120 events and the probe
    }
    console.log(`contention: ${2 * per} events on 10 customers / 10 terminals, ${conflicts} conflicts retried`);
    await probe.close(); await ref.close();
    client.disconnect();
  }, 300_000);

  it('Redis down mid-run: typed state_unavailable during the outage, nothing corrupted, recovers without a new scorer', async () => {
    const stream = handbookEventsOrGenerated();
    const bundle = await loadBundleFromDir(BUNDLE);
    const client = new Redis(redis.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => 50 });
    client.on('error', () => { /* reconnects by itself */ });
    await client.connect();
    const store = createRedisStateStore({ client, prefix: 'faults', timeoutMs: 150 });
    const scorer: Scorer = await createScorer(bundle, { store, backend: createNodeBackend(), clock: null, idempotency: false });
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock: null, idempotency: false });
    const events = await stream;
    const accepted: Tx[] = [];
    let differ = 0;
    const scoreBoth = async (e: Tx): Promise<void> => {
      const o = await scorer.safeScore(e, { features: true });
      if (!o.ok) throw o.error;
      accepted.push(e);
      const r = await ref.score(e, { features: true });
      if (rowOf(r.features!) !== rowOf(o.result.features!)) differ++;
    };
    for (const e of events.slice(0, 400)) await scoreBoth(e);

    // A crash: SIGKILL (the AOF is written on every write, so nothing acknowledged is lost).
    await redis.kill();
    const outage = events.slice(400, 420);
    for (const e of outage) {
      const t0 = performance.now();
      const o = await scorer.safeScore(e);
      const ms = performance.now() - t0;
      expect(o.ok).toBe(false);
      if (!o.ok) {
        expect(o.error.code).toBe('state_unavailable');
        expect(o.error.path).toEqual(['state']);
        expect(o.error.details).toMatchObject({ maybeWritten: false });
      }
      expect(ms).toBeLessThan(1000);
    }
    await redis.restart();
    await waitReady(client);
    for (const e of events.slice(420, 800)) await scoreBoth(e);

    // A hang (SIGSTOP): a read that does not answer within timeoutMs fails typed, in time.
    await redis.pause();
    const t0 = performance.now();
    const hung = await scorer.safeScore(events[800]);
    const hungMs = performance.now() - t0;
    await redis.resume();
    expect(hung.ok).toBe(false);
    if (!hung.ok) expect(hung.error.code).toBe('state_unavailable');
    expect(hungMs).toBeGreaterThanOrEqual(140);
    expect(hungMs).toBeLessThan(1000);
    for (const e of events.slice(801, 1000)) await scoreBoth(e);

    // Every later event saw exactly the accepted ones: no lost, doubled or half-written entity.
    expect(differ).toBe(0);
    expect(accepted.length).toBe(1000 - 21);
    expect(store.stats.unavailable).toBe(21);
    await scorer.close(); await ref.close();
    client.disconnect();
  }, 300_000);

  it('an entity deleted and written again by others: a scorer holding its old copy re-reads it, never overwrites (no ABA on versions)', async () => {
    const bundle = await loadBundleFromDir(BUNDLE);
    const open = async (): Promise<[Scorer, Redis]> => {
      const client = new Redis(redis.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
      await client.connect();
      return [await createScorer(bundle, { store: createRedisStateStore({ client, prefix: 'aba' }), backend: createNodeBackend(), clock: null, idempotency: false }), client];
    };
    const [a, ca] = await open();
    const [b, cb] = await open();
    const ev = (id: number, minute: number, amount: number): Tx => ({ TRANSACTION_ID: id, TX_DATETIME: `2018-04-02 10:${String(minute).padStart(2, '0')}:00`, CUSTOMER_ID: 7, TERMINAL_ID: 70, TX_AMOUNT: amount });
    // A writes the entities twice (a counter would now stand at 2) and keeps its copy.
    await a.score(ev(1, 0, 10)); await a.score(ev(2, 1, 11));
    // They vanish (an expiry, a FLUSHDB, a DEL, a restored backup) …
    const keys = await ca.keys('aba:*');
    expect(keys.length).toBe(3);
    await ca.del(...keys);
    // … and B writes them twice again: with counters, the same versions A holds.
    await b.score(ev(3, 2, 500)); await b.score(ev(4, 3, 600));
    // A's next event must build on B's events, not on its own old copy.
    await a.score(ev(5, 4, 700));
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock: null, idempotency: false });
    for (const e of [ev(3, 2, 500), ev(4, 3, 600), ev(5, 4, 700)]) await ref.score(e);
    const [probe, cp] = await open();
    const p = ev(6, 5, 50);
    const got = (await probe.score(p, { features: true, commit: false })).features!;
    const want = (await ref.score(p, { features: true, commit: false })).features!;
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(got[probe.featureNames.indexOf('cust_count_1d')]).toBe(4); // B's two, A's last, the probe
    for (const s of [a, b, probe, ref]) await s.close();
    for (const c of [ca, cb, cp]) c.disconnect();
  }, 120_000);

  it('a write that reaches a hung server after its deadline writes nothing', async () => {
    const events = await handbookEventsOrGenerated();
    const bundle = await loadBundleFromDir(BUNDLE);
    const client = new Redis(redis.port, '127.0.0.1', { enableOfflineQueue: false, lazyConnect: true });
    client.on('error', () => { /* reconnects by itself */ });
    await client.connect();
    const store = createRedisStateStore({ client, prefix: 'deadline', timeoutMs: 100 });
    // Members take 300 ms on the 6th event: the server is paused while they run, so its write is sent to a hung server.
    const scorer = await createScorer(bundle, { store, backend: delayedBackend([0, 0, 0, 0, 0, 300, 0]), clock: null, idempotency: false });
    for (const e of events.slice(0, 5)) await scorer.score(e);
    const e = events[5];
    const key = store.keyOf(0, e.CUSTOMER_ID);
    const before = await client.hget(key, 'v');
    const pending = scorer.safeScore(e);
    await new Promise((r) => setTimeout(r, 100));
    await redis.pause();
    const o = await pending;
    await new Promise((r) => setTimeout(r, 150));
    await redis.resume();
    expect(o.ok).toBe(false);
    if (!o.ok) { expect(o.error.code).toBe('state_unavailable'); expect(o.error.details).toMatchObject({ op: 'write', maybeWritten: true }); }
    // The server ran the script once resumed, past its deadline: the entity is as before.
    expect(await client.hget(key, 'v')).toBe(before);
    await scorer.close();
    client.disconnect();
  }, 120_000);
});

/** Events for the fault tests: the handbook's April file, or generated ones without it. */
async function handbookEventsOrGenerated(): Promise<Tx[]> {
  if (aprilPath !== null) return handbookEvents(1000);
  const { fraudStream } = await import('./fraud-stream');
  return (await fraudStream({ customers: 200, terminals: 400, seed: 3, startDate: '2018-04-01', days: 3 })).slice(0, 1000);
}

/** Resolves once the client is connected again. */
async function waitReady(client: Redis): Promise<void> {
  for (let k = 0; k < 200 && client.status !== 'ready'; k++) await new Promise((r) => setTimeout(r, 25));
  expect(client.status).toBe('ready');
}
