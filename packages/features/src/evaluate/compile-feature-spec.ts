import { FeatureError } from '../errors';
import { secondsFromDuration } from '../spec/duration';
import { FeatureSpecSchema, type FeatureDef, type FeatureSpec } from '../spec/feature-spec';
import { dayOfWeek, hourOfDay } from '../time/calendar';
import { haversineDistance } from '../time/haversine';
import { secondsFromDatetime } from '../time/parse-datetime';
import { DistinctSet } from '../state/distinct-set';
import { EntityHistory } from '../state/entity-history';
import { hashString } from '../state/hash-string';
import { createMemoryStateStore } from '../state/memory-state-store';
import type { EntityKey, EntityStateStore } from '../state/state-store';

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
 * hot path (apart from the key string of a composite entity key).
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

/** Options of `compileFeatureSpec`. */
export interface CompileOptions {
  /** Where entity histories live (default: `createMemoryStateStore()`). */
  store?: EntityStateStore;
}

/** Internals the offline pass in this package uses; not exported from the package. */
export interface EvaluatorInternals {
  timestampOf(event: EventRecord): number;
  /** Entities with label windows, by index. */
  labelEntities: Int32Array;
  /** Keys of the last computed event, by entity index. */
  keys: EntityKey[];
  /** Tag of the last computed event (id hash or sequence number). */
  tag(): number;
  recordOutcomeAt(entity: number, key: EntityKey, ts: number, tag: number, label: number): number;
}
const INTERNALS = new WeakMap<FeatureEvaluator, EvaluatorInternals>();

/** The internals of an evaluator compiled by this package. */
export function evaluatorInternals(e: FeatureEvaluator): EvaluatorInternals {
  const i = INTERNALS.get(e);
  if (!i) throw new FeatureError('invalid_argument', 'not an evaluator from compileFeatureSpec', []);
  return i;
}

const enum FieldType { Number, Category, String }
/** Integer ids below this pair into one number key (see keyOf). */
const PAIR_LIMIT = 2 ** 26;
const enum TsFormat { Datetime, EpochSeconds, EpochMillis }
const enum Op {
  Field, Log1p, Clip, Ratio, Difference, ZScore, Bucketize,
  Hour, DayOfWeek, Weekend, Night, Haversine,
  OneHotCat, OneHotStr, TableCat, TableStr,
  WinCount, WinFieldCount, WinSum, WinMean, WinStd, WinMin, WinMax, WinDistinct,
  TimeSinceLast, LabCount, LabKnown, LabPositive, LabRate,
}

// Running accumulator layout per column: n, sum, welford mean, m2, min, max, distinct.
const A_N = 0, A_SUM = 1, A_WM = 2, A_M2 = 3, A_MIN = 4, A_MAX = 5, A_DC = 6, A_W = 7;

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

/** One feature's compiled form (one shape for all kinds keeps the dispatch monomorphic). */
class FeaturePlan {
  op: Op = Op.Field;
  a = -1; // input feature / field / entity index
  b = -1; // second input / boundary / label group
  c = -1; // column
  d = -1;
  p0 = 0;
  p1 = 0;
  flag = false; // includeCurrent
  table: Float64Array | null = null;
  map: Map<string, number> | null = null;
  str = '';
}

