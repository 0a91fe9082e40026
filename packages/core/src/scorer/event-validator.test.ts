// The event validator: plain objects only, own properties only, missing-value
// sentinels, integer-coded categoricals, the unknown-field policy, and (property-based)
// that it accepts or refuses with invalid_event at a path under 'event', never throws
// anything else and never mutates its input.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { categoriesOf, categoryLabel, InputFieldSchema, InputSchemaSchema, ManifestSchema, type InputSchema } from '../bundle/manifest';
import { RiskscoreError, type RiskscoreErrorLike } from '../errors';
import { createEventValidator, isInheritedName, objectPrototypeIsPolluted } from './event-validator';
import { identityFeatureStep } from './feature-step';

const input: InputSchema = InputSchemaSchema.parse({
  fields: [
    { name: 'AMOUNT', type: 'number', min: 0, max: 1e6, missing: [99999999] },
    { name: 'SEX', type: 'integer', min: 1, max: 2, categories: { 1: 'male', 2: 'female' } },
    { name: 'PAY', type: 'integer', required: false, min: -2, max: 9, missing: [-99], categories: [{ code: -2, label: 'no use' }, { code: -1, label: 'paid duly' }, { code: 0, label: 'revolving' }, { code: 3, label: 'three months late' }] },
    { name: 'NOTE', type: 'string', required: false, enum: ['a', 'b'] },
    { name: 'FLAG', type: 'boolean', required: false },
  ],
});
const good = { AMOUNT: 120.5, SEX: 2, PAY: -1, NOTE: 'a', FLAG: true };

