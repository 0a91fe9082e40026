/**
 * The config file `riskscore bundle --config bundle.json` builds a bundle from: the
 * members (an xgboost JSON model, converted by riskscore; any ONNX model), the input
 * fields, the decision policy and reason texts, and data files (a training sample for
 * the reference profile and background rows; optionally a labelled validation file for
 * stacking weights, calibration and a summary). File paths are relative to the config
 * file. Validated with zod, so a mistake names its field.
 */
import { DecisionPolicySchema, GroupingSchema, InputSchemaSchema, ReasonCodeSchema } from '@riskscore/core';
import { z } from 'zod';

const file = z.string().min(1);

const MemberConfigSchema = z.union([
  z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/),
    /** An xgboost model saved with `save_model('model.json')` (binary:logistic). */
    xgboostJson: file,
    /** Entries for the converted ONNX file's metadata_props (e.g. `{ "dataset": "…" }`). */
    onnxMetadata: z.record(z.string(), z.string()).optional(),
    /** Stacking weight (ignored with `ensemble: "stack"`; default 1). */
    weight: z.number().finite().optional(),
    description: z.string().optional(),
  }).strict(),
  z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/),
    /** An ONNX model: a neural network exported from torch, or a tree ensemble (`kind: "trees"`). */
    onnx: file,
    kind: z.enum(['neural', 'trees']).default('neural'),
    /** The graph output to read (default: the only output, or the one named `logit`). */
    output: z.string().min(1).optional(),
    /** What the output is, when the graph does not say (a Sigmoid or a linear last op does). */
    outputKind: z.enum(['logit', 'probability']).optional(),
    weight: z.number().finite().optional(),
    description: z.string().optional(),
  }).strict(),
]);
export type MemberConfig = z.infer<typeof MemberConfigSchema>;

/** A data file: CSV (RFC 4180, header row) or JSON lines of objects, with the label column for validation. */
const DataFileSchema = z.object({ file, label: z.string().min(1).optional() }).strict();

/**
 * The schema of a bundle config file (see the module comment). Beyond each field's own
 * rule it requires a training sample `file` unless both `background` and `reference` are
 * given, and a labelled `validation` file for `ensemble: "stack"` or a fitted calibration.
 */
export const BundleConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  version: z.string().min(1),
  /** The bundle's creation stamp: set it for byte-identical rebuilds (default: now). */
  created: z.string().datetime({ offset: true }).optional(),
  description: z.string().optional(),
  input: InputSchemaSchema,
  /**
   * The model's input columns in order (default: the xgboost model's feature_names, else
   * the input field names), and optionally a `@riskscore/features` spec file that computes
   * them from the raw event with per-entity state. With a spec, the training and
   * validation files are raw, time-ordered events (.csv, .csv.gz, .arrow), turned into
   * features by the offline pass (training first, then validation, one pass).
   */
  features: z.object({ order: z.array(z.string().min(1)).min(1).optional(), spec: file.optional() }).strict().optional(),
  members: z.array(MemberConfigSchema).min(1),
  /** `"stack"`: weights and bias fitted by logistic regression on the members' logits over the validation file. */
  ensemble: z.union([z.literal('stack'), z.object({ bias: z.number().finite().default(0) }).strict()]).default({ bias: 0 }),
  /** Fitted on the validation file (`platt`, `isotonic`), or given, or none. */
  calibration: z.union([z.enum(['none', 'platt', 'isotonic']), z.object({ method: z.literal('platt'), a: z.number(), b: z.number() }).strict()]).default('none'),
  decision: DecisionPolicySchema,
  reasonCodes: z.record(z.string(), ReasonCodeSchema).default({}),
  /** Groupings derived from numeric input fields (age bands) for fairness by group, copied into the manifest. */
  groups: z.array(GroupingSchema).optional(),
  /**
   * Rows of the training data: the reference profile for drift and the background sample
   * for attributions, drawn from `file`; or given as JSON files of feature rows
   * (`background`, copied into the bundle as it is, and `reference`).
   */
  training: z.object({
    file: file.optional(),
    background: file.optional(),
    reference: file.optional(),
    backgroundRows: z.number().int().min(1).max(100_000).default(100),
    referenceRows: z.number().int().min(10).max(1_000_000).default(2000),
    seed: z.number().int().default(1),
    /** Profile the ensemble's scores on the reference rows too (default true: the monitor then tracks score drift). */
    referenceScores: z.boolean().default(true),
  }).strict(),
  /** Labelled rows (label column 1 = adverse) for stacking, calibration and the summary. */
  validation: DataFileSchema.extend({ label: z.string().min(1) }).strict().optional(),
  /** Free-form facts written into the manifest's `training`. */
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict().superRefine((c, ctx) => {
  if (c.training.file === undefined && (c.training.background === undefined || c.training.reference === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'name the training sample ("file"), or give both "background" and "reference" rows', path: ['training', 'file'] });
  }
  if ((c.ensemble === 'stack' || c.calibration === 'platt' || c.calibration === 'isotonic') && c.validation === undefined) {
    ctx.addIssue({ code: 'custom', message: 'stacking and fitted calibration need a labelled validation file: add "validation": { "file": …, "label": … }', path: ['validation'] });
  }
});
/** A parsed bundle config (defaults filled in), as {@link BundleConfigSchema} returns it. */
export type BundleConfig = z.infer<typeof BundleConfigSchema>;
/** A bundle config as written in the file (defaults optional). */
export type BundleConfigInput = z.input<typeof BundleConfigSchema>;
