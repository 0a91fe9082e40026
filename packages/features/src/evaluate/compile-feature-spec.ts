import { FeatureError } from '../errors';
import { secondsFromDuration } from '../spec/duration';
import { FeatureSpecSchema, type FeatureDef, type FeatureSpec } from '../spec/feature-spec';
import { dayOfWeek, hourOfDay } from '../time/calendar';
import { haversineDistance } from '../time/haversine';
import { parseDatetimeSeconds } from '../time/parse-datetime';
import { ddAddMoments, ddPlus, ddStdInto } from '../state/double-double';
import { ENTITY_OVERHEAD_BYTES } from '../state/entity-table';
import { hashString } from '../state/hash-string';
import { createMemoryStateStore } from '../state/memory-state-store';
import { StringKey } from '../state/string-key';
import type { EntityKey, EntityRefs, EntityStateStore, EntityStateWriter } from '../state/state-store';
import { EntityWindows } from './entity-windows';
import { EntityWindowsLayout } from './entity-windows-layout';
import { FeaturePlan, groupFeaturePlans, Op, type FeatureGroup } from './feature-plan';

/**
 * An input event: a plain object keyed by field name. Typed as `object` so interfaces of
 * callers' event types are accepted; fields are read by the names in the spec.
 */
export type EventRecord = object;
type Fields = Readonly<Record<string, unknown>>;
/** Where features are written: float32 for models, float64 for exact comparisons. */
export type FeatureVector = Float32Array | Float64Array;

/** Counters of an evaluator since it was compiled (or reset). */
export interface FeatureEvaluatorStats {
  /** Events committed to the state. */
  committed: number;
  /** Events refused with a FeatureError. */
  refused: number;
  /** Late events scored without a state update (`lateEvents: "score_only"`). */
  scoredOnly: number;
}

/**
 * A compiled feature spec: validates an event, computes its features in a fixed order into
 * a caller's typed array, and updates entity state, with no allocation per event on the
 * hot path (apart from the key string of a composite key that is not two small integers).
 */
export interface FeatureEvaluator {
  /** The parsed spec (defaults filled in). */
  readonly spec: FeatureSpec;
  /** Names of the emitted features, in output order. */
  readonly featureNames: readonly string[];
  /** For each emitted feature, the raw event fields it derives from (sorted). */
  readonly lineage: ReadonlyArray<readonly string[]>;
  /** Number of emitted features. */
  readonly size: number;
  /** The state store holding entity histories. */
  readonly store: EntityStateStore;
  /**
   * Validates `event`, writes its features into `out[offset … offset + size)` and then
   * commits it to the entity state. A refused event throws a FeatureError and leaves the
   * state and `out` untouched.
   */
  computeInto(event: EventRecord, out: FeatureVector, offset?: number): void;
  /** As `computeInto` without committing the event (scoring a what-if, a replay). */
  peekInto(event: EventRecord, out: FeatureVector, offset?: number): void;
  /**
   * The first half of a scoring transaction: validates `event`, reads the states of all
   * of its entities (one `store.read`), writes its features into `out[offset …)` and
   * returns a token for `commit`. Writes nothing to the store; a refused event throws a
   * FeatureError. Several events may be prepared before any is committed: the token
   * keeps what its commit needs (the event may change after prepare; the commit records
   * the event as it was prepared).
   */
  prepare(event: EventRecord, out: FeatureVector, offset?: number): PreparedEvent;
  /**
   * The second half: appends the prepared event to its entities (one `store.write`,
   * compare-and-set on each entity's version). When an entity was written since the
   * event was prepared it throws `state_conflict` and writes nothing (prepare again). A
   * late event under `lateEvents: "score_only"` commits nothing. A token commits once.
   */
  commit(prepared: PreparedEvent): void;
  /**
   * A shared store's first step (absent `store.prefetch`: returns undefined): reads the
   * event's key fields and brings the state of its entities into the store's local
   * tables, so that `prepare` computes on the shared state. Returns undefined too when a
   * key field is missing or invalid (`prepare` refuses the event). Call it right before
   * `prepare`, with no other prepare of the same entities in between.
   */
  prefetch(event: EventRecord): Promise<void> | undefined;
  /**
   * `commit` through a shared store (`store.writeAsync`; a local store commits as
   * `commit` does): the event is recorded on the server, compare-and-set against the
   * versions prefetch saw, or `state_conflict` and nothing is written. Rejects with the
   * store's `state_unavailable` when it does not answer.
   */
  commitAsync(prepared: PreparedEvent): Promise<void>;
  /**
   * Per entity kind of the spec (an index into `spec.entities`), a number that stands for
   * the prepared event's entity of that kind: its numeric key, or its string key's hash
   * (NaN: no feature uses the kind). One entity always gives one number; two string keys
   * may share one (a hash collision), so equal numbers mean "maybe the same entity" and
   * events whose numbers all differ touch different entities. The token's own array:
   * read it, do not keep or change it.
   */
  entityHashesOf(prepared: PreparedEvent): Float64Array;
  /**
   * The same numbers for an event not prepared yet, from its key fields alone (cheaper
   * than `prepare`), into `out` (one per entity kind). False when a key field is missing
   * or invalid: `prepare` refuses such an event. Lets a caller take its place in the
   * entities' lines before computing anything.
   */
  entityHashesOfEvent(event: EventRecord, out: Float64Array): boolean;
  /**
   * Records the outcome (label) of an earlier event, identified by its entity keys, its
   * timestamp and, when the spec has an `idField`, its id. Label-delayed windows of later
   * events count it. Returns how many entity histories held the event (0 when it has left
   * every horizon or was never committed).
   */
  recordOutcome(event: EventRecord, label: number): number;
  /** Counters since compile or reset. */
  stats(): FeatureEvaluatorStats;
  /** Forgets all state and counters. */
  reset(): void;
}

/** What `prepare` returns and `commit` takes (opaque apart from these). */
export interface PreparedEvent {
  /** The event's time, in seconds since the Unix epoch. */
  readonly timestamp: number;
  /** Late under `lateEvents: "score_only"`: scored as of its time, never committed. */
  readonly late: boolean;
  /** True once committed. */
  readonly committed: boolean;
}

/** Options of `compileFeatureSpec`. */
export interface CompileOptions {
  /** Where entity histories live (default: `createMemoryStateStore()`). */
  store?: EntityStateStore;
  /**
   * Milliseconds since the Unix epoch, for `event.timestamp.maxAhead` (default
   * `Date.now`; `null` turns the check off, as the offline pass does for history).
   */
  clock?: (() => number) | null;
}

/** Internals the offline pass in this package uses; not exported from the package. */
export interface EvaluatorInternals {
  timestampOf(event: EventRecord): number;
  /** Entities with label windows, by index. */
  labelEntities: Int32Array;
  /** The key of entity kind `entity` in the last computed event (a string key joined: allocates). */
  keyAt(entity: number): EntityKey;
  /** Tag of the last computed event (id hash or sequence number). */
  tag(): number;
  recordOutcomeAt(entity: number, key: EntityKey, ts: number, tag: number, label: number): number;
  /**
   * True when every label window ends at least `availableAfter` before its event
   * (`delay >= availableAfter`): an event then enters a label window only once its
   * outcome is known offline, so the outcome can be stored with the event when it is
   * committed (`setNextLabel`) instead of being recorded `availableAfter` later, with the
   * same counts.
   */
  labelAtCommit: boolean;
  /** The outcome the next committed event carries (reset after each commit or refusal). */
  setNextLabel(label: number): void;
  /** Turns the clock check off (history is replayed long after it happened). */
  disableClock(): void;
}
const INTERNALS = new WeakMap<FeatureEvaluator, EvaluatorInternals>();

