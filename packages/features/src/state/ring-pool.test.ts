import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/seeded-random';
import { RingPool } from './ring-pool';

describe('RingPool', () => {
  it('keeps every live block\'s contents through random allocs and swap-removes, across pages', () => {
    // 300 lanes: a class-10 block is 307,200 doubles, more than a page, so one block a page;
    // class 1 packs 128 blocks a page (600 doubles each). Each block is filled with its owner's id.
    const pool = new RingPool(300, 10);
    const r = seededRandom(9);
    const blockOf = new Map<number, { k: number; b: number }>();
    let nextOwner = 0;
    const check = (): void => {
      for (const [owner, { k, b }] of blockOf) {
        const p = pool.page(k, b);
        const o = pool.base(k, b);
        expect(p[o]).toBe(owner);
        expect(p[o + pool.blockSize(k) - 1]).toBe(owner);
      }
    };
    for (let i = 0; i < 3000; i++) {
      const k = r() < 0.1 ? 10 : 1;
      if (r() < 0.55 || blockOf.size === 0) {
        const owner = nextOwner++;
        const b = pool.alloc(k, owner);
        pool.page(k, b).fill(owner, pool.base(k, b), pool.base(k, b) + pool.blockSize(k));
        blockOf.set(owner, { k, b });
      } else {
        const owners = [...blockOf.keys()];
        const owner = owners[Math.floor(r() * owners.length)];
        const { k: kk, b } = blockOf.get(owner)!;
        blockOf.delete(owner);
        const moved = pool.release(kk, b);
        if (moved >= 0) blockOf.set(moved, { k: kk, b });
      }
      if (i % 100 === 0) check();
    }
    check();
    let live = 0;
    for (const { k } of blockOf.values()) live += pool.blockSize(k) * 8;
    expect(pool.liveBytes).toBe(live);
  });
});
