/**
 * The model bundle's `manifest.json`: everything a scorer needs and nothing it must
 * guess. Validated with zod before any model is loaded; also exported as JSON Schema
 * (`manifestJsonSchema()`) for training tools in other languages.
 */
import * as z from 'zod';

/**
 * Ensemble weights, bias and Platt parameters lie in ±LOGIT_BOUND: stacking weights of
 * real ensembles are single digits, and a bound this wide still keeps every weighted sum
 * of float32 logits finite (1e308 weights would give NaN or a saturated 0/1 score).
 */
export const LOGIT_BOUND = 1000;
const boundedLogit = () => z.number().finite().min(-LOGIT_BOUND, `at least -${LOGIT_BOUND}`).max(LOGIT_BOUND, `at most ${LOGIT_BOUND}`);

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const RELATIVE_FILE = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._\/-]+$/;

/** A category code as a JSON object key: a decimal integer such as `"1"` or `"-2"`. */
const CATEGORY_CODE_KEY = /^-?(0|[1-9][0-9]*)$/;

/**
 * The codes of an integer-coded categorical field and what each means, written either as
 * an object keyed by the code (`{ "1": "male", "2": "female" }`) or as a list
 * (`[{ "code": 1, "label": "male" }, …]`). A value outside the codes is refused; the
 * labels are documentation, and explanations may show them (see {@link categoriesOf}).
 */
export const InputCategoriesSchema = z.union([
  z.record(z.string().regex(CATEGORY_CODE_KEY, 'a category code is a decimal integer such as "1" or "-2"'), z.string().min(1)),
  z.array(z.object({ code: z.number().int(), label: z.string().min(1) })),
]);
/** The codes and labels of an integer-coded categorical field, as {@link InputCategoriesSchema} parses them (object or list form). */
export type InputCategories = z.infer<typeof InputCategoriesSchema>;

/** One field of the raw event a bundle scores. */
export const InputFieldSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(['number', 'integer', 'string', 'boolean']),
    /**
     * A required field must be present as an own property, not null and not one of its
     * `missing` sentinels. Default `true`: a field the model may go without says so.
     */
    required: z.boolean().default(true),
    /** Inclusive bounds for numbers (a sentinel in `missing` needs not lie inside them). */
    min: z.number().optional(),
    max: z.number().optional(),
    /**
     * Numeric values that mean "not known" in the source system (`[99999999]`, `[-1]`):
     * such a value counts as absent, so a required field holding it is refused and an
     * optional one reaches the model as missing (NaN).
     */
    missing: z.array(z.number().finite()).min(1).optional(),
    /**
     * For a `number` field: at most this many decimal places (amounts in cents: 2). A
     * value such as 1e-40 is then refused: as a denominator of a later event's ratio
     * feature it would overflow float32 and make that entity unscorable.
     */
    decimals: z.number().int().min(0).max(12).optional(),
    /** For an `integer` field: its allowed codes and their labels. */
    categories: InputCategoriesSchema.optional(),
    /** Allowed values for a string field. */
    enum: z.array(z.string()).optional(),
    description: z.string().optional(),
  })
  .superRefine((f, ctx) => {
    const numeric = f.type === 'number' || f.type === 'integer';
    if (f.min !== undefined && f.max !== undefined && !(f.min <= f.max)) {
      ctx.addIssue({ code: 'custom', message: `field ${f.name}: min ${f.min} exceeds max ${f.max}`, path: ['min'] });
    }
    if (!numeric && (f.min !== undefined || f.max !== undefined)) {
      ctx.addIssue({ code: 'custom', message: `field ${f.name}: min and max are for number and integer fields`, path: [f.min !== undefined ? 'min' : 'max'] });
    }
    if (f.decimals !== undefined && f.type !== 'number') ctx.addIssue({ code: 'custom', message: `field ${f.name}: decimals is for number fields`, path: ['decimals'] });
    if (f.missing && !numeric) ctx.addIssue({ code: 'custom', message: `field ${f.name}: missing-value sentinels are for number and integer fields`, path: ['missing'] });
    if (f.enum && f.type !== 'string') ctx.addIssue({ code: 'custom', message: `field ${f.name}: enum is for string fields (an integer field lists its codes in categories)`, path: ['enum'] });
    if (f.categories === undefined) return;
    if (f.type !== 'integer') {
      ctx.addIssue({ code: 'custom', message: `field ${f.name}: categories are for integer fields`, path: ['categories'] });
      return;
    }
    const cats = categoriesOf(f);
    if (cats.length === 0) ctx.addIssue({ code: 'custom', message: `field ${f.name}: categories must list at least one code`, path: ['categories'] });
    for (let i = 1; i < cats.length; i++) {
      if (cats[i].code === cats[i - 1].code) ctx.addIssue({ code: 'custom', message: `field ${f.name}: category code ${cats[i].code} is listed twice`, path: ['categories'] });
    }
    for (const c of cats) {
      if ((f.min !== undefined && c.code < f.min) || (f.max !== undefined && c.code > f.max)) {
        ctx.addIssue({ code: 'custom', message: `field ${f.name}: category code ${c.code} lies outside [${f.min ?? '-∞'}, ${f.max ?? '∞'}]`, path: ['categories'] });
      }
      if (f.missing?.includes(c.code)) {
        ctx.addIssue({ code: 'custom', message: `field ${f.name}: ${c.code} is both a category code and a missing-value sentinel`, path: ['missing'] });
      }
    }
  });
