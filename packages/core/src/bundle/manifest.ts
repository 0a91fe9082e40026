/**
 * The model bundle's `manifest.json`: everything a scorer needs and nothing it must
 * guess. Validated with zod before any model is loaded; also exported as JSON Schema
 * (`manifestJsonSchema()`) for training tools in other languages.
 */
import { z } from 'zod';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const RELATIVE_FILE = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._\/-]+$/;

/** One field of the raw event a bundle scores. */
export const InputFieldSchema = z.object({
  name: z.string().min(1),
  type: z.enum(['number', 'integer', 'string', 'boolean']),
  /** A required field must be present and not null. */
  required: z.boolean().default(true),
  /** Inclusive bounds for numbers. */
  min: z.number().optional(),
  max: z.number().optional(),
  /** Allowed values for a string field. */
  enum: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type InputField = z.infer<typeof InputFieldSchema>;

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
  /** Weight of the member's logit in the ensemble. */
  weight: z.number().finite(),
  description: z.string().optional(),
});
export type Member = z.infer<typeof MemberSchema>;

/** Calibration of the ensemble logit into a probability. */
export const CalibrationSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }),
  /** Platt scaling: p = σ(a·z + b). */
  z.object({ method: z.literal('platt'), a: z.number().finite(), b: z.number().finite() }),
  /** Isotonic: piecewise-linear through (x[i], y[i]) over the ensemble logit, x ascending. */
  z.object({
    method: z.literal('isotonic'),
    x: z.array(z.number().finite()).min(2),
    y: z.array(z.number().min(0).max(1)).min(2),
  }),
]);
export type Calibration = z.infer<typeof CalibrationSchema>;

export const DecisionSchema = z.enum(['approve', 'review', 'decline']);
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
export type DecisionPolicy = z.infer<typeof DecisionPolicySchema>;

/** A reason code: a stable code and the text shown to the applicant or analyst. */
export const ReasonCodeSchema = z.object({ code: z.string().min(1), text: z.string().min(1) });
export type ReasonCode = z.infer<typeof ReasonCodeSchema>;

/** A file the bundle carries beside the models (reference profile, background sample). */
export const BundleFileSchema = z.object({
  file: z.string().regex(RELATIVE_FILE, 'a relative path inside the bundle'),
  sha256: z.string().regex(SHA256, '64 lowercase hex characters'),
});

export const ManifestSchema = z
  .object({
    manifestVersion: z.literal(1),
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ., _ and -'),
    version: z.string().regex(SEMVER, 'a semantic version such as 1.2.0'),
    created: z.string().datetime({ offset: true }),
    description: z.string().optional(),
    input: z.object({ fields: z.array(InputFieldSchema).min(1) }),
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
    ensemble: z.object({ method: z.literal('logit-weighted'), bias: z.number().finite() }),
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
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.members.forEach((mem, i) => {
      if (seen.has(mem.name)) ctx.addIssue({ code: 'custom', message: `duplicate member name ${mem.name}`, path: ['members', i, 'name'] });
      seen.add(mem.name);
    });
    const fields = new Set(m.input.fields.map((f) => f.name));
    if (m.features.spec === undefined) {
      m.features.order.forEach((f, i) => {
        if (!fields.has(f)) ctx.addIssue({ code: 'custom', message: `feature ${f} is not an input field and no feature spec computes it`, path: ['features', 'order', i] });
      });
    }
    m.decision.rules.forEach((r, i) => {
      if (!fields.has(r.field)) ctx.addIssue({ code: 'custom', message: `rule ${r.id} reads unknown input field ${r.field}`, path: ['decision', 'rules', i, 'field'] });
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