/** The internals of an evaluator compiled by this package. */
export function evaluatorInternals(e: FeatureEvaluator): EvaluatorInternals {
  const i = INTERNALS.get(e);
  if (!i) throw new FeatureError('invalid_argument', 'not an evaluator from compileFeatureSpec', []);
  return i;
}

const enum FieldType { Number, Category, String }
const hasOwn = Object.prototype.hasOwnProperty;

/** Refuses an event that is not a plain object (its prototype Object.prototype or null); `what` prefixes the message. */
function checkPlain(event: object, what: string): void {
  const proto = Object.getPrototypeOf(event);
  if (proto !== Object.prototype && proto !== null) {
    throw new FeatureError('invalid_event', `${what}expected a plain object of event fields, got ${describeObject(event)}`, ['event']);
  }
}

/** What a non-plain event is, for a message: `a Date`, `a Map`, `an array`. */
function describeObject(v: object): string {
  if (Array.isArray(v)) return 'an array';
  try {
    const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object whose prototype is not Object.prototype';
  } catch {
    return 'an object whose prototype cannot be read';
  }
}

/**
 * A riskscore error as it is; anything else thrown while reading an event (a getter or
 * a Proxy trap of the caller's object) as `invalid_event`, so no foreign error escapes.
 */
function asFeatureError(e: unknown): unknown {
  if (typeof e === 'object' && e !== null && Symbol.for('riskscore.error') in e) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new FeatureError('invalid_event', `reading the event failed (${msg.slice(0, 200)}); pass a plain object of plain values`, ['event'], { cause: e });
}
/** Integer ids below this pair into one number key (see keyOf). */
const PAIR_LIMIT = 2 ** 26;
const enum TsFormat { Datetime, EpochSeconds, EpochMillis }

interface FieldPlan {
  name: string;
  type: FieldType;
  required: boolean;
  min: number;
  max: number;
  integer: boolean;
  catIndex: Map<string, number> | null;
  allowUnknown: boolean;
}

interface EntityPlan {
  name: string;
  keyFields: Int32Array;
  keyKind: 'number' | 'string' | 'composite';
  /** The event's key when it is a string (filled per event, see keyOf). */
  skey: StringKey;
  columns: Int32Array; // field index per column
  used: boolean;
  /** The window engine (set once the layout is known). */
  w: EntityWindows | null;
  // per event
  colVals: Float64Array;
  late: boolean;
}

function specError(message: string, path: ReadonlyArray<string | number>): FeatureError {
  return new FeatureError('invalid_spec', message, path);
}

/**
 * Compiles a feature spec (validated with `FeatureSpecSchema`, then cross-checked) into an
 * evaluator.
 *
 * @example
 * const ev = compileFeatureSpec(spec);
 * const out = new Float32Array(ev.size);
 * ev.computeInto({ card: 'c1', amount: 12.5, ts: 1522540831 }, out);
 * ev.featureNames; // ['card_count_1h', ...]
 */
