/**
 * Checking a raw event against the bundle's input schema. Compiled once per bundle into
 * flat arrays; per event it is one loop over the fields with no allocation unless the
 * event is refused.
 *
 * What an event is allowed to be, and why:
 * - **A plain object only** (prototype `Object.prototype` or `null`, what `JSON.parse`
 *   and object literals make). A `Date`, `Map`, array, boxed primitive or class instance
 *   is refused: none of them is an event, and each could answer field reads from its
 *   prototype. An object from another realm (a `vm` context, an iframe) has another
 *   `Object.prototype` and is refused too; structured clone (`postMessage`, workers)
 *   makes same-realm objects.
 * - **Own properties only.** An inherited value (from a prototype, or from a polluted
 *   `Object.prototype`) counts as missing. Cheaply: the event's prototype is
 *   `Object.prototype` or `null`, so a plain read can only inherit from
 *   `Object.prototype`; while that has no enumerable property (no pollution by
 *   assignment, see {@link objectPrototypeIsPolluted}) a plain read is an own read, and
 *   `hasOwnProperty` is called only for fields named like a built-in (`constructor`) or
 *   when the prototype is polluted. (`Object.defineProperty(Object.prototype, …)` with a
 *   non-enumerable property is code running in the process and is not defended against.)
 * - **Getters** are read like values, once per field. The scorer reads the caller's
 *   event once into a plain copy before validating it (scorer/read-event.ts), so a getter
 *   cannot answer the validator and the features differently. Refusing accessors here
 *   would take a property descriptor per field per event (an allocation each; measured
 *   slower than the whole validation), and a plain object with getters is code in the
 *   same process, not untrusted input: JSON never makes one.
 * - **Missing-value sentinels** (`missing: [99999999]`) count as absent.
 * - **Integer-coded categoricals** (`categories`) accept only their codes.
 * - **Unknown fields** are ignored or refused, as `input.unknownFields` says; the check
 *   costs nothing when they are ignored.
 * - **Anything else a read throws** (a Proxy trap, a throwing getter) becomes
 *   `invalid_event` at `['event']`: `validate` throws nothing but `invalid_event`.
 */
import type { InputField, InputSchema } from '../bundle/manifest';
import { categoriesOf } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

const TYPE_CODE = { number: 0, integer: 1, string: 2, boolean: 3 } as const;
const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT_PROTOTYPE = Object.prototype;

/**
 * Whether `Object.prototype` has an enumerable property: never, in a clean realm (its
 * own properties are all built-ins, non-enumerable); always, after prototype pollution
 * by assignment (`target.__proto__.PAY_0 = 8` from a merge of untrusted JSON). Until it
 * does, a plain read `event[name]` of a plain object returns an own value or a
 * non-enumerable built-in, so readers check `hasOwnProperty` only for built-in names
 * and for events read while the prototype is polluted: `hasOwnProperty` on every field
 * halved the validator's throughput (measured on the Taiwan schema: about 2.0 → 1.0
 * million validations per second).
 *
 * @example
 * objectPrototypeIsPolluted(); // false
 * (Object.prototype as Record<string, unknown>).PAY_0 = 8;
 * objectPrototypeIsPolluted(); // true
 */
export function objectPrototypeIsPolluted(): boolean {
  for (const _ in OBJECT_PROTOTYPE) return true;
  return false;
}

/**
 * Whether every plain object inherits `name` (constructor, toString, __proto__, …): a
 * field so named is always read with `hasOwnProperty`.
 *
 * @example
 * isInheritedName('constructor'); // true
 * isInheritedName('PAY_0'); // false (unless Object.prototype is polluted)
 */
export function isInheritedName(name: string): boolean {
  return name in OBJECT_PROTOTYPE;
}

/** What to do with an event's own enumerable keys that are not input fields. */
export type UnknownFieldPolicy = InputSchema['unknownFields'];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object' || typeof v === 'function') {
    // Object.prototype.toString reads Symbol.toStringTag, which a Proxy or getter may make throw.
    try {
      const tag = Object.prototype.toString.call(v).slice(8, -1);
      return tag === 'Object' ? 'an object with a prototype other than Object.prototype' : `a ${tag}`;
    } catch {
      return 'an object that cannot be inspected';
    }
  }
  return typeof v;
}

function messageOf(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : describe(e);
  } catch {
    return 'an error that cannot be inspected';
  }
}

