// Groupings of events for fairness by group: bands derived from a numeric field (against
// the definition "band i holds [edges[i-1], edges[i])", property-based), category labels,
// missing values, the manifest's refusals of bad groupings, and the ordering of groups.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskscoreError } from '../errors';
import { bandIndex, bandLabels, eventGrouping } from './event-grouping';
import { ManifestSchema, type ManifestInput } from './manifest';

const base = (groups: unknown): ManifestInput => ({
  manifestVersion: 1, name: 'x', version: '1.0.0', created: '2026-01-01T00:00:00Z',
  input: {
    fields: [
      { name: 'AGE', type: 'integer', min: 18, max: 99, missing: [-1] },
      { name: 'SEX', type: 'integer', categories: { 2: 'female', 1: 'male' } },
      { name: 'INCOME', type: 'number', required: false },
      { name: 'CITY', type: 'string', required: false },
    ],
  },
  features: { order: ['AGE', 'SEX', 'INCOME'] },
  members: [{ name: 'm', kind: 'trees', file: 'm.onnx', sha256: '0'.repeat(64), input: { name: 'f', width: 3 }, output: { name: 'y', kind: 'logit' }, weight: 1 }],
  ensemble: { method: 'logit-weighted', bias: 0 }, calibration: { method: 'none' },
  decision: { approveBelow: 0.2, declineAtOrAbove: 0.6 },
  groups: groups as ManifestInput['groups'],
});

describe('bandIndex and bandLabels', () => {
  it('property: the band of a value is the number of edges at or below it', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 }),
      fc.double({ min: -2e6, max: 2e6, noNaN: true }),
      (raw, v) => {
        const edges = [...raw].sort((a, b) => a - b);
        const i = bandIndex(edges, v);
        expect(i).toBe(edges.filter((e) => e <= v).length);
        if (i > 0) expect(v).toBeGreaterThanOrEqual(edges[i - 1]);
        if (i < edges.length) expect(v).toBeLessThan(edges[i]);
      },
    ));
    expect(bandIndex([25, 35], 25)).toBe(1);
    expect(bandIndex([25, 35], 24.999)).toBe(0);
    expect(bandIndex([25, 35], 35)).toBe(2);
  });

  it('labels integer bands by their first and last value, others by half-open ranges', () => {
    expect(bandLabels([25, 35, 45, 55], true)).toEqual(['<25', '25–34', '35–44', '45–54', '≥55']);
    expect(bandLabels([30, 31, 40], true)).toEqual(['<30', '30', '31–39', '≥40']);
    expect(bandLabels([0.5, 1], false)).toEqual(['<0.5', '0.5 to <1', '≥1']);
    expect(bandLabels([0.5, 1], true)).toEqual(['<0.5', '0.5 to <1', '≥1']);
  });
});

describe('eventGrouping', () => {
  const manifest = ManifestSchema.parse(base([
    { name: 'AGE_BAND', field: 'AGE', edges: [25, 35, 45, 55] },
    { name: 'INCOME_BAND', field: 'INCOME', edges: [1000, 5000], labels: ['low', 'middle', 'high'] },
  ]));

  it('puts an event in the band of its field, and a missing value in none', () => {
    const g = eventGrouping(manifest, 'AGE_BAND');
    expect(g.field).toBe('AGE');
    expect([18, 24, 25, 34, 35, 54, 55, 99].map((AGE) => g.keyOf({ AGE }))).toEqual(['<25', '<25', '25–34', '25–34', '35–44', '45–54', '≥55', '≥55']);
    expect(g.keyOf({ AGE: -1 })).toBeNull(); // the field's missing-value sentinel
    expect(g.keyOf({})).toBeNull();
    expect(g.keyOf({ AGE: null })).toBeNull();
    expect(g.keyOf(Object.create({ AGE: 30 }))).toBeNull(); // inherited fields are not read
    const income = eventGrouping(manifest, 'INCOME_BAND');
    expect([0, 999.99, 1000, 4999, 5000].map((INCOME) => income.keyOf({ INCOME }))).toEqual(['low', 'low', 'middle', 'middle', 'high']);
  });

  it('orders bands as declared, not alphabetically', () => {
    const g = eventGrouping(manifest, 'AGE_BAND');
    expect(['≥55', '25–34', '<25', '45–54', '35–44'].sort(g.compare)).toEqual(['<25', '25–34', '35–44', '45–54', '≥55']);
    expect(['high', 'low', 'middle'].sort(eventGrouping(manifest, 'INCOME_BAND').compare)).toEqual(['low', 'middle', 'high']);
  });

  it('groups by a field itself, labelled by its categories', () => {
    const g = eventGrouping(manifest, 'SEX');
    expect(g.keyOf({ SEX: 2 })).toBe('2');
    expect(g.labelOf('2')).toBe('female');
    expect(g.labelOf('7')).toBe('7');
    expect(['2', '1'].sort(g.compare)).toEqual(['1', '2']);
    const age = eventGrouping(manifest, 'AGE');
    expect(['100', '9', '25'].sort(age.compare)).toEqual(['9', '25', '100']);
    expect(eventGrouping(manifest, 'CITY').keyOf({ CITY: 'Taipei' })).toBe('Taipei');
  });

  it('refuses a name that is neither a field nor a grouping, naming what is known', () => {
    try {
      eventGrouping(manifest, 'AGE_BANDS');
      expect.unreachable();
    } catch (e) {
      expect(RiskscoreError.isInstance(e) && e.code).toBe('invalid_argument');
      expect((e as Error).message).toContain('AGE_BAND');
    }
  });
});

describe('the manifest refuses bad groupings', () => {
  it.each([
    [[{ name: 'B', field: 'NOPE', edges: [1] }], 'groups.0.field'],
    [[{ name: 'B', field: 'CITY', edges: [1] }], 'groups.0.field'],
    [[{ name: 'B', field: 'AGE', edges: [30, 30] }], 'groups.0.edges.1'],
    [[{ name: 'B', field: 'AGE', edges: [30, 40], labels: ['a', 'b'] }], 'groups.0.labels'],
    [[{ name: 'B', field: 'AGE', edges: [30], labels: ['a', 'a'] }], 'groups.0.labels'],
    [[{ name: 'AGE', field: 'AGE', edges: [30] }], 'groups.0.name'],
    [[{ name: 'B', field: 'AGE', edges: [30] }, { name: 'B', field: 'AGE', edges: [40] }], 'groups.1.name'],
    [[{ name: 'B', field: 'AGE', edges: [] }], 'groups.0.edges'],
    [[{ name: 'B', field: 'AGE', edges: [Infinity] }], 'groups.0.edges.0'],
  ])('%j at %s', (groups, at) => {
    const r = ManifestSchema.safeParse(base(groups));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(at);
  });

  it('defaults to no groupings', () => {
    expect(ManifestSchema.parse(base(undefined)).groups).toEqual([]);
  });
});