export function compileFeatureSpec(input: unknown, options: CompileOptions = {}): FeatureEvaluator {
  const parsed = FeatureSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more issues)` : '';
    throw specError(`feature spec: ${issue.message} at ${issue.path.join('.') || '(root)'}${more}`, issue.path as (string | number)[]);
  }
  const spec = parsed.data;
  if (options === null || typeof options !== 'object') throw new FeatureError('invalid_argument', 'compileFeatureSpec: options must be an object such as { store }', ['options']);
  const store = options.store ?? createMemoryStateStore();
  for (const m of ['table', 'read', 'write', 'noteWrite'] as const) {
    if (typeof (store as unknown as Record<string, unknown>)[m] !== 'function') {
      throw new FeatureError('invalid_argument', `compileFeatureSpec: options.store must implement EntityStateStore (its ${m}() is missing); use createMemoryStateStore()`, ['options', 'store']);
    }
  }
  if (options.clock !== undefined && options.clock !== null && typeof options.clock !== 'function') {
    throw new FeatureError('invalid_argument', 'compileFeatureSpec: options.clock must be a function returning milliseconds since the epoch, or null', ['options', 'clock']);
  }

  // ---- fields ---------------------------------------------------------------------------
  const fields: FieldPlan[] = [];
  const fieldIndex = new Map<string, number>();
  spec.event.fields.forEach((f, i) => {
    if (fieldIndex.has(f.name)) throw specError(`field "${f.name}" is declared twice`, ['event', 'fields', i, 'name']);
    if (f.name === spec.event.timestamp.field) {
      throw specError(`field "${f.name}" is the timestamp field; declare it only in event.timestamp`, ['event', 'fields', i, 'name']);
    }
    fieldIndex.set(f.name, i);
    fields.push({
      name: f.name,
      type: f.type === 'number' ? FieldType.Number : f.type === 'category' ? FieldType.Category : FieldType.String,
      required: f.required,
      min: f.type === 'number' && f.min !== undefined ? f.min : -Infinity,
      max: f.type === 'number' && f.max !== undefined ? f.max : Infinity,
      integer: f.type === 'number' && f.integer,
      catIndex: f.type === 'category' ? new Map(f.values.map((v, k) => [v, k])) : null,
      allowUnknown: f.type === 'category' && f.unknown === 'allow',
    });
  });
  const nFields = fields.length;
  const tsField = spec.event.timestamp.field;
  const tsFormat = spec.event.timestamp.format === 'datetime' ? TsFormat.Datetime
    : spec.event.timestamp.format === 'epoch_seconds' ? TsFormat.EpochSeconds : TsFormat.EpochMillis;
  const utcOffset = spec.event.timestamp.utcOffsetMinutes;
  const idFieldIdx = spec.event.idField === undefined ? -1 : fieldIndex.get(spec.event.idField) ?? -2;
  if (idFieldIdx === -2) throw specError(`idField "${spec.event.idField}" is not a declared field`, ['event', 'idField']);

  const fieldRef = (nameRef: string, path: (string | number)[], types: FieldType[]): number => {
    const i = fieldIndex.get(nameRef);
    if (i === undefined) throw specError(`"${nameRef}" is not a declared event field`, path);
    if (!types.includes(fields[i].type)) {
      throw specError(`field "${nameRef}" has type ${spec.event.fields[i].type}, which this feature cannot use`, path);
    }
    return i;
  };

  // ---- entities -------------------------------------------------------------------------
  const entityIndex = new Map<string, number>();
  const entities: EntityPlan[] = spec.entities.map((e, i) => {
    if (entityIndex.has(e.name)) throw specError(`entity "${e.name}" is declared twice`, ['entities', i, 'name']);
    entityIndex.set(e.name, i);
    const keyFields = Int32Array.from(e.key.map((k, j) => fieldRef(k, ['entities', i, 'key', j], [FieldType.Number, FieldType.String, FieldType.Category])));
    const keyKind = keyFields.length > 1 ? 'composite' : fields[keyFields[0]].type === FieldType.Number ? 'number' : 'string';
    return { name: e.name, keyFields, keyKind, skey: new StringKey(), columns: new Int32Array(0), used: false, w: null, colVals: new Float64Array(0), late: false };
  });
  const entityRef = (nameRef: string, path: (string | number)[]): number => {
    const i = entityIndex.get(nameRef);
    if (i === undefined) throw specError(`"${nameRef}" is not a declared entity`, path);
    return i;
  };

  // First pass over window features: columns, window lengths and label groups per entity.
  const cols: number[][] = entities.map(() => []);
  // Per entity and field: which running aggregates its windows need.
  const needs: Map<number, Set<string>>[] = entities.map(() => new Map());
  const wins: number[][] = entities.map(() => []);
  const labs: string[][] = entities.map(() => []);
  spec.features.forEach((f, i) => {
    if (f.kind === 'window') {
      const e = entityRef(f.entity, ['features', i, 'entity']);
      entities[e].used = true;
      const w = secondsFromDuration(f.window);
      if (!wins[e].includes(w)) wins[e].push(w);
      if (f.aggregate !== 'count' || f.field !== undefined) {
        if (f.field === undefined) throw specError(`aggregate "${f.aggregate}" needs a field`, ['features', i, 'field']);
        const types = f.aggregate === 'distinct_count' || f.aggregate === 'count'
          ? [FieldType.Number, FieldType.String, FieldType.Category] : [FieldType.Number];
        const fi = fieldRef(f.field, ['features', i, 'field'], types);
        if (!cols[e].includes(fi)) cols[e].push(fi);
        if (!needs[e].has(fi)) needs[e].set(fi, new Set());
        needs[e].get(fi)!.add(f.aggregate);
      }
    } else if (f.kind === 'label_window') {
      const e = entityRef(f.entity, ['features', i, 'entity']);
      if (!spec.event.label) throw specError('label_window features need event.label (the outcome field)', ['features', i]);
      entities[e].used = true;
      const g = `${secondsFromDuration(f.delay)}|${secondsFromDuration(f.window)}`;
      if (!labs[e].includes(g)) labs[e].push(g);
    } else if (f.kind === 'time_since_last') {
      entities[entityRef(f.entity, ['features', i, 'entity'])].used = true;
    }
  });
  const maxEvents = spec.state.maxEventsPerEntity;
  entities.forEach((ep, e) => {
    wins[e].sort((x, y) => x - y);
    ep.columns = Int32Array.from(cols[e]);
    ep.colVals = new Float64Array(cols[e].length);
    if (!ep.used) return;
    const has = (a: string): Uint8Array => Uint8Array.from(cols[e], (fi) => (needs[e].get(fi)!.has(a) ? 1 : 0));
    const squares = has('std');
    const moments = Uint8Array.from(cols[e], (fi) => (['count', 'sum', 'mean', 'std'].some((a) => needs[e].get(fi)!.has(a)) ? 1 : 0));
    const plan = {
      name: ep.name, windows: Float64Array.from(wins[e]), moments, squares,
      optional: Uint8Array.from(cols[e], (fi) => (fields[fi].required ? 0 : 1)),
      mins: has('min'), maxs: has('max'), distinct: has('distinct_count'),
      labDelay: Float64Array.from(labs[e].map((g) => Number(g.split('|')[0]))),
      labSpan: Float64Array.from(labs[e].map((g) => Number(g.split('|')[0]) + Number(g.split('|')[1]))),
      maxEvents,
    };
    const layout = new EntityWindowsLayout(plan);
    const worst = layout.headerSize * 8 + ENTITY_OVERHEAD_BYTES + (layout.lanes << layout.maxClass) * 8;
    if (worst > store.maxBytesPerEntityKind) {
      throw new FeatureError('state_limit',
        `entity "${ep.name}": one entity at maxEventsPerEntity=${maxEvents} needs ${worst} bytes, more than the store's ${store.maxBytesPerEntityKind}; raise maxBytes or lower maxEventsPerEntity`,
        ['state', 'maxEventsPerEntity']);
    }
    ep.w = new EntityWindows(plan, layout, store.table(e, layout));
  });
  const usedEntities = Int32Array.from(entities.map((e, i) => (e.used ? i : -1)).filter((i) => i >= 0));
  const labelEntities = Int32Array.from(labs.map((l, i) => (l.length > 0 ? i : -1)).filter((i) => i >= 0));
  const availableAfter = spec.event.label ? secondsFromDuration(spec.event.label.availableAfter) : 0;
  const labelAtCommit = labs.every((groups) => groups.every((g) => Number(g.split('|')[0]) >= availableAfter));

  // ---- features -------------------------------------------------------------------------
  const featIndex = new Map<string, number>();
  const plans: FeaturePlan[] = [];
  const lineageSets: Set<string>[] = [];
  const featRef = (nameRef: string, path: (string | number)[]): number => {
    const i = featIndex.get(nameRef);
    if (i === undefined) throw specError(`"${nameRef}" is not a feature defined earlier in the list`, path);
    return i;
  };
  const aggOp: Record<string, Op> = {
    sum: Op.WinSum, mean: Op.WinMean, std: Op.WinStd, min: Op.WinMin, max: Op.WinMax, distinct_count: Op.WinDistinct,
  };
  spec.features.forEach((f: FeatureDef, i) => {
    const path = ['features', i];
    if (featIndex.has(f.name)) throw specError(`feature "${f.name}" is defined twice`, [...path, 'name']);
    const p = new FeaturePlan();
    const lin = new Set<string>();
    const inherit = (j: number): void => { for (const s of lineageSets[j]) lin.add(s); };
    switch (f.kind) {
      case 'field':
        p.op = Op.Field; p.a = fieldRef(f.field, [...path, 'field'], [FieldType.Number]);
        p.p0 = f.missing ?? NaN; lin.add(f.field); break;
      case 'log1p':
        p.op = Op.Log1p; p.a = featRef(f.input, [...path, 'input']); inherit(p.a); break;
      case 'clip':
        if (!(f.min <= f.max)) throw specError('clip needs min <= max', [...path, 'min']);
        p.op = Op.Clip; p.a = featRef(f.input, [...path, 'input']); p.p0 = f.min; p.p1 = f.max; inherit(p.a); break;
      case 'ratio':
        p.op = Op.Ratio; p.a = featRef(f.numerator, [...path, 'numerator']); p.b = featRef(f.denominator, [...path, 'denominator']);
        p.p0 = f.onZero; inherit(p.a); inherit(p.b); break;
      case 'difference':
        p.op = Op.Difference; p.a = featRef(f.a, [...path, 'a']); p.b = featRef(f.b, [...path, 'b']); inherit(p.a); inherit(p.b); break;
      case 'zscore':
        p.op = Op.ZScore; p.a = featRef(f.input, [...path, 'input']); p.p0 = f.mean; p.p1 = f.std; inherit(p.a); break;
      case 'bucketize':
        for (let k = 1; k < f.boundaries.length; k++) {
          if (!(f.boundaries[k - 1] < f.boundaries[k])) throw specError('bucketize boundaries must be strictly ascending', [...path, 'boundaries', k]);
        }
        p.op = Op.Bucketize; p.a = featRef(f.input, [...path, 'input']); p.table = Float64Array.from(f.boundaries); inherit(p.a); break;
      case 'time_part':
        p.op = f.part === 'hour' ? Op.Hour : f.part === 'day_of_week' ? Op.DayOfWeek : f.part === 'weekend' ? Op.Weekend : Op.Night;
        p.p0 = f.nightFrom; p.p1 = f.nightTo; lin.add(tsField); break;
      case 'haversine':
        p.op = Op.Haversine;
        p.a = fieldRef(f.lat1, [...path, 'lat1'], [FieldType.Number]); p.b = fieldRef(f.lon1, [...path, 'lon1'], [FieldType.Number]);
        p.c = fieldRef(f.lat2, [...path, 'lat2'], [FieldType.Number]); p.d = fieldRef(f.lon2, [...path, 'lon2'], [FieldType.Number]);
        p.p0 = f.radius; lin.add(f.lat1).add(f.lon1).add(f.lat2).add(f.lon2); break;
      case 'one_hot': {
        p.a = fieldRef(f.field, [...path, 'field'], [FieldType.Category, FieldType.String]);
        const ci = fields[p.a].catIndex;
        if (ci) {
          const k = ci.get(f.value);
          if (k === undefined) throw specError(`"${f.value}" is not one of the values of field "${f.field}"`, [...path, 'value']);
          p.op = Op.OneHotCat; p.b = k;
        } else {
          p.op = Op.OneHotStr; p.str = f.value;
        }
        lin.add(f.field); break;
      }
      case 'ordinal':
      case 'frequency_encoding':
      case 'target_encoding': {
        p.a = fieldRef(f.field, [...path, 'field'], [FieldType.Category, FieldType.String]);
        const entries: [string, number][] = f.kind === 'ordinal' ? f.order.map((v, k) => [v, k]) : Object.entries(f.table);
        p.p0 = f.unknownValue;
        const ci = fields[p.a].catIndex;
        if (ci) {
          p.op = Op.TableCat;
          p.table = new Float64Array(ci.size).fill(f.unknownValue);
          for (const [v, x] of entries) {
            const k = ci.get(v);
            if (k !== undefined) p.table[k] = x;
          }
        } else {
          p.op = Op.TableStr; p.map = new Map(entries);
        }
        lin.add(f.field); break;
      }
      case 'window': {
        const e = entityIndex.get(f.entity)!;
        const ep = entities[e];
        const L = ep.w!.layout;
        p.a = e; p.b = wins[e].indexOf(secondsFromDuration(f.window)); p.flag = f.includeCurrent; p.p0 = f.empty; p.p1 = f.ddof;
        if (f.field !== undefined) {
          p.c = ep.columns.indexOf(fieldIndex.get(f.field)!);
          p.d = p.b * L.C + p.c;
          p.o3 = L.totN[p.c];
          lin.add(f.field);
        }
        p.op = f.aggregate === 'count' ? (f.field === undefined ? Op.WinCount : Op.WinFieldCount) : aggOp[f.aggregate];
        for (const k of spec.entities[e].key) lin.add(k);
        break;
      }
      case 'time_since_last': {
        const e = entityIndex.get(f.entity)!;
        p.op = Op.TimeSinceLast; p.a = e; p.p0 = f.missing;
        for (const k of spec.entities[e].key) lin.add(k);
        lin.add(tsField); break;
      }
      case 'label_window': {
        const e = entityIndex.get(f.entity)!;
        p.a = e; p.b = labs[e].indexOf(`${secondsFromDuration(f.delay)}|${secondsFromDuration(f.window)}`);
        p.op = f.aggregate === 'count' ? Op.LabCount : f.aggregate === 'known_count' ? Op.LabKnown
          : f.aggregate === 'positive_count' ? Op.LabPositive : Op.LabRate;
        for (const k of spec.entities[e].key) lin.add(k);
        lin.add(spec.event.label!.field); break;
      }
    }
    featIndex.set(f.name, i);
    plans.push(p);
    lineageSets.push(lin);
  });
  const emitted = spec.features.map((f, i) => (f.emit ? i : -1)).filter((i) => i >= 0);
  if (emitted.length === 0) throw specError('the spec emits no feature (every feature has emit: false)', ['features']);
  const emitIdx = Int32Array.from(emitted);
  const featureNames = Object.freeze(emitted.map((i) => spec.features[i].name));
  const lineage = Object.freeze(emitted.map((i) => Object.freeze([...lineageSets[i]].sort())));
  const size = emitIdx.length;

  // ---- per-event scratch ----------------------------------------------------------------
  const num = new Float64Array(nFields);
  const cat = new Int32Array(nFields);
  const strs: (string | undefined)[] = new Array(nFields).fill(undefined);
  /** Per string field: hashString of its value in this event, computed once when first needed (NaN: not yet). */
  const strHash = new Float64Array(nFields);
  const vals = new Float64Array(plans.length);
  /** Per entity kind, the event's key: a number, or the kind's `skey` (see keyOf). */
  const keys: (number | StringKey)[] = new Array(entities.length).fill(0);
  /** The event's entities as the store reads and writes them (see EntityStateStore). */
  const refs: EntityRefs = { kinds: usedEntities, keys, slots: new Int32Array(entities.length).fill(-1), versions: new Float64Array(entities.length).fill(-1) };
  let clock = options.clock === undefined ? Date.now : options.clock;
  const maxAhead = secondsFromDuration(spec.event.timestamp.maxAhead);
  const maxGap = spec.state.maxGap === undefined ? Infinity : secondsFromDuration(spec.state.maxGap);
  let t = 0;
  let tag = 0;
  let seq = 0;
  /** The outcome the next committed event carries (set by the offline pass, see EvaluatorInternals.labelAtCommit). */
  let nextLabel = NaN;
  const stats: FeatureEvaluatorStats = { committed: 0, refused: 0, scoredOnly: 0 };

  const invalid = (path: string, message: string): FeatureError => new FeatureError('invalid_event', message, [path]);
  const describe = (v: unknown): string => (v === null ? 'null' : typeof v === 'string' ? `string "${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : typeof v === 'number' ? String(v) : typeof v);

  const timestampOf = (event: EventRecord): number => {
    const v = hasOwn.call(event, tsField) ? (event as Fields)[tsField] : undefined;
    let s: number;
    if (tsFormat === TsFormat.Datetime) {
      if (typeof v !== 'string') throw invalid(tsField, `timestamp "${tsField}": expected a date-time string YYYY-MM-DD HH:MM:SS, got ${describe(v)}`);
      s = parseDatetimeSeconds(v);
      if (s !== s) throw invalid(tsField, `timestamp "${tsField}": cannot parse ${describe(v)}; expected YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH:MM]`);
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw invalid(tsField, `timestamp "${tsField}": expected a finite number of ${tsFormat === TsFormat.EpochSeconds ? 'seconds' : 'milliseconds'} since the Unix epoch, got ${describe(v)}`);
      }
      s = tsFormat === TsFormat.EpochSeconds ? v : v / 1000;
    }
    return s;
  };

  const parseField = (event: EventRecord, i: number): void => {
    const f = fields[i];
    // Own properties only: a field inherited from a prototype is not the event's.
    const v = hasOwn.call(event, f.name) ? (event as Fields)[f.name] : undefined;
    if (v === undefined || v === null) {
      if (f.required) throw invalid(f.name, `field "${f.name}" is required but missing`);
      num[i] = NaN; cat[i] = -1; strs[i] = undefined;
      return;
    }
    if (f.type === FieldType.Number) {
      if (typeof v !== 'number') throw invalid(f.name, `field "${f.name}": expected a number, got ${describe(v)}`);
      if (v !== v || v === Infinity || v === -Infinity) throw invalid(f.name, `field "${f.name}": expected a finite number, got ${v}`);
      if (v < f.min || v > f.max) throw invalid(f.name, `field "${f.name}": ${v} is outside the allowed range [${f.min}, ${f.max}]`);
      if (f.integer && !Number.isInteger(v)) throw invalid(f.name, `field "${f.name}": expected an integer, got ${v}`);
      num[i] = v;
    } else {
      if (typeof v !== 'string') throw invalid(f.name, `field "${f.name}": expected a string, got ${describe(v)}`);
      strs[i] = v;
      strHash[i] = NaN;
      if (f.catIndex) {
        const k = f.catIndex.get(v);
        if (k === undefined && !f.allowUnknown) {
          throw invalid(f.name, `field "${f.name}": unknown category ${describe(v)}; expected one of ${[...f.catIndex.keys()].slice(0, 10).join(', ')}`);
        }
        cat[i] = k ?? -1;
      }
    }
  };

  /** The event's key for entity kind ep: a number, or ep.skey filled with the key's parts. */
  const keyOf = (ep: EntityPlan): number | StringKey => {
    const kf = ep.keyFields;
    if (ep.keyKind === 'number') return num[kf[0]];
    if (ep.keyKind === 'string') return ep.skey.setHashed(strs[kf[0]]!, strHashOf(kf[0]));
    // Two small non-negative integer ids (card × terminal): one exact number, no string
    // built per event (2^26 · 2^26 < 2^53, so every pair maps to a distinct integer, and
    // a pair never equals a single-field key: those live in another entity kind's map).
    if (kf.length === 2 && fields[kf[0]].type === FieldType.Number && fields[kf[1]].type === FieldType.Number) {
      const a = num[kf[0]];
      const b = num[kf[1]];
      if (a >= 0 && b >= 0 && a < PAIR_LIMIT && b < PAIR_LIMIT && Number.isInteger(a) && Number.isInteger(b)) return a * PAIR_LIMIT + b;
    }
    // Otherwise a string key: the parts joined by U+241F (symbol for unit separator),
    // unlikely inside an id; StringKey hashes and compares them without joining them.
    const parts = ep.skey.parts;
    for (let j = 0; j < kf.length; j++) {
      const fi = kf[j];
      parts[j] = fields[fi].type === FieldType.Number ? String(num[fi]) : strs[fi]!;
    }
    return ep.skey.seal(kf.length);
  };

  const keyFieldMissing = (ep: EntityPlan): string | null => {
    for (let j = 0; j < ep.keyFields.length; j++) {
      const fi = ep.keyFields[j];
      const missing = fields[fi].type === FieldType.Number ? num[fi] !== num[fi] : strs[fi] === undefined;
      if (missing) return fields[fi].name;
    }
    return null;
  };

  /** hashString of string field fi's value in this event (present). */
  const strHashOf = (fi: number): number => {
    let h = strHash[fi];
    if (h !== h) strHash[fi] = h = hashString(strs[fi]!);
    return h;
  };

  const columnValue = (fi: number): number => {
    const f = fields[fi];
    if (f.type === FieldType.Number) return num[fi];
    return strs[fi] === undefined ? NaN : strHashOf(fi);
  };

  /**
   * Reads the event's own fields (a plain object's own properties only: an inherited
   * field is missing, as if the prototype were not there) and its timestamp, and checks
   * the timestamp against the clock. Writes only the per-event scratch.
   */
  const parseEvent = (event: EventRecord): void => {
    checkPlain(event, '');
    for (let i = 0; i < nFields; i++) parseField(event, i);
    t = timestampOf(event);
    if (clock !== null) {
      const now = clock() / 1000;
      if (t > now + maxAhead) {
        throw new FeatureError('clock_skew',
          `timestamp "${tsField}": the event is ${Math.round(t - now)} s ahead of the clock, more than event.timestamp.maxAhead (${maxAhead} s); check the event's time zone or its clock`,
          [tsField], { details: { timestamp: t, clock: now, maxAhead } });
      }
    }
  };

  /**
   * The event's key per entity kind and the values of its window columns, from the parsed
   * fields (after parseEvent); refuses a missing key field.
   */
  const loadKeys = (): void => {
    for (let u = 0; u < usedEntities.length; u++) {
      const e = usedEntities[u];
      const ep = entities[e];
      const missing = keyFieldMissing(ep);
      if (missing !== null) throw invalid(missing, `field "${missing}" is part of the key of entity "${ep.name}" and must be present`);
      keys[e] = keyOf(ep);
      for (let c = 0; c < ep.columns.length; c++) ep.colVals[c] = columnValue(ep.columns[c]);
    }
  };

  /**
   * Keys, one read of every entity's state (slot and version), lateness, and each
   * entity's header copied for the query: nothing of the store is written. Returns true
   * when the event is late (score only).
   */
  const readEntities = (): boolean => {
    loadKeys();
    store.read(refs);
    // Lookups first, then states: the cache misses of the entities overlap.
    let late = false;
    for (let u = 0; u < usedEntities.length; u++) {
      const e = usedEntities[u];
      const ep = entities[e];
      const slot = refs.slots[e];
      ep.late = false;
      if (slot >= 0) {
        const newest = ep.w!.lastTime(slot);
        if (newest > t) {
          if (spec.state.lateEvents === 'reject') {
            throw new FeatureError('late_event',
              `event at ${t} s is older than the newest event (${newest} s) of entity "${ep.name}"; the spec's state.lateEvents is "reject"`,
              [tsField], { details: { timestamp: t, newest, entity: ep.name } });
          }
          ep.late = true;
          late = true;
        } else if (t - newest > maxGap) {
          throw new FeatureError('clock_skew',
            `event at ${t} s is ${t - newest} s after the newest event of entity "${ep.name}", more than state.maxGap (${maxGap} s)`,
            [tsField], { details: { timestamp: t, newest, entity: ep.name, maxGap } });
        }
      }
    }
    // Every entity is queried on a copy of its header: the store changes only in commit.
    for (let u = 0; u < usedEntities.length; u++) {
      const e = usedEntities[u];
      if (!entities[e].late) entities[e].w!.load(refs.slots[e]);
    }
    if (idFieldIdx >= 0) {
      const f = fields[idFieldIdx];
      tag = f.type === FieldType.Number ? num[idFieldIdx] : strs[idFieldIdx] === undefined ? NaN : strHashOf(idFieldIdx);
    } else {
      tag = seq;
    }
    return late;
  };

  const groups = groupFeaturePlans(plans);

  const evaluate = (): void => {
    for (let u = 0; u < usedEntities.length; u++) {
      const e = usedEntities[u];
      const ep = entities[e];
      if (ep.late) ep.w!.queryLate(refs.slots[e], t, ep.colVals);
      else ep.w!.query(t, ep.colVals);
    }
    for (let gi = 0; gi < groups.length; gi++) runGroup(groups[gi]);
  };

  /** One group of features (see feature-plan.ts): one dispatch, then a tight loop. */
  const runGroup = (g: (typeof groups)[number]): void => {
    const n = g.n, o = g.out, a = g.a, b = g.b, p0 = g.p0, p1 = g.p1;
    switch (g.op) {
      case Op.Field: for (let k = 0; k < n; k++) { const x = num[a[k]]; vals[o[k]] = x === x ? x : p0[k]; } return;
      case Op.Log1p: for (let k = 0; k < n; k++) vals[o[k]] = Math.log1p(vals[a[k]]); return;
      case Op.Clip: for (let k = 0; k < n; k++) { const x = vals[a[k]]; vals[o[k]] = x < p0[k] ? p0[k] : x > p1[k] ? p1[k] : x; } return;
      case Op.Ratio: for (let k = 0; k < n; k++) { const den = vals[b[k]]; vals[o[k]] = den === 0 ? p0[k] : vals[a[k]] / den; } return;
      case Op.Difference: for (let k = 0; k < n; k++) vals[o[k]] = vals[a[k]] - vals[b[k]]; return;
      case Op.ZScore: for (let k = 0; k < n; k++) vals[o[k]] = (vals[a[k]] - p0[k]) / p1[k]; return;
      case Op.Bucketize:
        for (let k = 0; k < n; k++) {
          const x = vals[a[k]];
          const bs = g.tables[k]!;
          if (x !== x) { vals[o[k]] = NaN; continue; }
          let lo = 0, hi = bs.length; // count of boundaries <= x, by bisection
          while (lo < hi) { const mid = (lo + hi) >>> 1; if (bs[mid] <= x) lo = mid + 1; else hi = mid; }
          vals[o[k]] = lo;
        }
        return;
      case Op.Hour: { const h = hourOfDay(t, utcOffset); for (let k = 0; k < n; k++) vals[o[k]] = h; return; }
      case Op.DayOfWeek: { const dw = dayOfWeek(t, utcOffset); for (let k = 0; k < n; k++) vals[o[k]] = dw; return; }
      case Op.Weekend: { const we = dayOfWeek(t, utcOffset) >= 5 ? 1 : 0; for (let k = 0; k < n; k++) vals[o[k]] = we; return; }
      case Op.Night: {
        const hr = hourOfDay(t, utcOffset);
        for (let k = 0; k < n; k++) vals[o[k]] = (p0[k] <= p1[k] ? hr >= p0[k] && hr <= p1[k] : hr >= p0[k] || hr <= p1[k]) ? 1 : 0;
        return;
      }
      case Op.Haversine: for (let k = 0; k < n; k++) vals[o[k]] = haversineDistance(num[a[k]], num[b[k]], num[g.c[k]], num[g.d[k]], p0[k]); return;
      case Op.OneHotCat: for (let k = 0; k < n; k++) vals[o[k]] = cat[a[k]] === b[k] ? 1 : 0; return;
      case Op.OneHotStr: for (let k = 0; k < n; k++) vals[o[k]] = strs[a[k]] === g.strs[k] ? 1 : 0; return;
      case Op.TableCat: for (let k = 0; k < n; k++) { const i = cat[a[k]]; vals[o[k]] = i >= 0 ? g.tables[k]![i] : p0[k]; } return;
      case Op.TableStr:
        for (let k = 0; k < n; k++) {
          const s = strs[a[k]];
          const x = s === undefined ? undefined : g.maps[k]!.get(s);
          vals[o[k]] = x === undefined ? p0[k] : x;
        }
        return;
      default: runEntityGroup(g); return;
    }
  };

  /** Double-double scratch for a std with the current event merged in. */
  const acc = new Float64Array(4);

  /** Window, time-since-last and label features of one entity. */
  const runEntityGroup = (g: (typeof groups)[number]): void => {
    const n = g.n, o = g.out, b = g.b, c = g.c, d = g.d, flag = g.flag, p0 = g.p0;
    const ep = entities[g.entity];
    const w = ep.w!;
    const wn = w.wn, ws = w.wsum, lab = w.lab, x = ep.colVals;
    switch (g.op) {
      case Op.WinCount: for (let k = 0; k < n; k++) vals[o[k]] = wn[b[k]] + flag[k]; return;
      case Op.TimeSinceLast: { const last = w.last; for (let k = 0; k < n; k++) vals[o[k]] = last === -Infinity ? p0[k] : t - last; return; }
      case Op.LabCount: for (let k = 0; k < n; k++) vals[o[k]] = lab[3 * b[k]]; return;
      case Op.LabKnown: for (let k = 0; k < n; k++) vals[o[k]] = lab[3 * b[k] + 1]; return;
      case Op.LabPositive: for (let k = 0; k < n; k++) vals[o[k]] = lab[3 * b[k] + 2]; return;
      case Op.LabRate: for (let k = 0; k < n; k++) { const m = lab[3 * b[k]]; vals[o[k]] = m > 0 ? lab[3 * b[k] + 2] / m : 0; } return;
      case Op.WinDistinct:
        for (let k = 0; k < n; k++) { const v = x[c[k]]; vals[o[k]] = w.dc[d[k]] + (flag[k] && v === v && w.present[d[k]] === 0 ? 1 : 0); }
        return;
      case Op.WinMin:
        for (let k = 0; k < n; k++) { const v = x[c[k]]; const m = w.wmin[d[k]]; const r = flag[k] && v < m ? v : m; vals[o[k]] = r === Infinity ? p0[k] : r; }
        return;
      case Op.WinMax:
        for (let k = 0; k < n; k++) { const v = x[c[k]]; const m = w.wmax[d[k]]; const r = flag[k] && v > m ? v : m; vals[o[k]] = r === -Infinity ? p0[k] : r; }
        return;
      default: break;
    }
    // Count of values, Σx, mean, std: values counted apart for an optional field, else
    // one per event; `add` merges the event's own value (includeCurrent).
    switch (g.op) {
      case Op.WinFieldCount: {
        const wnv = w.wnv, o3 = g.o3;
        for (let k = 0; k < n; k++) {
          const v = x[c[k]];
          vals[o[k]] = (o3[k] >= 0 ? wnv[d[k]] : wn[b[k]]) + (flag[k] === 1 && v === v ? 1 : 0);
        }
        return;
      }
      case Op.WinSum: runWinSum(g, w, x, vals); return;
      case Op.WinMean: {
        // Kept in line: its one helper (ddPlus) inlines here, and as a function of its own it
        // measured slower on the 15-feature spec (by ~0.17 µs an event, on a noisy machine).
        const wnv = w.wnv, o3 = g.o3;
        for (let k = 0; k < n; k++) {
          const v = x[c[k]], i = 2 * d[k];
          const add = flag[k] === 1 && v === v;
          const m = (o3[k] >= 0 ? wnv[d[k]] : wn[b[k]]) + (add ? 1 : 0);
          vals[o[k]] = m > 0 ? (add ? ddPlus(ws[i], ws[i + 1], v) : ws[i]) / m : p0[k];
        }
        return;
      }
      default: runWinStd(g, w, x, vals, acc);
    }
  };

  /**
   * The store's writer: appends the prepared event to each of its entities (their query
   * state is in the windows' scratch: the event's own, or put back from its spill).
   */
  let commitLabel = NaN;
  const writer: EntityStateWriter = {
    apply(r: EntityRefs): void {
      for (let u = 0; u < usedEntities.length; u++) {
        const e = usedEntities[u];
        const ep = entities[e];
        r.slots[e] = ep.w!.commit(r.slots[e], keys[e], t, ep.colVals, tag, commitLabel);
      }
    },
  };

  /**
   * The prepared event whose query state is in the scratch (the windows' advanced
   * headers, the keys, the column values, t and tag); null: none. Before anything
   * overwrites the scratch, `releaseScratch` has that event keep a copy of it (its
   * spill), so that several events can be prepared before any is committed and each
   * commits what it was scored with, at the cost of a copy instead of a second query.
   */
  let holder: PreparedEventImpl | null = null;
  const releaseScratch = (): void => {
    if (holder === null) return;
    if (holder.state === 0 && !holder.late) holder.spill();
    holder = null;
  };
  /** Spill buffers of committed events, for the next spill (each `spillSize` doubles). */
  const spillFree: Float64Array[] = [];
  let spillSize = -1;
  const takeSpill = (): Float64Array => {
    if (spillSize < 0) {
      spillSize = 0;
      for (let u = 0; u < usedEntities.length; u++) {
        const ep = entities[usedEntities[u]];
        spillSize += ep.w!.querySize + ep.colVals.length;
      }
    }
    return spillFree.pop() ?? new Float64Array(spillSize);
  };

  /** Prepares: parses, reads, computes into out. Refusals count and rethrow as typed errors. */
  const prepareInto = (event: EventRecord, out: FeatureVector, offset: number, tok: PreparedEventImpl): void => {
    checkOut(out, offset);
    // From here the scratch is this event's: an event prepared earlier keeps a copy,
    // also when this prepare is refused halfway (its time or keys may already be parsed).
    releaseScratch();
    let late: boolean;
    try {
      if (event === null || typeof event !== 'object') throw new FeatureError('invalid_event', `expected an event object, got ${describe(event)}`, ['event']);
      parseEvent(event);
      late = readEntities();
    } catch (e) {
      stats.refused++;
      throw asFeatureError(e);
    }
    evaluate();
    for (let k = 0; k < size; k++) out[offset + k] = vals[emitIdx[k]];
    tok.capture(late);
    holder = tok;
  };

  /** The conflict error of a commit whose entity changed since prepare. */
  const conflict = (): FeatureError => new FeatureError('state_conflict',
    'commit: an entity of this event was written after it was prepared (a concurrent writer); nothing was written: prepare and score it again',
    ['prepared'], { details: { entities: Array.from(usedEntities, (e) => entities[e].name) } });

  /** Checks a token and loads its scratch for the store's write; false: a late event, nothing to write. */
  const beginCommit = (tok: PreparedEventImpl): boolean => {
    if (tok.owner !== evaluator) throw new FeatureError('invalid_argument', 'commit: this prepared event comes from another evaluator', ['prepared']);
    if (tok.state !== 0) {
      throw new FeatureError('invalid_argument', `commit: this prepared event was already ${tok.state === 1 ? 'committed' : 'refused'}; prepare it again`, ['prepared']);
    }
    if (tok.late) { tok.state = 1; stats.scoredOnly++; return false; }
    if (tok !== holder) {
      releaseScratch();
      tok.unspill();
    }
    holder = null;
    commitLabel = tok.label;
    return true;
  };

  const endCommit = (tok: PreparedEventImpl, written: boolean): void => {
    if (!written) {
      tok.state = 2;
      throw conflict();
    }
    tok.state = 1;
    seq++;
    stats.committed++;
  };

  const commitAsync = async (tok: PreparedEventImpl): Promise<void> => {
    if (!beginCommit(tok)) return;
    // The writer runs on the local copies inside writeAsync, before its first await.
    endCommit(tok, await store.writeAsync!(refs, writer));
  };

  /** Refs of the entities an event's key fields name, for a shared store's prefetch (its own: prepare's stay intact). */
  const prefetchRefs: EntityRefs = { kinds: usedEntities, keys: [], slots: new Int32Array(entities.length).fill(-1), versions: new Float64Array(entities.length).fill(-1) };
  const prefetch = (event: EventRecord): Promise<void> | undefined => {
    if (store.prefetch === undefined || event === null || typeof event !== 'object') return undefined;
    releaseScratch(); // the key fields parsed below overwrite the scratch
    try {
      for (let u = 0; u < usedEntities.length; u++) {
        const ep = entities[usedEntities[u]];
        for (let j = 0; j < ep.keyFields.length; j++) parseField(event, ep.keyFields[j]);
        if (keyFieldMissing(ep) !== null) return undefined;
      }
      for (let u = 0; u < usedEntities.length; u++) {
        const e = usedEntities[u];
        prefetchRefs.keys[e] = keyOf(entities[e]);
      }
    } catch {
      return undefined;
    }
    return store.prefetch(prefetchRefs);
  };

  const commitPrepared = (tok: PreparedEventImpl): void => {
    if (!beginCommit(tok)) return;
    endCommit(tok, store.write(refs, writer));
  };

  const checkOut = (out: FeatureVector, offset: number): void => {
    if (!(out instanceof Float32Array || out instanceof Float64Array)) {
      throw new FeatureError('invalid_argument', 'computeInto: out must be a Float32Array or Float64Array', ['out']);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + size > out.length) {
      throw new FeatureError('invalid_argument', `computeInto: out needs ${size} slots from offset ${offset}, has length ${out.length}`, ['offset']);
    }
  };

  /** computeInto and peekInto: one transaction with the evaluator's own reused token. */
  const run = (event: EventRecord, out: FeatureVector, offset: number, commitIt: boolean): void => {
    // The outcome set for this event (offline pass only) applies to this call alone.
    const label = nextLabel;
    nextLabel = NaN;
    prepareInto(event, out, offset, syncToken);
    syncToken.label = label;
    if (commitIt) commitPrepared(syncToken);
    else {
      if (syncToken.late) stats.scoredOnly++;
      // A peek is never committed: nothing to keep when the next event comes.
      holder = null;
    }
  };

  /**
   * A prepared event: its time and tag, each entity's slot and version as read, and,
   * once another event needs the scratch, a copy of its query state (its spill).
   */
  class PreparedEventImpl implements PreparedEvent {
    readonly owner = evaluator;
    late = false;
    /** 0 prepared, 1 committed, 2 refused by a conflict. */
    state = 0;
    label = NaN;
    timestamp = 0;
    private tg = 0;
    /** Per entity kind, the key's number (see entityHashesOf). */
    readonly hashes = new Float64Array(entities.length).fill(NaN);
    /** The spill: per entity used, its windows' saved query then its column values. */
    private saved: Float64Array | null = null;
    /** The spill's keys, per entity kind. */
    private savedKeys: (number | StringKey)[] | null = null;
    /** Per entity kind, the slot read, then per entity kind its version. */
    private readonly read = new Float64Array(2 * entities.length);
    get committed(): boolean {
      return this.state === 1;
    }
    capture(late: boolean): void {
      this.late = late;
      this.state = 0;
      this.label = NaN;
      this.timestamp = t;
      this.tg = tag;
      const E = entities.length;
      for (let e = 0; e < E; e++) { this.read[e] = refs.slots[e]; this.read[E + e] = refs.versions[e]; }
      for (let u = 0; u < usedEntities.length; u++) {
        const e = usedEntities[u];
        const k = keys[e];
        this.hashes[e] = typeof k === 'number' ? k : k.hash;
      }
    }
    /** Keeps a copy of the scratch, which another event is about to overwrite. */
    spill(): void {
      const buf = takeSpill();
      const ks = (this.savedKeys ??= new Array<number | StringKey>(entities.length).fill(0));
      let at = 0;
      for (let u = 0; u < usedEntities.length; u++) {
        const e = usedEntities[u];
        const ep = entities[e];
        at = ep.w!.saveQuery(buf, at);
        buf.set(ep.colVals, at);
        at += ep.colVals.length;
        const k = keys[e];
        ks[e] = typeof k === 'number' ? k : k.clone();
      }
      this.saved = buf;
    }
    /** Puts the spill back into the scratch (with the time, tag and what was read) for the commit. */
    unspill(): void {
      const buf = this.saved;
      if (buf === null) throw new FeatureError('invalid_argument', 'commit: the prepared event lost its state; prepare it again', ['prepared']);
      let at = 0;
      for (let u = 0; u < usedEntities.length; u++) {
        const e = usedEntities[u];
        const ep = entities[e];
        at = ep.w!.restoreQuery(buf, at);
        ep.colVals.set(buf.subarray(at, at + ep.colVals.length));
        at += ep.colVals.length;
        keys[e] = this.savedKeys![e];
      }
      t = this.timestamp;
      tag = this.tg;
      const E = entities.length;
      for (let e = 0; e < E; e++) { refs.slots[e] = this.read[e]; refs.versions[e] = this.read[E + e]; }
      this.saved = null;
      spillFree.push(buf);
    }
  }
  /** The token of computeInto / peekInto (created once the evaluator exists). */
  let syncToken: PreparedEventImpl;

  /** Fields that identify an event for recordOutcome: the label entities' keys and the id. */
  const outcomeFields = Int32Array.from(new Set([...Array.from(labelEntities, (e) => [...entities[e].keyFields]).flat(), ...(idFieldIdx >= 0 ? [idFieldIdx] : [])]));

  const recordOutcomeAt = (e: number, key: EntityKey | StringKey, ts: number, tg: number, label: number, byTag: boolean): number => {
    const w = entities[e].w!;
    const slot = w.table.find(key);
    const n = w.recordOutcome(slot, ts, tg, label, byTag);
    if (n > 0) { w.table.markWritten(slot); store.noteWrite(); }
    return n;
  };

  const evaluator: FeatureEvaluator = {
    spec,
    featureNames,
    lineage,
    size,
    store,
    computeInto: (event, out, offset = 0) => run(event, out, offset, true),
    peekInto: (event, out, offset = 0) => run(event, out, offset, false),
    prepare: (event, out, offset = 0) => {
      const tok = new PreparedEventImpl();
      prepareInto(event, out, offset, tok);
      return tok;
    },
    entityHashesOfEvent: (event, out) => {
      if (!(out instanceof Float64Array) || out.length < entities.length) {
        throw new FeatureError('invalid_argument', `entityHashesOfEvent: out must be a Float64Array of ${entities.length} (one per entity kind)`, ['out']);
      }
      if (event === null || typeof event !== 'object') return false;
      releaseScratch(); // the key fields parsed below overwrite the scratch
      try {
        for (let u = 0; u < usedEntities.length; u++) {
          const kf = entities[usedEntities[u]].keyFields;
          for (let j = 0; j < kf.length; j++) parseField(event, kf[j]);
        }
        out.fill(NaN, 0, entities.length);
        for (let u = 0; u < usedEntities.length; u++) {
          const e = usedEntities[u];
          const ep = entities[e];
          if (keyFieldMissing(ep) !== null) return false;
          const k = keyOf(ep);
          out[e] = typeof k === 'number' ? k : k.hash;
        }
        return true;
      } catch {
        return false;
      }
    },
    entityHashesOf: (prepared) => {
      if (!(prepared instanceof PreparedEventImpl)) throw new FeatureError('invalid_argument', 'entityHashesOf: expected a PreparedEvent from this evaluator\'s prepare', ['prepared']);
      return prepared.hashes;
    },
    commit: (prepared) => {
      if (!(prepared instanceof PreparedEventImpl)) throw new FeatureError('invalid_argument', 'commit: expected a PreparedEvent from this evaluator\'s prepare', ['prepared']);
      commitPrepared(prepared);
    },
    prefetch,
    commitAsync: async (prepared) => {
      if (!(prepared instanceof PreparedEventImpl)) throw new FeatureError('invalid_argument', 'commit: expected a PreparedEvent from this evaluator\'s prepare', ['prepared']);
      if (store.writeAsync === undefined) return commitPrepared(prepared);
      return commitAsync(prepared);
    },
    recordOutcome: (event, label) => {
      if (typeof label !== 'number' || !Number.isFinite(label)) {
        throw new FeatureError('invalid_event', `recordOutcome: label must be a finite number, got ${describe(label)}`, ['label']);
      }
      if (event === null || typeof event !== 'object') throw new FeatureError('invalid_event', `recordOutcome: expected an event object, got ${describe(event)}`, ['event']);
      let ts: number;
      releaseScratch(); // the fields parsed below overwrite the scratch a prepared event may rely on
      try {
        checkPlain(event, 'recordOutcome: ');
        ts = timestampOf(event);
        for (let j = 0; j < outcomeFields.length; j++) {
          const fi = outcomeFields[j];
          parseField(event, fi);
          const f = fields[fi];
          if ((f.type === FieldType.Number ? num[fi] !== num[fi] : strs[fi] === undefined)) {
            throw invalid(f.name, `recordOutcome: field "${f.name}" identifies the event and must be present`);
          }
        }
      } catch (e) {
        throw asFeatureError(e);
      }
      const tg = idFieldIdx < 0 ? NaN : fields[idFieldIdx].type === FieldType.Number ? num[idFieldIdx] : strHashOf(idFieldIdx);
      let n = 0;
      for (let j = 0; j < labelEntities.length; j++) {
        const e = labelEntities[j];
        n += recordOutcomeAt(e, keyOf(entities[e]), ts, tg, label, idFieldIdx >= 0);
      }
      return n;
    },
    stats: () => ({ ...stats }),
    reset: () => {
      releaseScratch();
      store.clear();
      stats.committed = 0; stats.refused = 0; stats.scoredOnly = 0;
      seq = 0;
    },
  };
  INTERNALS.set(evaluator, {
    timestampOf,
    labelEntities,
    keyAt: (e) => {
      const k = keys[e];
      return typeof k === 'number' ? k : k.toString();
    },
    tag: () => tag,
    recordOutcomeAt: (e, key, ts, tg, label) => recordOutcomeAt(e, key, ts, tg, label, true),
    labelAtCommit: labelAtCommit,
    setNextLabel: (label) => { nextLabel = label; },
    disableClock: () => { clock = null; },
  });
  syncToken = new PreparedEventImpl();
  return evaluator;
}

