import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random';
import { topAdverseFactors } from './top-adverse-factors';

describe('topAdverseFactors', () => {
  it('equals sorting all positive values (desc, ties by index) and taking k', () => {
    const rng = createSeededRandom(3);
    for (let t = 0; t < 50; t++) {
      const n = 1 + rng.nextInt(30);
      const v = Float64Array.from({ length: n }, () => Math.round(rng.nextNormal() * 4) / 4); // many ties
      const k = rng.nextInt(8);
      const ref = Array.from(v, (x, i) => ({ i, x })).filter((e) => e.x > 0).sort((a, b) => b.x - a.x || a.i - b.i).slice(0, k);
      expect(topAdverseFactors(v, { k }).map((f) => [f.index, f.value])).toEqual(ref.map((e) => [e.i, e.x]));
    }
  });

  it('uses names, flips orientation for "good" scores and honours minValue', () => {
    const v = [0.4, -1, 0.9, 0.1];
    expect(topAdverseFactors(v, { k: 2, names: ['amount', 'age', 'velocity', 'country'] }))
      .toEqual([{ index: 2, name: 'velocity', value: 0.9 }, { index: 0, name: 'amount', value: 0.4 }]);
    expect(topAdverseFactors(v, { k: 3, adverseSign: -1 })).toEqual([{ index: 1, name: '1', value: 1 }]);
    expect(topAdverseFactors(v, { k: 3, minValue: 0.2 }).map((f) => f.index)).toEqual([2, 0]);
    expect(() => topAdverseFactors([NaN], { k: 1 })).toThrow(expect.objectContaining({ path: ['values', 0] }));
  });
});
