import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdempotencyWindow } from './idempotency-window';

describe('IdempotencyWindow', () => {
  it('remembers exactly the last maxIds distinct committed ids, as a brute-force FIFO list does', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 200 }), (maxIds, ids) => {
      const w = new IdempotencyWindow<number>(maxIds);
      let fifo: number[] = [];
      ids.forEach((id, i) => {
        w.set(id, i);
        if (!fifo.includes(id)) fifo = [...fifo, id].slice(-maxIds);
        for (let k = 0; k <= 12; k++) expect(w.get(k) !== undefined).toBe(fifo.includes(k));
        expect(w.size).toBe(fifo.length);
      });
    }), { numRuns: 300, seed: 20261202 });
  });

  it('lets a waiter wait for the claim on an id, and only for that claim', async () => {
    const w = new IdempotencyWindow<string>(4);
    expect(w.inFlight('a')).toBeUndefined();
    const c1 = w.begin('a');
    const waiting = w.inFlight('a')!;
    let woke = false;
    void waiting.then(() => { woke = true; });
    const c2 = w.begin('a'); // a later transaction of the same id takes over the claim
    w.end('a', c1);
    await waiting;
    expect(woke).toBe(true);
    expect(w.inFlight('a')).toBeDefined();
    w.end('a', c2);
    expect(w.inFlight('a')).toBeUndefined();
  });
});