/** One input field after parsing by {@link InputFieldSchema} (`required` defaulted to `true`). */
export type InputField = z.infer<typeof InputFieldSchema>;

/**
 * The input schema of a bundle: its fields, and what to do with an event's own
 * enumerable keys that are not among them. `unknownFields` defaults to `'ignore'`
 * (events often carry ids and metadata the model does not read); `'refuse'` makes such
 * a key an `invalid_event` at `['event', key]`.
 */
export const InputSchemaSchema = z.object({
  fields: z.array(InputFieldSchema).min(1),
  unknownFields: z.enum(['ignore', 'refuse']).default('ignore'),
});
/** A bundle's input schema after parsing by {@link InputSchemaSchema} (`unknownFields` defaulted to `'ignore'`). */
export type InputSchema = z.infer<typeof InputSchemaSchema>;

/**
 * The codes of an integer-coded categorical field with their labels, ascending by code;
 * empty for a field without `categories`.
 *
 * @example
 * categoriesOf({ name: 'SEX', type: 'integer', required: true, categories: { '2': 'female', '1': 'male' } });
 * // [{ code: 1, label: 'male' }, { code: 2, label: 'female' }]
 */
export function categoriesOf(field: Pick<InputField, 'categories'>): Array<{ code: number; label: string }> {
  const c = field.categories;
  if (c === undefined) return [];
  const list = Array.isArray(c) ? c.map(({ code, label }) => ({ code, label })) : Object.keys(c).map((k) => ({ code: Number(k), label: c[k] }));
  return list.sort((a, b) => a.code - b.code);
}

/**
 * The label of a code of an integer-coded categorical field (for explanations and
 * reports), or `undefined` when the field has no such code.
 *
 * @example
 * categoryLabel({ categories: { '1': 'male', '2': 'female' } }, 2); // 'female'
 * categoryLabel({ categories: { '1': 'male', '2': 'female' } }, 3); // undefined
 */
export function categoryLabel(field: Pick<InputField, 'categories'>, code: number): string | undefined {
  const c = field.categories;
  if (c === undefined) return undefined;
  if (Array.isArray(c)) return c.find((x) => x.code === code)?.label;
  const key = String(code);
  return Object.prototype.hasOwnProperty.call(c, key) && CATEGORY_CODE_KEY.test(key) ? c[key] : undefined;
}

/** A member model of the ensemble. */
export const MemberSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
  /** `trees`: evaluated natively by core; `neural`: run by the InferenceBackend. */
  kind: z.enum(['trees', 'neural']),
  file: z.string().regex(RELATIVE_FILE, 'a relative path inside the bundle'),
  sha256: z.string().regex(SHA256, '64 lowercase hex characters'),
  input: z.object({ name: z.string().min(1), width: z.number().int().positive() }),
  output: z.object({
    name: z.string().min(1),
    /** What the output means: a logit (margin) or a probability of the positive class. */
    kind: z.enum(['logit', 'probability']),
  }),
  /** Weight of the member's logit in the ensemble (within ±`LOGIT_BOUND`, 1000). */
  weight: boundedLogit(),
  description: z.string().optional(),
});
/** A member model of the ensemble, as {@link MemberSchema} parses it. */
export type Member = z.infer<typeof MemberSchema>;

/** Calibration of the ensemble logit into a probability. */
export const CalibrationSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }),
  /** Platt scaling: p = σ(a·z + b). */
  z.object({ method: z.literal('platt'), a: boundedLogit(), b: boundedLogit() }),
  /** Isotonic: piecewise-linear through (x[i], y[i]) over the ensemble logit, x ascending. */
  z.object({
    method: z.literal('isotonic'),
    x: z.array(z.number().finite()).min(2),
    y: z.array(z.number().min(0).max(1)).min(2),
  }),
]);
/** The calibration of the ensemble logit (`none`, `platt` or `isotonic`), as {@link CalibrationSchema} parses it. */
export type Calibration = z.infer<typeof CalibrationSchema>;