/** The error `fn` throws (failing the test when it throws none). */
function thrown(fn: () => void): RiskscoreErrorLike {
  try {
    fn();
  } catch (e) {
    if (RiskscoreError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('createEventValidator', () => {
  const v = createEventValidator(input);

  it('accepts a plain object and a null-prototype object', () => {
    expect(() => v.validate({ ...good })).not.toThrow();
    expect(() => v.validate(Object.assign(Object.create(null), good))).not.toThrow();
    expect(() => v.validate(JSON.parse(JSON.stringify(good)))).not.toThrow();
  });

  it.each([
    ['null', null], ['a string', 'AMOUNT=1'], ['a number', 5], ['undefined', undefined],
    ['an array', [good]], ['a Date', new Date()], ['a Map', new Map(Object.entries(good))],
    ['a boxed number', Object(5)], ['a class instance', new (class Event { AMOUNT = 1; SEX = 1 })()],
    ['an object inheriting the fields', Object.create(good)], ['a function', () => good],
  ])('refuses %s as invalid_event at [event]', (_, event) => {
    const e = thrown(() => v.validate(event));
    expect(e.code).toBe('invalid_event');
    expect(e.path).toEqual(['event']);
    expect(e.message).toMatch(/plain object/);
  });

  it('reads own properties only: a polluted Object.prototype does not supply a field', () => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.SEX = 1;
      proto.AMOUNT = 5;
      expect(objectPrototypeIsPolluted()).toBe(true);
      expect(thrown(() => v.validate({ SEX: 1 })).path).toEqual(['event', 'AMOUNT']);
      expect(() => v.validate({ AMOUNT: 5, SEX: 1 })).not.toThrow();
    } finally {
      delete proto.SEX;
      delete proto.AMOUNT;
    }
    expect(objectPrototypeIsPolluted()).toBe(false);
  });

  it('reads a field named like a built-in as an own property', () => {
    const w = createEventValidator([{ name: 'constructor', type: 'number', required: false }, { name: 'toString', type: 'number', required: true }]);
    expect(isInheritedName('constructor')).toBe(true);
    expect(thrown(() => w.validate({})).path).toEqual(['event', 'toString']);
    expect(() => w.validate({ toString: 3 })).not.toThrow();
    expect(() => w.validate({ toString: 3, constructor: 1 })).not.toThrow();
  });

  it('names the field and what it expected', () => {
    const e = thrown(() => v.validate({ ...good, AMOUNT: 1e20 }));
    expect(e).toMatchObject({ code: 'invalid_event', path: ['event', 'AMOUNT'] });
    expect(e.message).toMatch(/AMOUNT: expected a number in \[0, 1000000\], got 100000000000000000000/);
    expect(thrown(() => v.validate({ ...good, AMOUNT: '12' })).path).toEqual(['event', 'AMOUNT']);
    expect(thrown(() => v.validate({ ...good, NOTE: 'c' })).path).toEqual(['event', 'NOTE']);
    expect(thrown(() => v.validate({ ...good, FLAG: 1 })).path).toEqual(['event', 'FLAG']);
    expect(thrown(() => v.validate({ ...good, PAY: 1.5 })).path).toEqual(['event', 'PAY']);
  });

  it('reads a missing-value sentinel as missing: refused when required, accepted when optional', () => {
    const e = thrown(() => v.validate({ ...good, AMOUNT: 99999999 }));
    expect(e).toMatchObject({ code: 'invalid_event', path: ['event', 'AMOUNT'] });
    expect(e.message).toMatch(/required; 99999999 is its missing-value sentinel/);
    expect(() => v.validate({ ...good, PAY: -99 })).not.toThrow();
  });

  it('refuses a code outside an integer categorical, listing the codes', () => {
    const e = thrown(() => v.validate({ ...good, SEX: 3 }));
    expect(e).toMatchObject({ code: 'invalid_event', path: ['event', 'SEX'], details: { field: 'SEX', allowed: [1, 2] } });
    expect(e.message).toMatch(/one of the codes 1 \(male\), 2 \(female\), got 3/);
    // PAY's range is -2..9 but its codes are -2, -1, 0, 3: 1 lies in the range and is still refused.
    expect(thrown(() => v.validate({ ...good, PAY: 1 })).details.allowed).toEqual([-2, -1, 0, 3]);
    expect(() => v.validate({ ...good, PAY: 3 })).not.toThrow();
  });

  it("ignores unknown fields by default and refuses them with unknownFields: 'refuse'", () => {
    expect(v.unknownFields).toBe('ignore');
    expect(() => v.validate({ ...good, id: 'x-1' })).not.toThrow();
    const strict = createEventValidator({ ...input, unknownFields: 'refuse' });
    expect(() => strict.validate({ ...good })).not.toThrow();
    expect(thrown(() => strict.validate({ ...good, id: 'x-1' }))).toMatchObject({ code: 'invalid_event', path: ['event', 'id'] });
    // The fields-and-options form says the same.
    expect(thrown(() => createEventValidator(input.fields, { unknownFields: 'refuse' }).validate({ ...good, ZZ: 1 })).path).toEqual(['event', 'ZZ']);
    // A non-enumerable own key is not a field of the event's data.
    expect(() => strict.validate(Object.defineProperty({ ...good }, 'hidden', { value: 1, enumerable: false }))).not.toThrow();
  });

  it('turns a throwing getter or Proxy trap into invalid_event at [event]', () => {
    const getter = Object.defineProperty({ ...good }, 'SEX', { get() { throw new TypeError('boom'); }, enumerable: true });
    expect(thrown(() => v.validate(getter))).toMatchObject({ code: 'invalid_event', path: ['event'] });
    const proxy = new Proxy({ ...good }, { getPrototypeOf() { throw new Error('trap'); } });
    expect(thrown(() => v.validate(proxy))).toMatchObject({ code: 'invalid_event', path: ['event'] });
    // Even a riskscore error of another code, thrown by a getter, comes out as invalid_event.
    const sneaky = Object.defineProperty({ ...good }, 'AMOUNT', { get() { throw new RiskscoreError('backend_error', 'x', { path: ['members'] }); } });
    expect(thrown(() => v.validate(sneaky))).toMatchObject({ code: 'invalid_event', path: ['event'] });
  });
});

describe('input schema', () => {
  it('defaults required to true and unknownFields to ignore', () => {
    expect(InputFieldSchema.parse({ name: 'X', type: 'number' }).required).toBe(true);
    expect(InputSchemaSchema.parse({ fields: [{ name: 'X', type: 'number' }] }).unknownFields).toBe('ignore');
  });

  it.each([
    [{ name: 'X', type: 'number', categories: { 1: 'a' } }, 'categories'],
    [{ name: 'X', type: 'string', missing: [0] }, 'missing'],
    [{ name: 'X', type: 'integer', categories: { '1.5': 'a' } }, 'categories'],
    [{ name: 'X', type: 'integer', categories: [{ code: 1, label: 'a' }, { code: 1, label: 'b' }] }, 'categories'],
    [{ name: 'X', type: 'integer', min: 1, max: 2, categories: { 3: 'c' } }, 'categories'],
    [{ name: 'X', type: 'integer', missing: [1], categories: { 1: 'a' } }, 'missing'],
    [{ name: 'X', type: 'number', min: 2, max: 1 }, 'min'],
    [{ name: 'X', type: 'integer', enum: ['a'] }, 'enum'],
  ])('refuses the contradictory field %j', (field, at) => {
    const r = InputFieldSchema.safeParse(field);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path[0]).toBe(at);
  });

  it('refuses duplicate input field names in a manifest', () => {
    const r = ManifestSchema.safeParse({
      manifestVersion: 1, name: 'x', version: '1.0.0', created: '2026-01-01T00:00:00Z',
      input: { fields: [{ name: 'A', type: 'number' }, { name: 'A', type: 'number' }] },
      features: { order: ['A'] },
      members: [{ name: 'm', kind: 'trees', file: 'm.onnx', sha256: '0'.repeat(64), input: { name: 'f', width: 1 }, output: { name: 'y', kind: 'logit' }, weight: 1 }],
      ensemble: { method: 'logit-weighted', bias: 0 }, calibration: { method: 'none' },
      decision: { approveBelow: 0.2, declineAtOrAbove: 0.6 },
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('input.fields.1.name');
  });

  it('gives the label of a code, in either form', () => {
    expect(categoryLabel({ categories: { 1: 'male', 2: 'female' } }, 2)).toBe('female');
    expect(categoryLabel({ categories: { 1: 'male', 2: 'female' } }, 3)).toBeUndefined();
    expect(categoryLabel({ categories: [{ code: -2, label: 'no use' }] }, -2)).toBe('no use');
    expect(categoryLabel({}, 1)).toBeUndefined();
    expect(categoriesOf({ categories: { 2: 'female', 1: 'male' } })).toEqual([{ code: 1, label: 'male' }, { code: 2, label: 'female' }]);
  });
});

describe('identityFeatureStep', () => {
  const manifest = ManifestSchema.parse({
    manifestVersion: 1, name: 'x', version: '1.0.0', created: '2026-01-01T00:00:00Z', input,
    features: { order: ['AMOUNT', 'SEX', 'PAY', 'FLAG'] },
    members: [{ name: 'm', kind: 'trees', file: 'm.onnx', sha256: '0'.repeat(64), input: { name: 'f', width: 4 }, output: { name: 'y', kind: 'logit' }, weight: 1 }],
    ensemble: { method: 'logit-weighted', bias: 0 }, calibration: { method: 'none' },
    decision: { approveBelow: 0.2, declineAtOrAbove: 0.6 },
  });
  const step = identityFeatureStep(manifest);
  afterEach(() => { delete (Object.prototype as Record<string, unknown>).PAY; });

  it('writes a sentinel as NaN and a value as itself', () => {
    const row = new Float32Array(4);
    step.compute({ AMOUNT: 10, SEX: 1, PAY: -99, FLAG: true }, row, 0);
    expect(Array.from(row)).toEqual([10, 1, NaN, 1]);
    step.compute({ AMOUNT: 10, SEX: 1, PAY: 3 }, row, 0);
    expect(Array.from(row)).toEqual([10, 1, 3, NaN]);
  });

  it('does not read an inherited field', () => {
    const row = new Float32Array(4);
    (Object.prototype as Record<string, unknown>).PAY = 8;
    step.compute({ AMOUNT: 10, SEX: 1 }, row, 0);
    expect(row[2]).toBeNaN();
    step.compute(Object.create({ PAY: 8 }), row, 0);
    expect(row[2]).toBeNaN();
  });
});

describe('property: the validator accepts or refuses, and nothing else', () => {
  const v = createEventValidator(input);
  const strict = createEventValidator({ ...input, unknownFields: 'refuse' });
  const required = input.fields.filter((f) => f.required);

  // Near-valid events (each field a good value, a bad value or absent, plus extra keys)
  // reach every branch; fc.anything() covers the shapes an event must not have.
  const fieldValue = fc.oneof(
    fc.constantFrom(0, 1, 2, -1, -2, 3, 9, -99, 99999999, 1e6, 1e20, 0.5, -0, NaN, Infinity, -Infinity, null, undefined, 'a', 'c', '1', true, false),
    fc.double(), fc.integer({ min: -5, max: 12 }), fc.string(), fc.anything(),
  );
  // Mostly good values, so that whole events are accepted often enough to check them.
  const goodValue: Record<string, fc.Arbitrary<unknown>> = {
    AMOUNT: fc.double({ min: 0, max: 1e6, noNaN: true }), SEX: fc.constantFrom(1, 2), PAY: fc.constantFrom(-2, -1, 0, 3, -99),
    NOTE: fc.constantFrom('a', 'b'), FLAG: fc.boolean(),
  };
  const field = (name: string) => fc.oneof({ arbitrary: goodValue[name], weight: 6 }, { arbitrary: fieldValue, weight: 1 });
  const nearValid = fc.record({
    AMOUNT: field('AMOUNT'), SEX: field('SEX'), PAY: field('PAY'), NOTE: field('NOTE'), FLAG: field('FLAG'),
    extra: fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
  }, { requiredKeys: ['AMOUNT', 'SEX', 'extra'] }).map(({ extra, ...fields }) => ({ ...extra, ...fields }));
  const anyEvent = fc.oneof(
    nearValid,
    fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withObjectString: true }),
  );

  it('holds for any value', () => {
    let accepted = 0;
    fc.assert(fc.property(anyEvent, (event) => {
      const before = structuredCloneSafe(event);
      for (const validator of [v, strict]) {
        let error: unknown = null;
        try {
          (validator.validate as (e: unknown) => void).call(validator, event);
        } catch (e) {
          error = e;
        }
        if (error === null) {
          accepted++;
          const e = event as Record<string, unknown>;
          const proto = Object.getPrototypeOf(e);
          expect(proto === Object.prototype || proto === null).toBe(true);
          for (const f of required) {
            expect(Object.prototype.hasOwnProperty.call(e, f.name)).toBe(true);
            const x = e[f.name] as number;
            expect(Number.isFinite(x)).toBe(true);
            expect(x >= (f.min ?? -Infinity) && x <= (f.max ?? Infinity)).toBe(true);
            expect(f.missing?.includes(x) ?? false).toBe(false);
            if (f.categories) expect(categoryLabel(f, x)).toBeDefined();
          }
          if (validator === strict) expect(Object.keys(e).every((k) => input.fields.some((f) => f.name === k))).toBe(true);
        } else {
          expect(RiskscoreError.isInstance(error)).toBe(true);
          expect((error as RiskscoreError).code).toBe('invalid_event');
          expect((error as RiskscoreError).path[0]).toBe('event');
        }
      }
      expect(structuredCloneSafe(event)).toEqual(before);
    }), { numRuns: 2000 });
    // The generator reaches acceptance too, not only refusals.
    expect(accepted).toBeGreaterThan(0);
  });
});

/** A deep copy to compare before and after, for values structuredClone cannot copy (functions). */
function structuredCloneSafe(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return fc.stringify(v);
  }
}
