// The page side's request queue, against its definition: random sequences of requests
// (in lanes or not), aborts and worker answers. At most one request is ever in the
// worker; a request cancelled before it was sent is never sent; every request settles
// exactly once; an answer reaches its own request; a lane's newer request settles all
// older ones of its lane at once, and the newest of a lane is never superseded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestLanes } from './request-lanes';

type Op = { kind: 'add'; lane: 'a' | 'b' | undefined } | { kind: 'abort'; pick: number } | { kind: 'answer'; ok: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), lane: fc.constantFrom('a' as const, 'b' as const, undefined) }),
  fc.record({ kind: fc.constant('abort' as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('answer' as const), ok: fc.boolean() }),
);

interface Seen { n: number; lane?: string; settled: number; outcome?: { ok: boolean; value: unknown } }

describe('RequestLanes', () => {
  it('keeps one request in the worker, settles each exactly once, and drops only the superseded or aborted', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      let inWorker: { id: number; n: number } | undefined;
      const sent: number[] = [];
      const lanes = new RequestLanes<{ n: number }>((id, m) => {
        expect(inWorker).toBeUndefined();
        inWorker = { id, n: m.n };
        sent.push(m.n);
      });
      const seen: Seen[] = [];
      const ids: number[] = [];
      const answer = (ok: boolean): void => {
        const w = inWorker!;
        inWorker = undefined;
        lanes.answer(w.id, ok, ok ? `result ${w.n}` : `error ${w.n}`);
      };
      for (const o of ops) {
        if (o.kind === 'add') {
          const s: Seen = { n: seen.length, lane: o.lane, settled: 0 };
          seen.push(s);
          ids.push(lanes.add({
            message: { n: s.n }, lane: o.lane,
            resolve: (v) => { s.settled++; s.outcome = { ok: true, value: v }; },
            reject: (e) => { s.settled++; s.outcome = { ok: false, value: e }; },
          }));
          // Every older request of this lane is settled now.
          if (o.lane !== undefined) for (const t of seen) if (t.lane === o.lane && t !== s) expect(t.settled).toBe(1);
        } else if (o.kind === 'abort' && ids.length > 0) {
          lanes.abort(ids[o.pick % ids.length]);
        } else if (o.kind === 'answer' && inWorker) {
          answer(o.ok);
        }
        expect(lanes.busy).toBe(inWorker !== undefined);
      }
      while (inWorker) answer(true);
      expect(lanes.pending).toBe(0);
      const newest = new Map<string, number>();
      for (const s of seen) if (s.lane) newest.set(s.lane, s.n);
      for (const s of seen) {
        expect(s.settled).toBe(1);
        const { ok, value } = s.outcome!;
        if (ok) expect(value).toBe(`result ${s.n}`);
        else if (typeof value === 'string') expect(value).toBe(`error ${s.n}`);
        else {
          const e = value as { code: string; details: { reason: string } };
          expect(e.code).toBe('cancelled');
          // Superseded only by a newer request of its own lane.
          if (e.details.reason === 'superseded') expect(newest.get(s.lane!)).toBeGreaterThan(s.n);
        }
        // Answered by the worker only if it was sent.
        if (ok || typeof value === 'string') expect(sent).toContain(s.n);
      }
      // Sent in the order they were added.
      expect([...sent].sort((x, y) => x - y)).toEqual(sent);
    }), { numRuns: 500 });
  });

  it('sends nothing for a request cancelled while it waited', () => {
    const sent: number[] = [];
    const lanes = new RequestLanes<number>((id, m) => sent.push(m));
    const errors: string[] = [];
    const add = (n: number) => lanes.add({ message: n, lane: 'form', resolve: () => {}, reject: (e) => errors.push((e as { details: { reason: string } }).details.reason) });
    add(1); // sent at once
    for (let n = 2; n <= 10; n++) add(n); // 2..9 superseded while waiting; 1 superseded in the worker
    expect(sent).toEqual([1]);
    expect(errors).toEqual(Array(9).fill('superseded'));
    lanes.answer(1, true, 'stale');
    expect(sent).toEqual([1, 10]);
  });
});