/** The decision a score gets: `approve`, `review` or `decline`. */
export const DecisionSchema = z.enum(['approve', 'review', 'decline']);
/** One of `approve`, `review` or `decline` (see {@link DecisionSchema}). */
export type Decision = z.infer<typeof DecisionSchema>;

/** A rule that overrides the score band, on a raw input field. */
export const DecisionRuleSchema = z.object({
  id: z.string().min(1),
  field: z.string().min(1),
  op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'in', 'missing']),
  value: z.union([z.number(), z.string(), z.boolean(), z.array(z.union([z.number(), z.string()]))]).optional(),
  decision: DecisionSchema,
  /** Reason code reported when the rule fires. */
  reason: z.string().min(1),
});
/** A rule on a raw input field that overrides the score band, as {@link DecisionRuleSchema} parses it. */
export type DecisionRule = z.infer<typeof DecisionRuleSchema>;

/**
 * Score bands on the calibrated probability: a score below `approveBelow` is approved,
 * one at or above `declineAtOrAbove` declined, the rest reviewed. Rules are checked in
 * order and the first that matches decides.
 */
export const DecisionPolicySchema = z
  .object({
    approveBelow: z.number().min(0).max(1),
    declineAtOrAbove: z.number().min(0).max(1),
    rules: z.array(DecisionRuleSchema).default([]),
  })
  .refine((p) => p.approveBelow <= p.declineAtOrAbove, {
    message: 'approveBelow must not exceed declineAtOrAbove',
    path: ['approveBelow'],
  });
/** The score bands and override rules after parsing by {@link DecisionPolicySchema} (`rules` defaulted to `[]`). */
export type DecisionPolicy = z.infer<typeof DecisionPolicySchema>;

/** A reason code: a stable code and the text shown to the applicant or analyst. */
export const ReasonCodeSchema = z.object({ code: z.string().min(1), text: z.string().min(1) });
/** A reason code and its text, as {@link ReasonCodeSchema} parses it. */
export type ReasonCode = z.infer<typeof ReasonCodeSchema>;

/** A file the bundle carries beside the models (reference profile, background sample). */
export const BundleFileSchema = z.object({
  file: z.string().regex(RELATIVE_FILE, 'a relative path inside the bundle'),
  sha256: z.string().regex(SHA256, '64 lowercase hex characters'),
});

/**
 * A grouping of events derived from a numeric input field by band edges, for fairness
 * by group and reports (`{ "name": "AGE_BAND", "field": "AGE", "edges": [25, 35, 45, 55] }`:
 * under 25, 25–34, …, 55 and over). Band i holds values in [edges[i-1], edges[i]); the
 * labels default to those ranges, or are given, one more than the edges.
 */
export const GroupingSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _, . and - only'),
  field: z.string().min(1),
  edges: z.array(z.number().finite()).min(1),
  labels: z.array(z.string().min(1)).optional(),
  description: z.string().optional(),
});
/** A derived grouping as {@link GroupingSchema} parses it. */
export type Grouping = z.infer<typeof GroupingSchema>;

/**
 * The schema of a bundle's `manifest.json` (`manifestVersion` 1): name, semantic version,
 * input schema, feature order (and optional feature spec), members, ensemble, calibration,
 * decision policy and reason codes. Beyond each field's own rule it refuses duplicate
 * member and field names, features that no field or spec provides, rules on unknown
 * fields or without their reason-code text, isotonic points out of order, and groupings
 * on unknown or non-numeric fields, with edges out of order or the wrong number of labels.
 */
