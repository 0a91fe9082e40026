// Public API of @riskscore/features: explicit named exports only.

export { FeatureError } from './errors';
export type { FeatureErrorCode, FeatureErrorOptions } from './errors';

// --- spec ---
export {
  FeatureSpecSchema, FeatureDefSchema, FieldSchema, EntitySchema, EventSchemaSchema, TimestampSchema, StateOptionsSchema,
  NumberFieldSchema, CategoryFieldSchema, StringFieldSchema,
  FieldFeatureSchema, Log1pFeatureSchema, ClipFeatureSchema, RatioFeatureSchema, DifferenceFeatureSchema,
  ZScoreFeatureSchema, BucketizeFeatureSchema, TimePartFeatureSchema, HaversineFeatureSchema, OneHotFeatureSchema,
  OrdinalFeatureSchema, TableEncodingFeatureSchema, WindowFeatureSchema, TimeSinceLastFeatureSchema, LabelWindowFeatureSchema,
} from './spec/feature-spec';
export type { FeatureSpec, FeatureSpecInput, FeatureDef, FieldDef, EntityDef, EventSchema } from './spec/feature-spec';
export { DurationSchema, secondsFromDuration } from './spec/duration';
export type { Duration } from './spec/duration';

// --- evaluation ---
export { compileFeatureSpec } from './evaluate/compile-feature-spec';
export type {
  FeatureEvaluator, FeatureEvaluatorStats, CompileOptions, EventRecord, FeatureVector, PreparedEvent,
} from './evaluate/compile-feature-spec';
export { secondsFromDatetime } from './time/parse-datetime';
export { hourOfDay, dayOfWeek } from './time/calendar';
export { haversineDistance } from './time/haversine';

// --- state ---
export { createMemoryStateStore } from './state/memory-state-store';
export type { MemoryStateStoreOptions } from './state/memory-state-store';
export type { MemoryStateStore } from './state/memory-state-store';
export type { AdmissionPolicy } from './state/entity-table';
export { STATE_SNAPSHOT_MAGIC, STATE_SNAPSHOT_FORMAT_VERSION } from './state/state-snapshot';
export type { EntityStateStore, EntityStateTable, EntityStateWriter, EntityRefs, EntityKey } from './state/state-store';
export { EntityTable } from './state/entity-table';
export { StringKey } from './state/string-key';
export { writeEntityRecord, readEntityRecord, entityRecordBytes } from './state/entity-record';
export type { EntityShape, RingCopier } from './state/entity-table';
export { hashString } from './state/hash-string';

// --- offline ---
export { createOfflinePass } from './offline/offline-pass';
export type { OfflinePass } from './offline/offline-pass';

// --- Fraud Detection Handbook specs ---
export { fdhBaselineSpec, fdhFraudSpec } from './fdh/fdh-specs';
