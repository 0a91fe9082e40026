import * as z from 'zod';
import { DurationSchema } from './duration';

/*
 * The feature spec: a JSON-serialisable, versioned description of an event schema and the
 * features computed from it. It is embedded verbatim in a model bundle's manifest, so
 * every field has a fixed meaning across versions; a breaking change bumps `specVersion`.
 */

const name = z.string().min(1).max(200);

/** A numeric input field. Non-finite values are always refused. */
export const NumberFieldSchema = z.strictObject({
  name,
  type: z.literal('number'),
  required: z.boolean().default(true),
  /** Smallest allowed value (inclusive), e.g. 0 for an amount. */
  min: z.number().optional(),
  /** Largest allowed value (inclusive). */
  max: z.number().optional(),
  /** Refuse values with a fractional part (ids, counts). */
  integer: z.boolean().default(false),
});

/** A categorical input field with a closed list of values. */
export const CategoryFieldSchema = z.strictObject({
  name,
  type: z.literal('category'),
  required: z.boolean().default(true),
  values: z.array(z.string()).min(1),
  /** `"error"` refuses a value outside `values`; `"allow"` lets it through as unknown. */
  unknown: z.enum(['error', 'allow']).default('error'),
});

/** A free string input field (an id, a merchant name). */
export const StringFieldSchema = z.strictObject({
  name,
  type: z.literal('string'),
  required: z.boolean().default(true),
});

/** One input field of the event schema. */
export const FieldSchema = z.discriminatedUnion('type', [NumberFieldSchema, CategoryFieldSchema, StringFieldSchema]);
/** One parsed input field (number, category or string), as {@link FieldSchema} parses it. */
export type FieldDef = z.infer<typeof FieldSchema>;

/** The event's timestamp: where it is and how it is written. */
export const TimestampSchema = z.strictObject({
  field: name,
  /**
   * `datetime`: a string `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH:MM]` (no zone = UTC);
   * `epoch_seconds` / `epoch_millis`: a number.
   */
  format: z.enum(['datetime', 'epoch_seconds', 'epoch_millis']),
  /** Offset of local time from UTC for time-of-day features, in minutes. */
  utcOffsetMinutes: z.number().int().min(-1080).max(1080).default(0),
  /**
   * How far an event may lie ahead of the evaluator's clock (`CompileOptions.clock`,
   * default `Date.now`) before it is refused as `clock_skew`, so that a mistyped or
   * forged future timestamp (year 9999) cannot become an entity's newest event and turn
   * every later event of that entity into a late one. The default is tight (5 minutes of
   * clock drift) because an accepted event ahead of time makes the entity's real events
   * late until the clock catches up: a zone-less timestamp is read as UTC, so a system
   * that sends local time ahead of UTC gives the zone (`+02:00`) or raises this. The
   * offline pass replays history and does not check it.
   */
  maxAhead: DurationSchema.default('5m'),
});

/** The input event schema. */
export const EventSchemaSchema = z.strictObject({
  fields: z.array(FieldSchema),
  timestamp: TimestampSchema,
  /** A field that identifies an event; `recordOutcome` then matches on it as well as the time. */
  idField: name.optional(),
  /**
   * The outcome (label) column of historical data. Offline, the label of an event at time
   * `s` becomes known at `s + availableAfter`, the same moment an online system would
   * call `recordOutcome`.
   */
  label: z.strictObject({ field: name, availableAfter: DurationSchema }).optional(),
});
/** The parsed event schema (fields, timestamp, id and label fields), as {@link EventSchemaSchema} parses it. */
export type EventSchema = z.infer<typeof EventSchemaSchema>;

/** An entity: what a window's history is kept for (a card, a terminal, card × terminal). */
export const EntitySchema = z.strictObject({
  name,
  /** One field, or several for a composite key. */
  key: z.array(name).min(1),
});
/** A parsed entity: its name and key fields, as {@link EntitySchema} parses it. */
export type EntityDef = z.infer<typeof EntitySchema>;

const base = {
  name,
  /** False keeps the feature internal: usable as an input of later features, not emitted. */
  emit: z.boolean().default(true),
  description: z.string().optional(),
};
const input = name; // an earlier feature's name

