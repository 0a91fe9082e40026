/**
 * Checking a raw event against the bundle's input schema and writing its numeric
 * fields into a feature row. Compiled once per bundle into flat arrays; per event it
 * is one loop over the fields with no allocation unless the event is refused.
 */
import type { InputField } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

const TYPE_CODE = { number: 0, integer: 1, string: 2, boolean: 3 } as const;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v;
}

/**
 * A validator for events of one input schema. `validate` throws `invalid_event` with
 * the field's path and what was expected; it never mutates the event.
 *
 * @example
 * const v = createEventValidator([{ name: 'AGE', type: 'integer', required: true, min: 18 }]);
 * v.validate({ AGE: 17 }); // throws RiskscoreError invalid_event at ['event', 'AGE']
 */
export interface EventValidator {
  readonly names: readonly string[];
  /** Throws `invalid_event` unless `event` matches the schema. */
  validate(event: unknown): asserts event is Record<string, unknown>;
}

export function createEventValidator(fields: readonly InputField[]): EventValidator {
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const types = Uint8Array.from(fields.map((f) => TYPE_CODE[f.type]));
  const required = Uint8Array.from(fields.map((f) => (f.required ? 1 : 0)));
  const mins = Float64Array.from(fields.map((f) => f.min ?? -Infinity));
  const maxs = Float64Array.from(fields.map((f) => f.max ?? Infinity));
  const enums = fields.map((f) => (f.enum ? new Set(f.enum) : null));

  const refuse = (i: number, expected: string, got: unknown): never => {
    throw new RiskscoreError('invalid_event', `event field ${names[i]}: expected ${expected}, got ${describe(got)}`, {
      path: ['event', names[i]], details: { field: names[i], expected, received: describe(got) },
    });
  };

  return {
    names,
    validate(event: unknown): asserts event is Record<string, unknown> {
      if (event === null || typeof event !== 'object' || Array.isArray(event)) {
        throw new RiskscoreError('invalid_event', `an event must be an object with fields ${names.slice(0, 5).join(', ')}…, got ${describe(event)}`, { path: ['event'] });
      }
      const e = event as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        const v = e[names[i]];
        if (v === undefined || v === null) {
          if (required[i]) refuse(i, `a value (the field is required)`, v);
          continue;
        }
        switch (types[i]) {
          case 0:
          case 1:
            if (typeof v !== 'number' || !Number.isFinite(v)) refuse(i, types[i] === 1 ? 'a finite integer' : 'a finite number', v);
            if (types[i] === 1 && !Number.isInteger(v)) refuse(i, 'an integer', v);
            if ((v as number) < mins[i] || (v as number) > maxs[i]) refuse(i, `a number in [${mins[i]}, ${maxs[i]}]`, v);
            break;
          case 2:
            if (typeof v !== 'string') refuse(i, 'a string', v);
            if (enums[i] && !enums[i]!.has(v as string)) refuse(i, `one of ${[...enums[i]!].join(', ')}`, v);
            break;
          case 3:
            if (typeof v !== 'boolean') refuse(i, 'a boolean', v);
            break;
        }
      }
    },
  };
}