/**
 * A validator for events of one input schema. `validate` throws `invalid_event` with
 * the path of what failed (`['event']` for the event itself, `['event', FIELD]` for a
 * field) and what was expected; it never mutates the event and never throws anything
 * else.
 *
 * @example
 * const v = createEventValidator({ fields: [{ name: 'AGE', type: 'integer', required: true, min: 18 }], unknownFields: 'refuse' });
 * v.validate({ AGE: 17 }); // throws RiskscoreError invalid_event at ['event', 'AGE']
 * v.validate({ AGE: 30, age: 30 }); // throws RiskscoreError invalid_event at ['event', 'age']
 * v.validate(new Date()); // throws RiskscoreError invalid_event at ['event']
 */
export interface EventValidator {
  readonly names: readonly string[];
  readonly unknownFields: UnknownFieldPolicy;
  /** Throws `invalid_event` unless `event` matches the schema. */
  validate(event: unknown): asserts event is Record<string, unknown>;
}

/** Flat per-field lists of numbers (sentinels, category codes): field i owns `values[start[i] .. start[i + 1])`, ascending. */
function flatLists(lists: ReadonlyArray<readonly number[]>): { start: Int32Array; values: Float64Array } {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => { start[i + 1] = start[i] + l.length; });
  const values = new Float64Array(start[lists.length]);
  lists.forEach((l, i) => values.set([...l].sort((a, b) => a - b), start[i]));
  return { start, values };
}