interface EntityPlan {
  name: string;
  keyFields: Int32Array;
  keyKind: 'number' | 'string' | 'composite';
  columns: Int32Array; // field index per column
  distinctCols: Uint8Array;
  /** Per column: 1 when a sum / mean / std / min / max / field count reads it. */
  momentCols: Uint8Array;
  windows: Float64Array; // ascending unique window lengths
  labLo: Float64Array; // per label group: delay + window
  labHi: Float64Array; // per label group: delay
  labHiB: Float64Array; // scratch: t - delay
  labLoB: Float64Array; // scratch: t - delay - window
  horizon: number;
  withLabels: boolean;
  used: boolean;
  // scratch
  run: Float64Array;
  snap: Float64Array;
  snapCount: Float64Array;
  lab: Float64Array;
  curSeen: Float64Array; // per column: newest time at which the current value was seen
  colVals: Float64Array;
  sets: (DistinctSet | null)[];
  lastTs: number;
  history: EntityHistory | undefined;
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
  const store = options.store ?? createMemoryStateStore();

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
    return {
      name: e.name, keyFields, keyKind, columns: new Int32Array(0), distinctCols: new Uint8Array(0), momentCols: new Uint8Array(0),
      windows: new Float64Array(0), labLo: new Float64Array(0), labHi: new Float64Array(0), labHiB: new Float64Array(0), labLoB: new Float64Array(0), horizon: 0,
      withLabels: false, used: false, run: new Float64Array(0), snap: new Float64Array(0),
      snapCount: new Float64Array(0), lab: new Float64Array(0), curSeen: new Float64Array(0),
      colVals: new Float64Array(0), sets: [], lastTs: -Infinity, history: undefined,
    };
  });
  const entityRef = (nameRef: string, path: (string | number)[]): number => {
    const i = entityIndex.get(nameRef);
    if (i === undefined) throw specError(`"${nameRef}" is not a declared entity`, path);
    return i;
  };

  // First pass over window features: columns, window lengths and label groups per entity.
  const cols: number[][] = entities.map(() => []);
  const distinct: Set<number>[] = entities.map(() => new Set());
  const moments: Set<number>[] = entities.map(() => new Set());
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
        if (f.aggregate === 'distinct_count') distinct[e].add(fi);
        else moments[e].add(fi);
      }
    } else if (f.kind === 'label_window') {
      const e = entityRef(f.entity, ['features', i, 'entity']);
      if (!spec.event.label) throw specError('label_window features need event.label (the outcome field)', ['features', i]);
      entities[e].used = true;
      entities[e].withLabels = true;
      const g = `${secondsFromDuration(f.delay)}|${secondsFromDuration(f.window)}`;
      if (!labs[e].includes(g)) labs[e].push(g);
    } else if (f.kind === 'time_since_last') {
      entities[entityRef(f.entity, ['features', i, 'entity'])].used = true;
    }
  });
  const maxEvents = spec.state.maxEventsPerEntity;
  entities.forEach((ep, e) => {
    wins[e].sort((x, y) => x - y);
    ep.windows = Float64Array.from(wins[e]);
    ep.columns = Int32Array.from(cols[e]);
    ep.distinctCols = Uint8Array.from(cols[e].map((fi) => (distinct[e].has(fi) ? 1 : 0)));
    ep.momentCols = Uint8Array.from(cols[e].map((fi) => (moments[e].has(fi) ? 1 : 0)));
    ep.labHi = Float64Array.from(labs[e].map((g) => Number(g.split('|')[0])));
    ep.labLo = Float64Array.from(labs[e].map((g) => Number(g.split('|')[0]) + Number(g.split('|')[1])));
    let horizon = 0;
    for (const w of ep.windows) horizon = Math.max(horizon, w);
    for (const w of ep.labLo) horizon = Math.max(horizon, w);
    ep.horizon = horizon;
    const C = ep.columns.length;
    ep.run = new Float64Array(C * A_W);
    ep.snap = new Float64Array(ep.windows.length * C * A_W);
    ep.snapCount = new Float64Array(ep.windows.length);
    ep.lab = new Float64Array(ep.labHi.length * 3);
    ep.labHiB = new Float64Array(ep.labHi.length);
    ep.labLoB = new Float64Array(ep.labHi.length);
    ep.curSeen = new Float64Array(C);
    ep.colVals = new Float64Array(C);
    ep.sets = Array.from(ep.distinctCols, (d) => (d ? new DistinctSet(maxEvents) : null));
    if (ep.used && store.maxBytesPerEntityKind !== undefined) {
      const one = new EntityHistory(C, ep.withLabels, maxEvents, 1).byteSize();
      const two = new EntityHistory(C, ep.withLabels, maxEvents, 2).byteSize();
      const perSlot = two - one;
      let cap = 1;
      while (cap < maxEvents) cap *= 2;
      const worst = one + perSlot * (cap - 1);
      if (worst > store.maxBytesPerEntityKind) {
        throw new FeatureError('state_limit',
          `entity "${ep.name}": one entity at maxEventsPerEntity=${maxEvents} needs ${worst} bytes, more than the store's ${store.maxBytesPerEntityKind}; raise maxBytes or lower maxEventsPerEntity`,
          ['state', 'maxEventsPerEntity']);
      }
    }
  });
  const usedEntities = Int32Array.from(entities.map((e, i) => (e.used ? i : -1)).filter((i) => i >= 0));
  const labelEntities = Int32Array.from(entities.map((e, i) => (e.withLabels ? i : -1)).filter((i) => i >= 0));

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
        p.a = e; p.b = ep.windows.indexOf(secondsFromDuration(f.window)); p.flag = f.includeCurrent; p.p0 = f.empty; p.p1 = f.ddof;
        if (f.field !== undefined) {
          p.c = ep.columns.indexOf(fieldIndex.get(f.field)!);
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
  const vals = new Float64Array(plans.length);
  const keys: EntityKey[] = new Array(entities.length).fill(0);
  let t = 0;
  let tag = 0;
  let seq = 0;
  const stats: FeatureEvaluatorStats = { committed: 0, refused: 0, scoredOnly: 0 };

  const invalid = (path: string, message: string): FeatureError => new FeatureError('invalid_event', message, [path]);
  const describe = (v: unknown): string => (v === null ? 'null' : typeof v === 'string' ? `string "${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : typeof v === 'number' ? String(v) : typeof v);

  const timestampOf = (event: EventRecord): number => {
    const v = (event as Fields)[tsField];
    let s: number;
    if (tsFormat === TsFormat.Datetime) {
      if (typeof v !== 'string') throw invalid(tsField, `timestamp "${tsField}": expected a date-time string YYYY-MM-DD HH:MM:SS, got ${describe(v)}`);
      s = secondsFromDatetime(v);
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
    const v = (event as Fields)[f.name];
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
      if (f.catIndex) {
        const k = f.catIndex.get(v);
        if (k === undefined && !f.allowUnknown) {
          throw invalid(f.name, `field "${f.name}": unknown category ${describe(v)}; expected one of ${[...f.catIndex.keys()].slice(0, 10).join(', ')}`);
        }
        cat[i] = k ?? -1;
      }
    }
  };

  const keyOf = (ep: EntityPlan): EntityKey => {
    const kf = ep.keyFields;
    if (ep.keyKind === 'number') return num[kf[0]];
    if (ep.keyKind === 'string') return strs[kf[0]]!;
    // Two small non-negative integer ids (card × terminal): one exact number, no string
    // built per event (2^26 · 2^26 < 2^53, so every pair maps to a distinct integer, and
    // a pair never equals a single-field key: those live in another entity kind's map).
    if (kf.length === 2 && fields[kf[0]].type === FieldType.Number && fields[kf[1]].type === FieldType.Number) {
      const a = num[kf[0]];
      const b = num[kf[1]];
      if (a >= 0 && b >= 0 && a < PAIR_LIMIT && b < PAIR_LIMIT && Number.isInteger(a) && Number.isInteger(b)) return a * PAIR_LIMIT + b;
    }
    // Parts joined by U+241F (symbol for unit separator), unlikely inside an id.
    let key = '';
    for (let j = 0; j < kf.length; j++) {
      const fi = kf[j];
      key += (j > 0 ? '\u241f' : '') + (fields[fi].type === FieldType.Number ? num[fi] : strs[fi]!);
    }
    return key;
  };

  const keyFieldMissing = (ep: EntityPlan): string | null => {
    for (let j = 0; j < ep.keyFields.length; j++) {
      const fi = ep.keyFields[j];
      const missing = fields[fi].type === FieldType.Number ? num[fi] !== num[fi] : strs[fi] === undefined;
      if (missing) return fields[fi].name;
    }
    return null;
  };

  const columnValue = (fi: number): number => {
    const f = fields[fi];
    if (f.type === FieldType.Number) return num[fi];
    const s = strs[fi];
    return s === undefined ? NaN : hashString(s);
  };

  /** Validation and state lookup; returns true when the event is late (score only). */
  const prepare = (event: EventRecord): boolean => {
    for (let i = 0; i < nFields; i++) parseField(event, i);
    t = timestampOf(event);
    let late = false;
    for (let u = 0; u < usedEntities.length; u++) {
      const e = usedEntities[u];
      const ep = entities[e];
      const missing = keyFieldMissing(ep);
      if (missing !== null) throw invalid(missing, `field "${missing}" is part of the key of entity "${ep.name}" and must be present`);
      const key = keyOf(ep);
      keys[e] = key;
      const h = store.peek(e, key);
      ep.history = h;
      if (h && h.size > 0 && h.newestTs() > t) {
        if (spec.state.lateEvents === 'reject') {
          throw new FeatureError('late_event',
            `event at ${t} s is older than the newest event (${h.newestTs()} s) of entity "${ep.name}"; the spec's state.lateEvents is "reject"`,
            [tsField]);
        }
        late = true;
      }
      for (let c = 0; c < ep.columns.length; c++) ep.colVals[c] = columnValue(ep.columns[c]);
    }
    if (idFieldIdx >= 0) {
      const f = fields[idFieldIdx];
      tag = f.type === FieldType.Number ? num[idFieldIdx] : strs[idFieldIdx] === undefined ? NaN : hashString(strs[idFieldIdx]!);
    } else {
      tag = seq;
    }
    return late;
  };

  const snapshot = (ep: EntityPlan, b: number, count: number): void => {
    const n = ep.columns.length * A_W;
    const snap = ep.snap;
    const run = ep.run;
    const o = b * n;
    for (let k = 0; k < n; k++) snap[o + k] = run[k];
    ep.snapCount[b] = count;
  };

  /** One backward scan over an entity's history: window snapshots and label counts. */
  const scan = (ep: EntityPlan): void => {
    const C = ep.columns.length;
    const B = ep.windows.length;
    const G = ep.labHi.length;
    const run = ep.run;
    const curSeen = ep.curSeen;
    const sets = ep.sets;
    const colVals = ep.colVals;
    for (let c = 0; c < C; c++) {
      const o = c * A_W;
      run[o + A_N] = 0; run[o + A_SUM] = 0; run[o + A_WM] = 0; run[o + A_M2] = 0;
      run[o + A_MIN] = Infinity; run[o + A_MAX] = -Infinity; run[o + A_DC] = 0;
      curSeen[c] = -Infinity;
      const set = sets[c];
      if (set) set.clear();
    }
    const lab = ep.lab;
    lab.fill(0);
    // Label window g is (t - delay - window, t - delay]: absolute bounds for this event.
    const hiB = ep.labHiB;
    const loB = ep.labLoB;
    let maxHi = -Infinity;
    for (let g = 0; g < G; g++) {
      hiB[g] = t - ep.labHi[g];
      loB[g] = t - ep.labLo[g];
      if (hiB[g] > maxHi) maxHi = hiB[g];
    }
    let lastTs = -Infinity;
    let count = 0;
    let b = 0;
    const h = ep.history;
    if (h) {
      const horizonStart = t - ep.horizon;
      const mask = h.ts.length - 1;
      const head = h.head;
      const hts = h.ts;
      const hcols = h.cols;
      const labels = h.labels;
      const moments = ep.momentCols;
      const windows = ep.windows;
      // The next window boundary: an event at or before t - w is outside window w.
      let edge = B > 0 ? t - windows[0] : -Infinity;
      for (let k = h.size - 1; k >= 0; k--) {
        const s = (head + k) & mask;
        const ts = hts[s];
        if (ts > t) continue; // a later event (only when scoring a late event)
        if (lastTs === -Infinity) lastTs = ts;
        if (ts <= horizonStart) break;
        while (b < B && ts <= edge) {
          snapshot(ep, b, count);
          b++;
          edge = b < B ? t - windows[b] : -Infinity;
        }
        if (b < B) {
          count++;
          for (let c = 0; c < C; c++) {
            const x = hcols[s * C + c];
            if (x !== x) continue;
            const o = c * A_W;
            const n = run[o + A_N] + 1;
            run[o + A_N] = n;
            if (moments[c] === 1) {
              run[o + A_SUM] += x;
              // Welford's update (Knuth TAOCP vol. 2, 4.2.2): stable M2 = Σ(x - mean)².
              const m = run[o + A_WM];
              const delta = x - m;
              const m1 = m + delta / n;
              run[o + A_WM] = m1;
              run[o + A_M2] += delta * (x - m1);
              if (x < run[o + A_MIN]) run[o + A_MIN] = x;
              if (x > run[o + A_MAX]) run[o + A_MAX] = x;
            }
            const set = sets[c];
            if (set !== null) {
              if (set.add(x)) run[o + A_DC]++;
              if (x === colVals[c] && curSeen[c] === -Infinity) curSeen[c] = ts;
            }
          }
        }
        if (ts <= maxHi) {
          // NaN label = outcome not known yet.
          const y = labels![s];
          for (let g = 0; g < G; g++) {
            if (ts <= hiB[g] && ts > loB[g]) {
              lab[g * 3] += 1;
              if (y === y) {
                lab[g * 3 + 1] += 1;
                if (y > 0) lab[g * 3 + 2] += 1;
              }
            }
          }
        }
      }
    }
    ep.lastTs = lastTs;
    while (b < B) {
      snapshot(ep, b, count);
      b++;
    }
  };

  const evaluate = (): void => {
    for (let u = 0; u < usedEntities.length; u++) scan(entities[usedEntities[u]]);
    for (let i = 0; i < plans.length; i++) {
      const p = plans[i];
      let v = 0;
      switch (p.op) {
        case Op.Field: { const x = num[p.a]; v = x === x ? x : p.p0; break; }
        case Op.Log1p: v = Math.log1p(vals[p.a]); break;
        case Op.Clip: { const x = vals[p.a]; v = x < p.p0 ? p.p0 : x > p.p1 ? p.p1 : x; break; }
        case Op.Ratio: { const den = vals[p.b]; v = den === 0 ? p.p0 : vals[p.a] / den; break; }
        case Op.Difference: v = vals[p.a] - vals[p.b]; break;
        case Op.ZScore: v = (vals[p.a] - p.p0) / p.p1; break;
        case Op.Bucketize: {
          const x = vals[p.a];
          const bs = p.table!;
          if (x !== x) { v = NaN; break; }
          let lo = 0, hi = bs.length; // count of boundaries <= x, by bisection
          while (lo < hi) { const mid = (lo + hi) >>> 1; if (bs[mid] <= x) lo = mid + 1; else hi = mid; }
          v = lo; break;
        }
        case Op.Hour: v = hourOfDay(t, utcOffset); break;
        case Op.DayOfWeek: v = dayOfWeek(t, utcOffset); break;
        case Op.Weekend: v = dayOfWeek(t, utcOffset) >= 5 ? 1 : 0; break;
        case Op.Night: {
          const hr = hourOfDay(t, utcOffset);
          v = (p.p0 <= p.p1 ? hr >= p.p0 && hr <= p.p1 : hr >= p.p0 || hr <= p.p1) ? 1 : 0; break;
        }
        case Op.Haversine: v = haversineDistance(num[p.a], num[p.b], num[p.c], num[p.d], p.p0); break;
        case Op.OneHotCat: v = cat[p.a] === p.b ? 1 : 0; break;
        case Op.OneHotStr: v = strs[p.a] === p.str ? 1 : 0; break;
        case Op.TableCat: { const k = cat[p.a]; v = k >= 0 ? p.table![k] : p.p0; break; }
        case Op.TableStr: { const s = strs[p.a]; const x = s === undefined ? undefined : p.map!.get(s); v = x === undefined ? p.p0 : x; break; }
        case Op.WinCount: v = entities[p.a].snapCount[p.b] + (p.flag ? 1 : 0); break;
        case Op.TimeSinceLast: { const last = entities[p.a].lastTs; v = last === -Infinity ? p.p0 : t - last; break; }
        case Op.LabCount: v = entities[p.a].lab[p.b * 3]; break;
        case Op.LabKnown: v = entities[p.a].lab[p.b * 3 + 1]; break;
        case Op.LabPositive: v = entities[p.a].lab[p.b * 3 + 2]; break;
        case Op.LabRate: { const lab = entities[p.a].lab; const n = lab[p.b * 3]; v = n > 0 ? lab[p.b * 3 + 2] / n : 0; break; }
        default: v = windowValue(p); break;
      }
      vals[i] = v;
    }
  };

  /** A windowed aggregate of one column, with the current event merged in when asked. */
  const windowValue = (p: FeaturePlan): number => {
    const ep = entities[p.a];
    const C = ep.columns.length;
    const o = (p.b * C + p.c) * A_W;
    const snap = ep.snap;
    let n = snap[o + A_N];
    let sum = snap[o + A_SUM];
    let wm = snap[o + A_WM];
    let m2 = snap[o + A_M2];
    let mn = snap[o + A_MIN];
    let mx = snap[o + A_MAX];
    let dc = snap[o + A_DC];
    const x = ep.colVals[p.c];
    if (p.flag && x === x) {
      n += 1;
      sum += x;
      const delta = x - wm;
      wm += delta / n;
      m2 += delta * (x - wm);
      if (x < mn) mn = x;
      if (x > mx) mx = x;
      // Seen in this window iff its newest earlier occurrence is inside (t - w, t].
      if (!(ep.curSeen[p.c] > t - ep.windows[p.b])) dc += 1;
    }
    switch (p.op) {
      case Op.WinFieldCount: return n;
      case Op.WinSum: return sum;
      case Op.WinMean: return n > 0 ? sum / n : p.p0;
      case Op.WinStd: return n - p.p1 > 0 ? Math.sqrt(m2 / (n - p.p1)) : p.p0;
      case Op.WinMin: return n > 0 ? mn : p.p0;
      case Op.WinMax: return n > 0 ? mx : p.p0;
      case Op.WinDistinct: return dc;
      default: return NaN;
    }
  };

  const commit = (): void => {
    for (let u = 0; u < usedEntities.length; u++) {
      const e = usedEntities[u];
      const ep = entities[e];
      const key = keys[e];
      let h = ep.history;
      if (h === undefined) {
        h = new EntityHistory(ep.columns.length, ep.withLabels, maxEvents);
        h.append(t, ep.colVals, tag, ep.horizon);
        store.set(e, key, h);
      } else {
        store.get(e, key); // mark as recently seen
        if (h.append(t, ep.colVals, tag, ep.horizon)) store.set(e, key, h);
      }
      ep.history = undefined;
    }
    seq++;
    stats.committed++;
  };

  const checkOut = (out: FeatureVector, offset: number): void => {
    if (!(out instanceof Float32Array || out instanceof Float64Array)) {
      throw new FeatureError('invalid_argument', 'computeInto: out must be a Float32Array or Float64Array', ['out']);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + size > out.length) {
      throw new FeatureError('invalid_argument', `computeInto: out needs ${size} slots from offset ${offset}, has length ${out.length}`, ['offset']);
    }
  };

  const run = (event: EventRecord, out: FeatureVector, offset: number, commitIt: boolean): void => {
    checkOut(out, offset);
    let late: boolean;
    try {
      if (event === null || typeof event !== 'object') throw new FeatureError('invalid_event', `expected an event object, got ${describe(event)}`, []);
      late = prepare(event);
    } catch (e) {
      for (let u = 0; u < usedEntities.length; u++) entities[usedEntities[u]].history = undefined;
      stats.refused++;
      throw e;
    }
    evaluate();
    for (let k = 0; k < size; k++) out[offset + k] = vals[emitIdx[k]];
    if (commitIt && !late) commit();
    else {
      for (let u = 0; u < usedEntities.length; u++) entities[usedEntities[u]].history = undefined;
      if (late) stats.scoredOnly++;
    }
  };

  const recordOutcomeAt = (e: number, key: EntityKey, ts: number, tg: number, label: number, byTag: boolean): number => {
    const h = store.peek(e, key);
    if (!h || !h.labels) return 0;
    const mask = h.ts.length - 1;
    // Times are ascending in the ring: bisect to the first event at `ts`, then walk the
    // ties; without a tag the oldest event whose outcome is still unknown takes it.
    let lo = 0;
    let hi = h.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h.ts[(h.head + mid) & mask] < ts) lo = mid + 1;
      else hi = mid;
    }
    let found = -1;
    for (let k = lo; k < h.size; k++) {
      const s = (h.head + k) & mask;
      if (h.ts[s] !== ts) break;
      if (byTag ? h.tags![s] === tg : h.labels[s] !== h.labels[s]) {
        found = s;
        break;
      }
    }
    if (found < 0) return 0;
    h.labels[found] = label;
    return 1;
  };

  const evaluator: FeatureEvaluator = {
    spec,
    featureNames,
    lineage,
    size,
    store,
    computeInto: (event, out, offset = 0) => run(event, out, offset, true),
    peekInto: (event, out, offset = 0) => run(event, out, offset, false),
    recordOutcome: (event, label) => {
      if (typeof label !== 'number' || !Number.isFinite(label)) {
        throw new FeatureError('invalid_event', `recordOutcome: label must be a finite number, got ${describe(label)}`, ['label']);
      }
      if (event === null || typeof event !== 'object') throw new FeatureError('invalid_event', `recordOutcome: expected an event object, got ${describe(event)}`, []);
      const ts = timestampOf(event);
      const need = new Set<number>();
      for (const e of labelEntities) for (const fi of entities[e].keyFields) need.add(fi);
      if (idFieldIdx >= 0) need.add(idFieldIdx);
      for (const fi of need) {
        parseField(event, fi);
        const f = fields[fi];
        if ((f.type === FieldType.Number ? num[fi] !== num[fi] : strs[fi] === undefined)) {
          throw invalid(f.name, `recordOutcome: field "${f.name}" identifies the event and must be present`);
        }
      }
      const tg = idFieldIdx < 0 ? NaN : fields[idFieldIdx].type === FieldType.Number ? num[idFieldIdx] : hashString(strs[idFieldIdx]!);
      let n = 0;
      for (const e of labelEntities) n += recordOutcomeAt(e, keyOf(entities[e]), ts, tg, label, idFieldIdx >= 0);
      return n;
    },
    stats: () => ({ ...stats }),
    reset: () => {
      store.clear();
      stats.committed = 0; stats.refused = 0; stats.scoredOnly = 0;
      seq = 0;
    },
  };
  INTERNALS.set(evaluator, {
    timestampOf,
    labelEntities,
    keys,
    tag: () => tag,
    recordOutcomeAt: (e, key, ts, tg, label) => recordOutcomeAt(e, key, ts, tg, label, true),
  });
  return evaluator;
}