/** `field`: the value of a numeric input field (`missing`, else NaN, when an optional field is absent). */
export const FieldFeatureSchema = z.strictObject({
  ...base,
  kind: z.literal('field'),
  field: name,
  /** Value when an optional field is missing; absent means NaN (trees route it as missing). */
  missing: z.number().optional(),
});
/** `log1p`: ln(1 + x) of an earlier feature `input`. */
export const Log1pFeatureSchema = z.strictObject({ ...base, kind: z.literal('log1p'), input });
/** `clip`: an earlier feature `input` limited to `[min, max]` (the spec is refused unless min <= max). */
export const ClipFeatureSchema = z.strictObject({
  ...base, kind: z.literal('clip'), input, min: z.number(), max: z.number(),
});
/** `ratio`: `numerator / denominator` of two earlier features, `onZero` (default 0) when the denominator is 0. */
export const RatioFeatureSchema = z.strictObject({
  ...base, kind: z.literal('ratio'), numerator: input, denominator: input,
  /** Value when the denominator is 0. */
  onZero: z.number().default(0),
});
/** `difference`: `a - b` of two earlier features. */
export const DifferenceFeatureSchema = z.strictObject({ ...base, kind: z.literal('difference'), a: input, b: input });
/** `zscore`: `(input - mean) / std` of an earlier feature, with `mean` and a positive `std` learned offline. */
export const ZScoreFeatureSchema = z.strictObject({
  ...base, kind: z.literal('zscore'), input, mean: z.number(), std: z.number().positive(),
});
/** `bucketize`: the number of strictly ascending `boundaries` <= an earlier feature `input` (NaN stays NaN). */
export const BucketizeFeatureSchema = z.strictObject({
  ...base, kind: z.literal('bucketize'), input,
  /** Ascending boundaries; the result is the number of boundaries <= x (numpy `digitize`). */
  boundaries: z.array(z.number()).min(1),
});
/**
 * `time_part`: a part of the event's local time (timestamp plus `utcOffsetMinutes`): `hour`
 * (0–23), `day_of_week` (Monday = 0 … Sunday = 6), `weekend` (1 on Saturday and Sunday,
 * else 0), or `night` (1 when the hour lies in `nightFrom`–`nightTo`, default 0–6, else 0).
 */
export const TimePartFeatureSchema = z.strictObject({
  ...base, kind: z.literal('time_part'),
  part: z.enum(['hour', 'day_of_week', 'weekend', 'night']),
  /** For `night`: hours h with `from <= h <= to` (wrapping past midnight when from > to). */
  nightFrom: z.number().int().min(0).max(23).default(0),
  nightTo: z.number().int().min(0).max(23).default(6),
});
/** `haversine`: the great-circle distance between the points (`lat1`, `lon1`) and (`lat2`, `lon2`), four numeric input fields in degrees; in km by default (`radius`). */
export const HaversineFeatureSchema = z.strictObject({
  ...base, kind: z.literal('haversine'),
  lat1: name, lon1: name, lat2: name, lon2: name,
  /** Sphere radius; the default is the mean Earth radius in km (IUGG). */
  radius: z.number().positive().default(6371.0088),
});
/** `one_hot`: 1 when a category or string field equals `value`, else 0 (for a category field, `value` must be one of its values). */
export const OneHotFeatureSchema = z.strictObject({ ...base, kind: z.literal('one_hot'), field: name, value: z.string() });
/** `ordinal`: the position of a category or string field's value in `order` (from 0), `unknownValue` (default -1) for a value not listed. */
export const OrdinalFeatureSchema = z.strictObject({
  ...base, kind: z.literal('ordinal'), field: name, order: z.array(z.string()).min(1),
  unknownValue: z.number().default(-1),
});
/** `frequency_encoding` / `target_encoding`: a category or string field's value looked up in `table`, `unknownValue` (default 0) for a value not in it. */
export const TableEncodingFeatureSchema = z.strictObject({
  ...base,
  kind: z.enum(['frequency_encoding', 'target_encoding']),
  field: name,
  /** Learned offline: value → frequency (share of rows) or smoothed target mean. */
  table: z.record(z.string(), z.number()),
  unknownValue: z.number().default(0),
});
/**
 * `window`: an aggregate (`count`, `sum`, `mean`, `std`, `min`, `max`, `distinct_count`)
 * of `field` over the entity's events in the window `(t - window, t]` (`count` without a
 * field counts the events), with or without the current event (`includeCurrent`, default true).
 */
