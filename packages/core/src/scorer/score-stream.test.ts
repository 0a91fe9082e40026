// scoreStream's contract against a scorer whose scoreBatch takes a random time per call and
// records what it was given: one outcome per event, in source order; never more than
// maxPending read and not yet yielded; batches of at most maxBatch, at most `concurrency`
// at once, handed over in source order; abort drains what was read; an early break closes
// the source; a source error comes after the outcomes of what was read before it.
// Property-based (fast-check, fixed seed). The real scorer's per-entity order through
// scoreStream is tested in packages/node/test/score-stream.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRiskscoreError } from '../errors';
import type { ScoreOutcome } from './create-scorer';
import { scoreStream } from './score-stream';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261203) });

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function fakeScorer(delays: number[]) {
  const calls: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    calls,
    get maxInFlight() { return maxInFlight; },
    async scoreBatch(events: readonly unknown[]): Promise<ScoreOutcome[]> {
      const ids = events.map((e) => (e as { id: number }).id);
      calls.push(ids);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick(delays[calls.length % delays.length]);
      inFlight--;
      return ids.map((id) => (id % 7 === 3
        ? { ok: false, error: { name: 'RiskscoreError', code: 'invalid_event', message: `event ${id}`, path: ['event'], details: {} } as never }
        : { ok: true, result: { score: id } as never }));
    },
  };
}

/** A source of n events that takes a random moment per event and counts what it gave. */
function countingSource(n: number, gaps: number[]) {
  const s = { given: 0, closed: false, async *[Symbol.asyncIterator]() {
    try {
      for (let i = 0; i < n; i++) {
        if (gaps[i % gaps.length] > 0) await tick(gaps[i % gaps.length]);
        s.given++;
        yield { id: i };
      }
    } finally { s.closed = true; }
  } };
  return s;
}

describe('scoreStream', () => {
  it('property: one outcome per event in source order, pending ≤ maxPending, batches ≤ maxBatch in order, ≤ concurrency in flight', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 300 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 3 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
      async (n, delays, gaps, maxPending, maxBatch, concurrency, consumerGaps) => {
        const scorer = fakeScorer(delays);
        const source = countingSource(n, gaps);
        const seen: number[] = [];
        let worst = 0;
        for await (const o of scoreStream(scorer, source, { maxPending, maxBatch, concurrency })) {
          worst = Math.max(worst, source.given - seen.length);
          expect(o.index).toBe(seen.length);
          expect(o.item.id).toBe(seen.length);
          expect(o.outcome.ok).toBe(o.item.id % 7 !== 3);
          if (o.outcome.ok) expect(o.outcome.result.score).toBe(o.item.id);
          seen.push(o.item.id);
          const g = consumerGaps[seen.length % consumerGaps.length];
          if (g > 0) await tick(g);
        }
        expect(seen.length).toBe(n);
        expect(worst).toBeLessThanOrEqual(maxPending);
        expect(scorer.calls.flat()).toEqual(Array.from({ length: n }, (_, i) => i));
        for (const c of scorer.calls) expect(c.length).toBeLessThanOrEqual(maxBatch);
        expect(scorer.maxInFlight).toBeLessThanOrEqual(concurrency);
      },
    ), { numRuns: 60 });
  });

  it('batches grow while the scorer is busy (events that arrive meanwhile go together)', async () => {
    const scorer = fakeScorer([20]);
    const out = [];
    for await (const o of scoreStream(scorer, countingSource(500, [0]), { maxBatch: 1000, concurrency: 1 })) out.push(o);
    expect(out.length).toBe(500);
    expect(scorer.calls[0].length).toBe(1);
    expect(Math.max(...scorer.calls.map((c) => c.length))).toBeGreaterThan(100);
  });

  it('takes a plain iterable and eventOf', async () => {
    const scorer = fakeScorer([0]);
    const items = [{ body: { id: 1 } }, { body: { id: 2 } }];
    const out = [];
    for await (const o of scoreStream(scorer, items, { eventOf: (m) => m.body })) out.push(o);
    expect(out.map((o) => [o.item, o.outcome.ok && o.outcome.result.score])).toEqual([[items[0], 1], [items[1], 2]]);
  });

  it('abort: stops reading, yields what was read, closes the source', async () => {
    const scorer = fakeScorer([5]);
    const source = countingSource(1_000_000, [1]);
    const ac = new AbortController();
    const seen: number[] = [];
    for await (const o of scoreStream(scorer, source, { signal: ac.signal, maxPending: 64 })) {
      seen.push(o.item.id);
      if (seen.length === 50) ac.abort();
    }
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    expect(seen.length).toBeGreaterThanOrEqual(50);
    expect(seen.length).toBeLessThanOrEqual(50 + 64);
    // Everything handed to the scorer was yielded; nothing read after the abort was scored.
    expect(scorer.calls.flat().length).toBe(seen.length);
    await tick(5);
    expect(source.closed).toBe(true);
  });

  it('an early break closes the source and lets the batches in flight finish', async () => {
    const scorer = fakeScorer([2]);
    const source = countingSource(10_000, [0]);
    let k = 0;
    for await (const _ of scoreStream(scorer, source, { maxPending: 32 })) if (++k === 10) break;
    await tick(5);
    expect(source.closed).toBe(true);
    expect(source.given).toBeLessThanOrEqual(10 + 32);
  });

  it('a source error comes after the outcomes of the events read before it', async () => {
    const scorer = fakeScorer([1]);
    async function* bad() { yield { id: 0 }; yield { id: 1 }; throw new Error('socket closed'); }
    const seen: number[] = [];
    await expect((async () => { for await (const o of scoreStream(scorer, bad())) seen.push(o.item.id); })()).rejects.toThrow('socket closed');
    expect(seen).toEqual([0, 1]);
  });

  it('a scoreBatch that rejects gives each of its events the error, and the stream goes on', async () => {
    let k = 0;
    const scorer = { scoreBatch: async (evs: readonly unknown[]) => { if (k++ === 0) throw new Error('backend gone'); return evs.map(() => ({ ok: true as const, result: {} as never })); } };
    const out = [];
    for await (const o of scoreStream(scorer, [1, 2, 3], { maxBatch: 1 })) out.push(o.outcome.ok ? 'ok' : o.outcome.error.code);
    expect(out).toEqual(['internal_error', 'ok', 'ok']);
  });

  it('bad arguments: typed invalid_argument naming the option', () => {
    const scorer = fakeScorer([0]);
    for (const [args, path] of [
      [[null], ['source']], [[42], ['source']], [[[], { maxPending: 0 }], ['options', 'maxPending']],
      [[[], { maxBatch: 1.5 }], ['options', 'maxBatch']], [[[], { concurrency: Number.NaN }], ['options', 'concurrency']],
      [[[], { eventOf: 3 }], ['options', 'eventOf']], [[[], 'x'], ['options']],
    ] as const) {
      let err: unknown;
      try { scoreStream(scorer, ...(args as unknown as [never, never])); } catch (e) { err = e; }
      expect(isRiskscoreError(err) && err.code).toBe('invalid_argument');
      expect(isRiskscoreError(err) && err.path).toEqual(path);
    }
  });
});
