// Concurrent score() and scoreBatch() calls on shared entities commit in the order the
// calls came (entity-lines.ts): fired all at once, with the neural member taking a random time per
// call, a stream over a few cards and terminals gives exactly what scoring it one event at
// a time gives (every score, and every entity's state: the features of a probe event on
// each card and terminal, computed over each scorer's store without writing), and nothing
// is refused as late. (The snapshot bytes may differ: events of different entities may
// commit in another order, so slots, recency and versions are assigned in another order.)
// Property-based over streams and delays (fast-check, fixed seed).
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScorer } from '@riskscore/core';
import { compileFeatureSpec, type EntityStateStore } from '@riskscore/features';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { delayedBackend } from './delayed-backend';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });
const BUNDLE_DIR = join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp');


describe('concurrent score() on shared entities', () => {
  it('property: score() and scoreBatch() calls fired at once with random member delays equal one at a time (scores and state), none late', async () => {
    const bundle = await loadBundleFromDir(BUNDLE_DIR);
    const base = Date.parse('2026-11-01T00:00:00Z') / 1000;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ card: fc.integer({ min: 0, max: 3 }), terminal: fc.integer({ min: 0, max: 4 }), gap: fc.integer({ min: 1, max: 600 }), amount: fc.integer({ min: 1, max: 50000 }) }), { minLength: 5, maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 16 }),
      // How the stream is cut into calls, in order: 1 is a score(), more is a scoreBatch of that many.
      fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 30 }),
      async (steps, delays, cuts) => {
        let t = base;
        const events = steps.map((s, i) => {
          t += s.gap;
          const d = new Date(t * 1000).toISOString();
          return { TRANSACTION_ID: i, TX_DATETIME: `${d.slice(0, 10)} ${d.slice(11, 19)}`, CUSTOMER_ID: s.card, TERMINAL_ID: s.terminal, TX_AMOUNT: s.amount / 100 };
        });
        const [concurrent, sequential] = await Promise.all([
          createScorer(bundle, { backend: delayedBackend(delays) }),
          createScorer(bundle, { backend: createNodeBackend() }),
        ]);
        try {
          // Every call made at once, in stream order: singles and batches mixed.
          const calls: Array<Promise<Array<Awaited<ReturnType<typeof concurrent.safeScore>>>>> = [];
          for (let i = 0, c = 0; i < events.length; c++) {
            const k = Math.min(cuts[c % cuts.length], events.length - i);
            const part = events.slice(i, i + k);
            calls.push(k === 1 ? concurrent.safeScore(part[0]).then((o) => [o]) : concurrent.scoreBatch(part));
            i += k;
          }
          const fired = (await Promise.all(calls)).flat();
          const refused = fired.filter((o) => !o.ok);
          expect(refused.map((o) => (o.ok ? '' : o.error.code))).toEqual([]);
          for (let i = 0; i < events.length; i++) {
            const ref = await sequential.score(events[i]);
            const got = fired[i];
            expect(got.ok && got.result.score).toBe(ref.score);
          }
          const probe = (store: EntityStateStore): number[][] => {
            const ev = compileFeatureSpec(bundle.manifest.features.spec, { store, clock: null });
            const out = new Float64Array(ev.size);
            const rows: number[][] = [];
            const d = new Date((t + 60) * 1000).toISOString();
            for (let card = 0; card <= 3; card++) {
              for (let terminal = 0; terminal <= 4; terminal++) {
                ev.peekInto({ TRANSACTION_ID: 1e6, TX_DATETIME: `${d.slice(0, 10)} ${d.slice(11, 19)}`, CUSTOMER_ID: card, TERMINAL_ID: terminal, TX_AMOUNT: 1 }, out);
                rows.push(Array.from(out));
              }
            }
            return rows;
          };
          expect(probe(concurrent.state!)).toEqual(probe(sequential.state!));
          expect(concurrent.state!.size(0)).toBe(sequential.state!.size(0));
        } finally {
          await Promise.all([concurrent.close(), sequential.close()]);
        }
      },
    ), { numRuns: 25 });
  });
});