export const ManifestSchema = z
  .object({
    manifestVersion: z.literal(1),
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ., _ and -'),
    version: z.string().regex(SEMVER, 'a semantic version such as 1.2.0'),
    created: z.string().datetime({ offset: true }),
    description: z.string().optional(),
    input: InputSchemaSchema,
    features: z.object({
      /** Names of the model's input columns, in order. */
      order: z.array(z.string().min(1)).min(1),
      /**
       * A `@riskscore/features` spec that computes `order` from the event. Absent: each
       * feature is the numeric input field of the same name.
       */
      spec: z.unknown().optional(),
    }),
    members: z.array(MemberSchema).min(1),
    ensemble: z.object({ method: z.literal('logit-weighted'), bias: boundedLogit() }),
    calibration: CalibrationSchema,
    decision: DecisionPolicySchema,
    /** Reason-code texts keyed by feature name, raw field name or rule id. */
    reasonCodes: z.record(z.string(), ReasonCodeSchema).default({}),
    /** Reference profile for drift monitoring (JSON). */
    reference: BundleFileSchema.optional(),
    /** Background rows for attributions (JSON array of feature rows). */
    background: BundleFileSchema.optional(),
    /** Free-form training facts (metrics, data, seeds). */
    training: z.record(z.string(), z.unknown()).optional(),
    /** Groupings derived from input fields (age bands) for fairness by group. */
    groups: z.array(GroupingSchema).default([]),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.members.forEach((mem, i) => {
      if (seen.has(mem.name)) ctx.addIssue({ code: 'custom', message: `duplicate member name ${mem.name}`, path: ['members', i, 'name'] });
      seen.add(mem.name);
    });
    const fields = new Set<string>();
    m.input.fields.forEach((f, i) => {
      if (fields.has(f.name)) ctx.addIssue({ code: 'custom', message: `duplicate input field ${f.name}`, path: ['input', 'fields', i, 'name'] });
      fields.add(f.name);
    });
    if (m.features.spec === undefined) {
      m.features.order.forEach((f, i) => {
        if (!fields.has(f)) ctx.addIssue({ code: 'custom', message: `feature ${f} is not an input field and no feature spec computes it`, path: ['features', 'order', i] });
      });
    }
    const ruleIds = new Set<string>();
    m.decision.rules.forEach((r, i) => {
      if (!fields.has(r.field)) ctx.addIssue({ code: 'custom', message: `rule ${r.id} reads unknown input field ${r.field}`, path: ['decision', 'rules', i, 'field'] });
      if (ruleIds.has(r.id)) ctx.addIssue({ code: 'custom', message: `rule id ${r.id} is used twice`, path: ['decision', 'rules', i, 'id'] });
      ruleIds.add(r.id);
      // A rule's reason is reported with the text keyed by the rule's id: both must name the same code.
      const text = Object.prototype.hasOwnProperty.call(m.reasonCodes, r.id) ? m.reasonCodes[r.id] : undefined;
      if (text === undefined) {
        ctx.addIssue({ code: 'custom', message: `rule ${r.id} reports reason ${r.reason}, but reasonCodes has no entry "${r.id}" with its text`, path: ['reasonCodes', r.id] });
      } else if (text.code !== r.reason) {
        ctx.addIssue({ code: 'custom', message: `rule ${r.id} reports reason ${r.reason}, but reasonCodes["${r.id}"] is code ${text.code}`, path: ['reasonCodes', r.id, 'code'] });
      }
    });
    const groupNames = new Set<string>();
    m.groups.forEach((g, i) => {
      if (groupNames.has(g.name) || fields.has(g.name)) ctx.addIssue({ code: 'custom', message: `grouping name ${g.name} is used twice (groupings and input fields share one namespace)`, path: ['groups', i, 'name'] });
      groupNames.add(g.name);
      const field = m.input.fields.find((f) => f.name === g.field);
      if (!field) ctx.addIssue({ code: 'custom', message: `grouping ${g.name} reads unknown input field ${g.field}`, path: ['groups', i, 'field'] });
      else if (field.type !== 'number' && field.type !== 'integer') ctx.addIssue({ code: 'custom', message: `grouping ${g.name}: field ${g.field} is ${field.type}; bands are for number and integer fields`, path: ['groups', i, 'field'] });
      for (let k = 1; k < g.edges.length; k++) {
        if (!(g.edges[k] > g.edges[k - 1])) { ctx.addIssue({ code: 'custom', message: `grouping ${g.name}: edges must be strictly increasing`, path: ['groups', i, 'edges', k] }); break; }
      }
      if (g.labels && g.labels.length !== g.edges.length + 1) ctx.addIssue({ code: 'custom', message: `grouping ${g.name}: ${g.edges.length} edges make ${g.edges.length + 1} bands, but ${g.labels.length} labels are given`, path: ['groups', i, 'labels'] });
      if (g.labels && new Set(g.labels).size !== g.labels.length) ctx.addIssue({ code: 'custom', message: `grouping ${g.name}: band labels must differ`, path: ['groups', i, 'labels'] });
    });
    if (m.calibration.method === 'isotonic') {
      const { x, y } = m.calibration;
      if (x.length !== y.length) ctx.addIssue({ code: 'custom', message: 'isotonic x and y must have the same length', path: ['calibration', 'y'] });
      for (let i = 1; i < x.length; i++) {
        if (!(x[i] > x[i - 1])) { ctx.addIssue({ code: 'custom', message: 'isotonic x must be strictly increasing', path: ['calibration', 'x', i] }); break; }
        if (y[i] < y[i - 1]) { ctx.addIssue({ code: 'custom', message: 'isotonic y must be non-decreasing', path: ['calibration', 'y', i] }); break; }
      }
    }
  });
/** A parsed, valid manifest (defaults applied), as {@link ManifestSchema} returns it. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** What a training tool writes (defaults may be omitted). */
export type ManifestInput = z.input<typeof ManifestSchema>;

/**
 * The manifest schema as JSON Schema (draft 2020-12), for tools outside TypeScript.
 *
 * @example
 * writeFileSync('manifest.schema.json', JSON.stringify(manifestJsonSchema(), null, 2));
 */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ManifestSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