/*
 * Σx and std features of one group, apart from runEntityGroup so that the
 * double-double helpers inline into them: called from a function as big as
 * runEntityGroup they would not be, and every double such a call returns or takes is a
 * heap number (measured: ~900 bytes allocated per event of the 206-feature spec).
 */

function runWinSum(g: FeatureGroup, w: EntityWindows, x: Float64Array, vals: Float64Array): void {
  const n = g.n, o = g.out, c = g.c, d = g.d, flag = g.flag, ws = w.wsum;
  for (let k = 0; k < n; k++) {
    const v = x[c[k]], i = 2 * d[k];
    vals[o[k]] = flag[k] === 1 && v === v ? ddPlus(ws[i], ws[i + 1], v) : ws[i];
  }
}

/** `acc`: scratch for (Σx, Σx²) with the event's own value merged in. */
function runWinStd(g: FeatureGroup, w: EntityWindows, x: Float64Array, vals: Float64Array, acc: Float64Array): void {
  const n = g.n, o = g.out, b = g.b, c = g.c, d = g.d, flag = g.flag, p0 = g.p0, o3 = g.o3, ddof = g.p1;
  const wn = w.wn, wnv = w.wnv, ws = w.wsum, wq = w.wsq;
  for (let k = 0; k < n; k++) {
    const v = x[c[k]], i = 2 * d[k];
    const add = flag[k] === 1 && v === v;
    const m = (o3[k] >= 0 ? wnv[d[k]] : wn[b[k]]) + (add ? 1 : 0);
    if (!(m - ddof[k] > 0)) { vals[o[k]] = p0[k]; continue; }
    acc[0] = ws[i]; acc[1] = ws[i + 1]; acc[2] = wq[i]; acc[3] = wq[i + 1];
    if (add) ddAddMoments(acc, 0, x, c[k]);
    ddStdInto(acc, 0, m, ddof[k], vals, o[k]);
  }
}
