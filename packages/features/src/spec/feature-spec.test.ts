import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../testing/shared-data';
import { compileFeatureSpec, FeatureError, FeatureSpecSchema, fdhFraudSpec, type FeatureSpecInput } from '../index';

function base(): FeatureSpecInput {
  return {
    specVersion: 1, name: 't',
    event: { fields: [{ name: 'card', type: 'string' }, { name: 'amount', type: 'number' }], timestamp: { field: 'ts', format: 'epoch_seconds' } },
    entities: [{ name: 'card', key: ['card'] }],
    features: [{ name: 'amount', kind: 'field', field: 'amount' }],
  };
}

function specErrorOf(mutate: (s: FeatureSpecInput) => void): FeatureError {
  const s = base();
  mutate(s);
  try {
    compileFeatureSpec(s);
  } catch (e) {
    if (FeatureError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('spec was accepted');
}

describe('feature spec', () => {
  it('refuses bad specs with invalid_spec and the path of the fault', () => {
    const cases: [(s: FeatureSpecInput) => void, (string | number)[]][] = [
      [(s) => { (s as { specVersion: number }).specVersion = 2; }, ['specVersion']],
      [(s) => { s.features.push({ name: 'amount', kind: 'log1p', input: 'amount' }); }, ['features', 1, 'name']],
      [(s) => { s.features.push({ name: 'r', kind: 'ratio', numerator: 'amount', denominator: 'later' }); }, ['features', 1, 'denominator']],
      [(s) => { s.features.push({ name: 'w', kind: 'window', entity: 'shop', aggregate: 'count', window: '1h' }); }, ['features', 1, 'entity']],
      [(s) => { s.features.push({ name: 'w', kind: 'window', entity: 'card', aggregate: 'mean', field: 'card', window: '1h' }); }, ['features', 1, 'field']],
      [(s) => { s.features.push({ name: 'w', kind: 'window', entity: 'card', aggregate: 'mean', window: '1h' }); }, ['features', 1, 'field']],
      [(s) => { s.features.push({ name: 'w', kind: 'window', entity: 'card', aggregate: 'count', window: '1 hour' }); }, ['features', 1, 'window']],
      [(s) => { s.features.push({ name: 'l', kind: 'label_window', entity: 'card', aggregate: 'rate', window: '1d', delay: '7d' }); }, ['features', 1]],
      [(s) => { s.entities!.push({ name: 'x', key: ['nope'] }); }, ['entities', 1, 'key', 0]],
      [(s) => { s.event.fields.push({ name: 'ts', type: 'number' }); }, ['event', 'fields', 2, 'name']],
      [(s) => { (s.features[0] as Record<string, unknown>).extra = 1; }, ['features', 0]],
    ];
    for (const [mutate, path] of cases) {
      const e = specErrorOf(mutate);
      expect(e.code).toBe('invalid_spec');
      expect(e.path).toEqual(path);
    }
  });

  it('round-trips through JSON with the same compiled result', () => {
    const parsed = FeatureSpecSchema.parse(fdhFraudSpec());
    const again = FeatureSpecSchema.parse(JSON.parse(JSON.stringify(parsed)));
    expect(again).toEqual(parsed);
    expect(compileFeatureSpec(again).featureNames).toEqual(compileFeatureSpec(parsed).featureNames);
  });

  it('specs/fdh-fraud-v1.json is what fdhFraudSpec() writes, with at least 200 features', () => {
    const file = JSON.parse(readFileSync(resolve(REPO_ROOT, 'packages/features/specs/fdh-fraud-v1.json'), 'utf8'));
    expect(file).toEqual(FeatureSpecSchema.parse(fdhFraudSpec()));
    const ev = compileFeatureSpec(file);
    expect(ev.size).toBeGreaterThanOrEqual(200);
    expect(new Set(ev.featureNames).size).toBe(ev.size);
  });

  it('refuses a maxEventsPerEntity that cannot fit the store budget with state_limit', async () => {
    const { createMemoryStateStore } = await import('../index');
    const s = base();
    s.features.push({ name: 'n', kind: 'window', entity: 'card', aggregate: 'count', window: '1h' });
    s.state = { maxEventsPerEntity: 1 << 16 };
    expect(() => compileFeatureSpec(s, { store: createMemoryStateStore({ maxBytes: 4096 }) }))
      .toThrowError(expect.objectContaining({ code: 'state_limit', path: ['state', 'maxEventsPerEntity'] }));
  });
});