export const WindowFeatureSchema = z.strictObject({
  ...base, kind: z.literal('window'),
  entity: name,
  aggregate: z.enum(['count', 'sum', 'mean', 'std', 'min', 'max', 'distinct_count']),
  /** The aggregated field; not used by `count`. */
  field: name.optional(),
  /** The window `(t - window, t]` on event time. */
  window: DurationSchema,
  /** Whether the event being scored is part of its own window. */
  includeCurrent: z.boolean().default(true),
  /** Value when the window holds no value (mean, std, min, max). */
  empty: z.number().default(0),
  /** Delta degrees of freedom of `std` (1 = sample std, as pandas). */
  ddof: z.union([z.literal(0), z.literal(1)]).default(1),
});
/** `time_since_last`: seconds since the entity's previous event, `missing` (default -1) when it has none. */
export const TimeSinceLastFeatureSchema = z.strictObject({
  ...base, kind: z.literal('time_since_last'), entity: name,
  /** Value (seconds) when the entity has no earlier event. */
  missing: z.number().default(-1),
});
/** `label_window`: over the entity's events in a window that ends `delay` before the event, the count of events, of known outcomes or of positive ones, or the positive rate (label-delayed features). */
export const LabelWindowFeatureSchema = z.strictObject({
  ...base, kind: z.literal('label_window'),
  entity: name,
  /**
   * Over the events in `(t - delay - window, t - delay]`: `count` = events, `known_count` =
   * events whose outcome is known, `positive_count` = known positive outcomes,
   * `rate` = positive_count / count (0 when count is 0), as the Fraud Detection Handbook.
   */
  aggregate: z.enum(['count', 'known_count', 'positive_count', 'rate']),
  window: DurationSchema,
  /** How long before the event the window ends; 0 allowed (outcomes then come in by `recordOutcome` only). */
  delay: z.union([z.literal(0), DurationSchema]),
});

/** One feature definition; each produces exactly one column. */
export const FeatureDefSchema = z.discriminatedUnion('kind', [
  FieldFeatureSchema, Log1pFeatureSchema, ClipFeatureSchema, RatioFeatureSchema, DifferenceFeatureSchema,
  ZScoreFeatureSchema, BucketizeFeatureSchema, TimePartFeatureSchema, HaversineFeatureSchema,
  OneHotFeatureSchema, OrdinalFeatureSchema, TableEncodingFeatureSchema, WindowFeatureSchema,
  TimeSinceLastFeatureSchema, LabelWindowFeatureSchema,
]);
/** One parsed feature definition (defaults filled in), as {@link FeatureDefSchema} parses it. */
export type FeatureDef = z.infer<typeof FeatureDefSchema>;

/** State options that travel with the spec. */
export const StateOptionsSchema = z.strictObject({
  /** Most events one entity keeps; older ones drop out first (see README, "State"). */
  maxEventsPerEntity: z.number().int().min(2).max(1 << 20).default(4096),
  /**
   * An event older than the newest committed event of one of its entities:
   * `reject` throws `late_event`; `score_only` computes its features as of its own
   * timestamp (later events excluded) and does not add it to the state.
   */
  lateEvents: z.enum(['reject', 'score_only']).default('reject'),
  /**
   * When set, an event more than this far after its entity's newest event is refused as
   * `clock_skew` (a sanity bound for streams whose clock is not the wall clock; absent:
   * no bound, a card may come back after any pause).
   */
  maxGap: DurationSchema.optional(),
});

/**
 * The feature spec (version 1).
 *
 * @example
 * const spec = FeatureSpecSchema.parse({
 *   specVersion: 1, name: 'demo',
 *   event: { fields: [{ name: 'card', type: 'string' }, { name: 'amount', type: 'number', min: 0 }],
 *            timestamp: { field: 'ts', format: 'epoch_seconds' } },
 *   entities: [{ name: 'card', key: ['card'] }],
 *   features: [{ name: 'card_count_1h', kind: 'window', entity: 'card', aggregate: 'count', window: '1h' }],
 * });
 */
export const FeatureSpecSchema = z.strictObject({
  specVersion: z.literal(1),
  name,
  description: z.string().optional(),
  event: EventSchemaSchema,
  entities: z.array(EntitySchema).default([]),
  features: z.array(FeatureDefSchema).min(1),
  state: StateOptionsSchema.default({ maxEventsPerEntity: 4096, lateEvents: 'reject' }),
});

/** A parsed feature spec (defaults filled in). */
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
/** A feature spec as written (defaults optional). */
export type FeatureSpecInput = z.input<typeof FeatureSpecSchema>;
