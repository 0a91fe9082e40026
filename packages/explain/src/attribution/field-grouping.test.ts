import { describe, expect, it } from 'vitest';
import { createFieldGrouping } from './field-grouping';

describe('createFieldGrouping', () => {
  it('sums single-field features and shares multi-field ones equally, keeping the total', () => {
    const g = createFieldGrouping([['amount'], ['amount', 'limit'], ['age'], ['limit'], ['amount', 'amount']]);
    expect(g.fields).toEqual(['amount', 'limit', 'age']);
    const phi = new Float64Array([1, 0.5, -2, 0.25, 0.125, 0.3]);
    const out = g.group(phi, new Float64Array(4));
    expect(Array.from(out)).toEqual([1 + 0.25 + 0.125, 0.25 + 0.25, -2, 0.3]);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(phi.reduce((a, b) => a + b, 0), 12);
  });

  it('rejects a feature without lineage, naming it', () => {
    expect(() => createFieldGrouping([['a'], []])).toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['lineage', 1] }));
    const g = createFieldGrouping([['a']]);
    expect(() => g.group(new Float64Array(3), new Float64Array(2))).toThrow(expect.objectContaining({ path: ['phi'] }));
  });
});
