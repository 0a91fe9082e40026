import { describe, expect, expectTypeOf, it } from 'vitest';
import { FeatureError, type FeatureErrorCode } from '@riskscore/features';
import { ExplainError, type ExplainErrorCode } from '@riskscore/explain';
import { isRiskscoreError, RiskscoreError, RISKSCORE_ERROR_CODES, type RiskscoreErrorCode, type RiskscoreErrorLike } from './errors';

// Type tests: `tsc -p packages/core/tsconfig.test.json` fails if a leaf package adds a
// code core's union does not document, or if the runtime list and the union drift apart.
describe('error contract types', () => {
  it('features and explain codes are members of RiskscoreErrorCode', () => {
    expectTypeOf<FeatureErrorCode>().toExtend<RiskscoreErrorCode>();
    expectTypeOf<ExplainErrorCode>().toExtend<RiskscoreErrorCode>();
    const f = 'late_event' as FeatureErrorCode satisfies RiskscoreErrorCode;
    const x = 'undefined_statistic' as ExplainErrorCode satisfies RiskscoreErrorCode;
    expect(RISKSCORE_ERROR_CODES).toContain(f);
    expect(RISKSCORE_ERROR_CODES).toContain(x);
  });

  it('RISKSCORE_ERROR_CODES lists exactly the union, once each', () => {
    expectTypeOf<(typeof RISKSCORE_ERROR_CODES)[number]>().toEqualTypeOf<RiskscoreErrorCode>();
    expect(new Set(RISKSCORE_ERROR_CODES).size).toBe(RISKSCORE_ERROR_CODES.length);
  });

  it('every error class has the shared shape', () => {
    expectTypeOf<FeatureError>().toExtend<RiskscoreErrorLike>();
    expectTypeOf<ExplainError>().toExtend<RiskscoreErrorLike>();
    expectTypeOf<RiskscoreError>().toExtend<RiskscoreErrorLike>();
  });

  it('isInstance narrows a FeatureError to a shape with typed, present details', () => {
    const e: unknown = new FeatureError('invalid_event', 'TX_AMOUNT is not a number; pass a finite number', ['TX_AMOUNT']);
    if (!RiskscoreError.isInstance(e)) throw new Error('not recognised');
    expectTypeOf(e.details).toEqualTypeOf<Readonly<Record<string, unknown>>>();
    expect(e.details).toEqual({});
    expect(e.code).toBe('invalid_event');
  });
});

describe('error contract at runtime', () => {
  const cause = new Error('inner');
  const cases: Array<[string, RiskscoreErrorLike]> = [
    ['RiskscoreError', new RiskscoreError('invalid_argument', 'm', { path: ['a'], details: { k: 1 }, cause })],
    ['FeatureError', new FeatureError('invalid_argument', 'm', ['a'], { details: { k: 1 }, cause })],
    ['ExplainError', new ExplainError('invalid_argument', 'm', ['a'], { details: { k: 1 }, cause })],
  ];
  it.each(cases)('%s carries name, code, path, message, details, cause and the brand', (name, e) => {
    expect(isRiskscoreError(e)).toBe(true);
    expect(RiskscoreError.isInstance(e)).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.code).toBe('invalid_argument');
    expect(e.path).toEqual(['a']);
    expect(e.message).toBe('m');
    expect(e.details).toEqual({ k: 1 });
    expect(e.cause).toBe(cause);
  });

  it('details defaults to {} and cause to absent; the old call signatures still work', () => {
    for (const e of [new RiskscoreError('invalid_argument', 'm'), new FeatureError('invalid_spec', 'm'), new ExplainError('undefined_statistic', 'm', ['x'])]) {
      expect(e.details).toEqual({});
      expect('cause' in e).toBe(false);
      expect(Array.isArray(e.path)).toBe(true);
    }
  });

  it('a plain Error, a look-alike object and non-objects are not riskscore errors', () => {
    for (const v of [new Error('x'), new TypeError('x'), { code: 'invalid_argument', path: [] }, null, undefined, 'invalid_argument', 3]) {
      expect(isRiskscoreError(v)).toBe(false);
    }
  });
});
