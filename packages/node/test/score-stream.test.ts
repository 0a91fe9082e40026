// scoreStream with the real fraud bundle (trees + MLP): a stream over a few cards and
// terminals, read from a source that yields at random moments, with the neural member taking
// a random time per batch and two batches in flight, gives exactly what scoring it one
// event at a time gives — every score, every refusal, and every entity's state (the
// features of a probe event on each card and terminal, computed without writing) — with
// bad events in the stream refused one by one and the rest committed.
// Property-based over streams, delays and batch sizes (fast-check, fixed seed).
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScorer } from '@riskscore/core';
import { compileFeatureSpec, type EntityStateStore } from '@riskscore/features';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { delayedBackend } from './delayed-backend';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261203) });
const BUNDLE_DIR = join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
const when = (t: number): string => { const d = new Date(t * 1000).toISOString(); return `${d.slice(0, 10)} ${d.slice(11, 19)}`; };

describe('scoreStream with the fraud bundle', () => {
  it('property: equals scoring one event at a time (scores, refusals, entity state)', async () => {
    const bundle = await loadBundleFromDir(BUNDLE_DIR);
    const base = Date.parse('2026-11-01T00:00:00Z') / 1000;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ card: fc.integer({ min: 0, max: 3 }), terminal: fc.integer({ min: 0, max: 4 }), gap: fc.integer({ min: 1, max: 600 }), amount: fc.integer({ min: 1, max: 50000 }), bad: fc.integer({ min: 0, max: 19 }) }), { minLength: 5, maxLength: 120 }),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 16 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 3 }),
      async (steps, delays, gaps, maxBatch, concurrency) => {
        let t = base;
        const events = steps.map((s, i) => {
          t += s.gap;
          // One event in twenty is bad (a negative amount): refused, committing nothing.
          return { TRANSACTION_ID: i, TX_DATETIME: when(t), CUSTOMER_ID: s.card, TERMINAL_ID: s.terminal, TX_AMOUNT: s.bad === 0 ? -1 : s.amount / 100 };
        });
        const [streamed, sequential] = await Promise.all([
          createScorer(bundle, { backend: delayedBackend(delays) }),
          createScorer(bundle, { backend: createNodeBackend() }),
        ]);
        try {
          async function* source() {
            for (let i = 0; i < events.length; i++) {
              const g = gaps[i % gaps.length];
              if (g > 0) await new Promise((r) => setTimeout(r, g));
              yield events[i];
            }
          }
          const got = [];
          for await (const o of streamed.scoreStream(source(), { maxBatch, concurrency, maxPending: 64 })) got.push(o);
          expect(got.map((o) => o.index)).toEqual(events.map((_, i) => i));
          expect(got.filter((o) => !o.outcome.ok).length).toBe(steps.filter((s) => s.bad === 0).length);
          for (let i = 0; i < events.length; i++) {
            const ref = await sequential.safeScore(events[i]);
            const o = got[i].outcome;
            expect(o.ok).toBe(ref.ok);
            if (o.ok && ref.ok) expect(o.result.score).toBe(ref.result.score);
            if (!o.ok && !ref.ok) expect(o.error.code).toBe(ref.error.code);
          }
          const probe = (store: EntityStateStore): number[][] => {
            const ev = compileFeatureSpec(bundle.manifest.features.spec, { store, clock: null });
            const out = new Float64Array(ev.size);
            const rows: number[][] = [];
            for (let card = 0; card <= 3; card++) {
              for (let terminal = 0; terminal <= 4; terminal++) {
                ev.peekInto({ TRANSACTION_ID: 1e6, TX_DATETIME: when(t + 60), CUSTOMER_ID: card, TERMINAL_ID: terminal, TX_AMOUNT: 1 }, out);
                rows.push(Array.from(out));
              }
            }
            return rows;
          };
          expect(probe(streamed.state!)).toEqual(probe(sequential.state!));
        } finally {
          await Promise.all([streamed.close(), sequential.close()]);
        }
      },
    ), { numRuns: 20 });
  });
});
