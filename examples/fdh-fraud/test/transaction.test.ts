// The scorer as a transaction on the fraud bundle (206 stateful features): an event is
// committed to its card, terminal and card × terminal windows once, after its score and
// decision exist, or not at all. "Unchanged" is checked on the bytes of the entity
// store's snapshot, so any write, even one that cancels out, would show.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScorer, isRiskscoreError, type InferenceBackend, type LoadedBundle, type Scorer } from '@riskscore/core';
import { createMemoryStateStore } from '@riskscore/features';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The simulated stream's dates are in 2018: the scorer's clock says 2018-10-01. */
const clock = (): number => Date.parse('2018-10-01T00:00:00Z');

type Mode = 'ok' | 'throw' | 'nan';
/** onnxruntime-node, with the MLP member made to throw or to return NaN on demand. */
function faultyBackend(): { backend: InferenceBackend; set(m: Mode): void } {
  const inner = createNodeBackend();
  let mode: Mode = 'ok';
  let created = 0;
  return {
    set: (m) => { mode = m; },
    backend: {
      name: 'faulty-onnxruntime-node',
      async createSession(model, io) {
        const s = await inner.createSession(model, io);
        const isMlp = created++ === 0; // members in manifest order: xgboost (native), mlp, ft_transformer
        return {
          async run(input, rows, cols) {
            const y = await s.run(input, rows, cols);
            if (!isMlp || mode === 'ok') return y;
            if (mode === 'throw') throw new Error('simulated inference failure');
            return y.map(() => NaN);
          },
          release: () => s.release(),
        };
      },
    },
  };
}

const hash = (s: Scorer): string => createHash('sha256').update(s.state!.snapshot()).digest('hex');

let bundle: LoadedBundle;
let txs: Record<string, unknown>[];
beforeAll(async () => {
  bundle = await loadBundleFromDir(join(root, 'bundle'));
  const { createTransactionSimulator, scorableEvent } = await import('../src/simulator.mjs');
  const sim = createTransactionSimulator({ customers: 150, terminals: 300, seed: 11 });
  txs = [...sim.events(4)].map(scorableEvent);
});

describe('fdh-fraud: a failure before the commit changes nothing', () => {
  it('a member that throws or returns NaN, in score, scoreBatch and score(e, { explain }), leaves the store bit-identical', async () => {
    const f = faultyBackend();
    const s = await createScorer(bundle, { backend: f.backend, clock });
    for (const e of txs.slice(0, 200)) await s.score(e);
    const before = hash(s);
    const revision = s.state!.revision;
    const next = txs.slice(200, 210);
    for (const mode of ['throw', 'nan'] as const) {
      f.set(mode);
      const code = mode === 'throw' ? 'backend_error' : 'non_finite_output';
      await expect(s.score(next[0])).rejects.toMatchObject({ code });
      await expect(s.score(next[0], { explain: { neural: 'omit' } })).rejects.toMatchObject({ code });
      const o = await s.safeScore(next[0]);
      expect(o.ok).toBe(false);
      const batch = await s.scoreBatch(next);
      expect(batch.every((b) => !b.ok && b.error.code === code)).toBe(true);
      expect(hash(s)).toBe(before);
      expect(s.state!.revision).toBe(revision);
    }
    // Healthy again: the same events score and commit, each once.
    f.set('ok');
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock });
    for (const e of txs.slice(0, 200)) await ref.score(e);
    for (const e of next) expect((await s.score(e)).score).toBe((await ref.score(e)).score);
    expect(hash(s)).toBe(hash(ref));
    await s.close();
    await ref.close();
  });

  it('3.5e38 amounts and year-9999 timestamps are refused; the card and terminal stay scorable', async () => {
    const s = await createScorer(bundle, { backend: createNodeBackend(), clock });
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock });
    for (const e of txs.slice(0, 300)) { await s.score(e); await ref.score(e); }
    const victim = txs[300];
    const before = hash(s);
    const poison = [
      { ...victim, TX_AMOUNT: 3.5e38, TRANSACTION_ID: 90_000_001 },
      { ...victim, TX_AMOUNT: 1e20, TRANSACTION_ID: 90_000_002 },
      { ...victim, TX_DATETIME: '9999-12-31 23:59:59', TRANSACTION_ID: 90_000_003 },
      { ...victim, TX_DATETIME: '2019-06-01 00:00:00', TRANSACTION_ID: 90_000_004 },
    ];
    for (const p of poison) {
      const o = await s.safeScore(p);
      expect(o.ok).toBe(false);
      if (o.ok) continue;
      expect(isRiskscoreError(o.error)).toBe(true);
      expect(['invalid_event', 'clock_skew']).toContain(o.error.code);
      expect(o.error.path[0]).toBe('event');
      expect(['TX_AMOUNT', 'TX_DATETIME']).toContain(o.error.path[1]);
    }
    expect(hash(s)).toBe(before);
    for (const e of txs.slice(300, 340)) expect((await s.score(e)).score).toBe((await ref.score(e)).score);
    await s.close();
    await ref.close();
  });

  it('a feature that overflows float32 is refused before any member runs, naming the raw field and the feature', async () => {
    // Without the manifest's plausibility bound on TX_AMOUNT, 3.5e38 passes the schema
    // and the spec (min 0, no max): the float32 check after the features catches it.
    const fields = bundle.manifest.input.fields.map((f) => (f.name === 'TX_AMOUNT' ? { ...f, max: undefined } : f));
    const unbounded = { ...bundle, manifest: { ...bundle.manifest, input: { ...bundle.manifest.input, fields } } };
    const f = faultyBackend();
    f.set('throw'); // a member that runs would throw backend_error
    const s = await createScorer(unbounded, { backend: f.backend, clock });
    const o = await s.safeScore({ ...txs[0], TX_AMOUNT: 3.5e38 });
    expect(o).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['event', 'TX_AMOUNT'] } });
    if (!o.ok) expect(String(o.error.details.feature)).toMatch(/./);
    expect(s.state!.size(0)).toBe(0);
    await s.close();
  });
});