/** Whether `v` is in the ascending `values[lo .. hi)`: binary search, no allocation. */
function listHas(values: Float64Array, lo: number, hi: number, v: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = values[mid];
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * Compiles an input schema into an {@link EventValidator}. Pass the manifest's whole
 * `input` (fields and `unknownFields`), or the fields alone with the policy as an
 * option (default `'ignore'`).
 *
 * @example
 * const validator = createEventValidator(manifest.input);
 * validator.validate(JSON.parse(body)); // throws invalid_event, or narrows to a record
 */
export function createEventValidator(input: Pick<InputSchema, 'fields'> & { unknownFields?: UnknownFieldPolicy }): EventValidator;
export function createEventValidator(fields: readonly InputField[], options?: { unknownFields?: UnknownFieldPolicy }): EventValidator;
export function createEventValidator(
  input: readonly InputField[] | (Pick<InputSchema, 'fields'> & { unknownFields?: UnknownFieldPolicy }),
  options: { unknownFields?: UnknownFieldPolicy } = {},
): EventValidator {
  if (input === null || typeof input !== 'object' || (!Array.isArray(input) && !Array.isArray((input as InputSchema).fields))) {
    throw new RiskscoreError('invalid_argument', 'createEventValidator: expected the manifest\'s input schema ({ fields, unknownFields }) or its list of fields', { path: ['input'] });
  }
  const fields: readonly InputField[] = Array.isArray(input) ? input : (input as InputSchema).fields;
  const policy: UnknownFieldPolicy = (Array.isArray(input) ? options.unknownFields : (input as InputSchema).unknownFields) ?? 'ignore';
  if (policy !== 'ignore' && policy !== 'refuse') {
    throw new RiskscoreError('invalid_argument', `createEventValidator: unknownFields must be 'ignore' or 'refuse', got ${describe(policy)}`, { path: ['input', 'unknownFields'] });
  }
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const types = Uint8Array.from(fields.map((f) => TYPE_CODE[f.type]));
  const required = Uint8Array.from(fields.map((f) => (f.required === false ? 0 : 1)));
  const mins = Float64Array.from(fields.map((f) => f.min ?? -Infinity));
  const maxs = Float64Array.from(fields.map((f) => f.max ?? Infinity));
  /** Per field 10^decimals, or 0 when any precision is allowed. */
  const scales = Float64Array.from(fields.map((f) => (f.decimals === undefined ? 0 : 10 ** f.decimals)));
  const enums = fields.map((f) => (f.enum ? new Set(f.enum) : null));
  const sentinels = flatLists(fields.map((f) => f.missing ?? []));
  const cats = fields.map((f) => (f.type === 'integer' ? categoriesOf(f) : []));
  const codes = flatLists(cats.map((c) => c.map((x) => x.code)));
  // The refusal texts are built here, once, so that refusing allocates only the error.
  const allowedCodes = cats.map((c) => c.map((x) => `${x.code} (${x.label})`).join(', '));
  const known = policy === 'refuse' ? new Set(names) : null;
  const summary = `${names.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''}`;
  const builtinName = Uint8Array.from(names, (name) => (isInheritedName(name) ? 1 : 0));

  // The last error this validator threw: `validate` tells its own refusals from what a
  // Proxy trap or getter threw (even a riskscore error) without an instanceof walk.
  let own: RiskscoreError | null = null;
  const refuse = (i: number, expected: string, got: unknown, extra?: Record<string, unknown>): never => {
    throw own = new RiskscoreError('invalid_event', `event field ${names[i]}: expected ${expected}, got ${describe(got)}`, {
      path: ['event', names[i]], details: { field: names[i], expected, received: describe(got), ...extra },
    });
  };
  const refuseEvent = (event: unknown): never => {
    throw own = new RiskscoreError('invalid_event', `an event must be a plain object (a JSON object) with fields ${summary}, got ${describe(event)}`, {
      path: ['event'], details: { expected: 'a plain object', received: describe(event) },
    });
  };

  function check(e: Record<string, unknown>, ownCheck: boolean): void {
    for (let i = 0; i < n; i++) {
      const name = names[i];
      // Own properties only: an inherited value is not the caller's data.
      const v = (ownCheck || builtinName[i] === 1) && !hasOwn.call(e, name) ? undefined : e[name];
      if (v === undefined || v === null) {
        if (required[i]) refuse(i, 'a value (the field is required)', v);
        continue;
      }
      switch (types[i]) {
        case 0:
        case 1: {
          if (typeof v !== 'number' || !Number.isFinite(v)) return refuse(i, types[i] === 1 ? 'a finite integer' : 'a finite number', v);
          const s0 = sentinels.start[i], s1 = sentinels.start[i + 1];
          if (s0 !== s1 && listHas(sentinels.values, s0, s1, v)) {
            if (required[i]) refuse(i, `a value (the field is required; ${v} is its missing-value sentinel)`, v);
            continue;
          }
          if (types[i] === 1 && !Number.isInteger(v)) refuse(i, 'an integer', v);
          const c0 = codes.start[i], c1 = codes.start[i + 1];
          if (c0 !== c1 && !listHas(codes.values, c0, c1, v)) {
            refuse(i, `one of the codes ${allowedCodes[i]}`, v, { allowed: Array.from(codes.values.subarray(c0, c1)) });
          }
          if (v < mins[i] || v > maxs[i]) refuse(i, `a number in [${mins[i]}, ${maxs[i]}]`, v);
          if (scales[i] > 0) {
            // Relative to the scaled value, so that 57.16 · 100 = 5715.999… passes and 1e-40 does not.
            const s = v * scales[i];
            const r = Math.round(s);
            if (s !== r && Math.abs(s - r) > 1e-9 * Math.abs(s)) refuse(i, `a number with at most ${Math.log10(scales[i])} decimal places`, v);
          }
          break;
        }
        case 2:
          if (typeof v !== 'string') refuse(i, 'a string', v);
          if (enums[i] && !enums[i]!.has(v as string)) refuse(i, `one of ${[...enums[i]!].join(', ')}`, v);
          break;
        case 3:
          if (typeof v !== 'boolean') refuse(i, 'a boolean', v);
          break;
      }
    }
    if (known !== null) {
      for (const key in e) {
        if (hasOwn.call(e, key) && !known.has(key)) {
          throw own = new RiskscoreError('invalid_event', `event field ${key} is not in the bundle's input schema (unknownFields: 'refuse')`, {
            path: ['event', key], details: { field: key, expected: `only the fields ${summary}` },
          });
        }
      }
    }
  }

  return {
    names,
    unknownFields: policy,
    validate(event: unknown): asserts event is Record<string, unknown> {
      if (event === null || typeof event !== 'object') refuseEvent(event);
      try {
        const proto = Object.getPrototypeOf(event);
        if (proto !== OBJECT_PROTOTYPE && proto !== null) refuseEvent(event);
        check(event as Record<string, unknown>, proto !== null && objectPrototypeIsPolluted());
      } catch (cause) {
        if (cause === own) throw cause;
        // A Proxy trap or a getter threw while the event was read.
        throw new RiskscoreError('invalid_event', `reading the event threw: ${messageOf(cause)}`, {
          path: ['event'], details: { expected: 'a plain object of data properties' }, cause,
        });
      }
    },
  };
}