describe('fdh-fraud: idempotency by TRANSACTION_ID', () => {
  it('a duplicate event id is counted once: the stored result comes back, the windows are those of one event', async () => {
    const s = await createScorer(bundle, { backend: createNodeBackend(), clock });
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock });
    for (const e of txs.slice(0, 100)) {
      const a = await s.score(e);
      const again = await s.score({ ...e }); // a retry after a timeout
      expect(again.duplicate).toBe(true);
      expect(again.score).toBe(a.score);
      await ref.score(e);
    }
    // Redelivered inside a batch, and twice within one batch.
    const batch = await s.scoreBatch([txs[100], txs[100], txs[50], txs[101]]);
    expect(batch.map((b) => b.ok && (b.result.duplicate ?? false))).toEqual([false, true, true, false]);
    await ref.score(txs[100]);
    await ref.score(txs[101]);
    expect(hash(s)).toBe(hash(ref));
    await s.close();
    await ref.close();
  });

  it('onDuplicate: "refuse" throws duplicate_event naming the id field; concurrent retries of one id count once', async () => {
    const s = await createScorer(bundle, { backend: createNodeBackend(), clock, idempotency: { onDuplicate: 'refuse' } });
    await s.score(txs[0]);
    await expect(s.score(txs[0])).rejects.toMatchObject({ code: 'duplicate_event', path: ['event', 'TRANSACTION_ID'] });
    const t = await createScorer(bundle, { backend: createNodeBackend(), clock });
    const all = await Promise.all([t.score(txs[0]), t.score(txs[0]), t.score(txs[0])]);
    expect(all.filter((r) => !r.duplicate).length).toBe(1);
    expect(hash(t)).toBe(hash(s));
    await s.close();
    await t.close();
  });
});

describe('fdh-fraud: concurrent transactions', () => {
  it('events of one card scored concurrently are each committed once (compare-and-set, retried)', async () => {
    const s = await createScorer(bundle, { backend: createNodeBackend(), clock });
    const ref = await createScorer(bundle, { backend: createNodeBackend(), clock });
    const card = txs[0].CUSTOMER_ID;
    const same = txs.filter((e) => e.CUSTOMER_ID === card).slice(0, 6);
    expect(same.length).toBeGreaterThan(2);
    const outs = await Promise.all(same.map((e) => s.safeScore(e)));
    for (const o of outs) {
      // A retry after a conflict may find a later event of the card committed: late, typed.
      if (!o.ok) expect(['late_event', 'state_conflict']).toContain(o.error.code);
    }
    // Transactions on one entity wait for each other in the scorer: all commit, in order.
    expect(outs.every((o) => o.ok)).toBe(true);
    for (const e of same) await ref.score(e);
    expect(hash(s)).toBe(hash(ref));
    await s.close();
    await ref.close();
  });
});

describe('fdh-fraud: warm restart', () => {
  it('a scorer restarted from a snapshot scores the next events bit-identically to one that never stopped', async () => {
    const a = await createScorer(bundle, { backend: createNodeBackend(), clock });
    for (const e of txs.slice(0, 400)) await a.score(e);
    const store = createMemoryStateStore();
    store.restore(a.state!.snapshot());
    const b = await createScorer(bundle, { backend: createNodeBackend(), clock, store });
    for (const e of txs.slice(400, 500)) {
      const ra = await a.score(e);
      const rb = await b.score(e);
      expect(rb.score).toBe(ra.score);
      expect(rb.logit).toBe(ra.logit);
    }
    expect(hash(b)).toBe(hash(a));
    await a.close();
    await b.close();
  });
});
