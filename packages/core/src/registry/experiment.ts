/**
 * An experiment: which version decides each event, and which others score it on the side.
 *
 * Arms split entities by weight, deterministically by a hash of the entity key (the same
 * card always meets the same arm; see split-hash.ts). Segment rules go first: an event
 * that matches a rule goes to the rule's arm whatever its hash. Shadows score a
 * percentage of entities (their own hash, so a shadowed entity's whole history is
 * scored) and never decide.
 *
 * Cold code: the config is checked once here; the registry compiles it with the versions
 * its targets name into a route table (route-table.ts).
 */
import { RiskscoreError } from '../errors';

/** One arm of an experiment: a version that decides the events of its share of entities. */
export interface ExperimentArm {
  /** The arm's name in results and in the verdict (`champion`, `challenger`, `B`, …). */
  readonly name: string;
  /** An alias (`champion`) or a version (`fdh-fraud@1.1.0`) of the registry. */
  readonly target: string;
  /** Relative share of entities (weights need not sum to 1; 0 takes entities only through rules). */
  readonly weight: number;
}

/** Events whose field matches go to `arm` (first matching rule wins). */
export interface SegmentRule {
  readonly field: string;
  readonly equals?: string | number | boolean;
  readonly in?: ReadonlyArray<string | number>;
  /** Inclusive numeric bounds (either or both). */
  readonly min?: number;
  readonly max?: number;
  readonly arm: string;
}

/** A version that scores a share of entities' events on the side and never decides; `target` is an alias or a `name@version`. */
export interface ShadowSpec {
  readonly target: string;
  /** Share of entities whose events the shadow scores, 0–100. */
  readonly percent: number;
}

/**
 * An experiment as startExperiment takes it: its name (1–64 letters, digits, `.`, `_`, `-`),
 * the entity key fields, the arms, segment rules and shadows. Checked field by field; the
 * first bad one throws `invalid_argument` at `['experiment', …]`.
 */
export interface ExperimentConfig {
  readonly name: string;
  /** Event field(s) whose values, joined, are the entity key hashed to pick the arm. */
  readonly key: string | readonly string[];
  readonly arms: readonly ExperimentArm[];
  readonly rules?: readonly SegmentRule[];
  readonly shadows?: readonly ShadowSpec[];
  /** Salt of the split (default: the name): a new salt deals entities out afresh. */
  readonly salt?: string;
  /** Arm of an event without the key fields (default: the first arm). */
  readonly fallbackArm?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function bad(message: string, path: Array<string | number>): RiskscoreError {
  return new RiskscoreError('invalid_argument', `experiment: ${message}`, { path: ['experiment', ...path] });
}

/** The config, checked field by field (a typed error names the first bad one); returns a frozen copy. */
export function checkExperiment(config: unknown): ExperimentConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw bad('expected an object { name, key, arms, rules?, shadows? }', []);
  const c = config as Record<string, unknown>;
  if (typeof c.name !== 'string' || !NAME.test(c.name)) throw bad(`name must be 1–64 letters, digits, '.', '_' or '-', got ${JSON.stringify(c.name)}`, ['name']);
  const keys = typeof c.key === 'string' ? [c.key] : c.key;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k.length === 0)) {
    throw bad('key must be an event field name or a non-empty array of them (the entity the split is by: a card, an applicant)', ['key']);
  }
  if (!Array.isArray(c.arms) || c.arms.length === 0) throw bad('arms must be a non-empty array of { name, target, weight }', ['arms']);
  const armNames = new Set<string>();
  let total = 0;
  const arms = c.arms.map((a: unknown, i: number): ExperimentArm => {
    if (a === null || typeof a !== 'object') throw bad('expected { name, target, weight }', ['arms', i]);
    const { name, target, weight } = a as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) throw bad(`arm name must be 1–64 letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`, ['arms', i, 'name']);
    if (armNames.has(name)) throw bad(`arm ${name} is named twice`, ['arms', i, 'name']);
    armNames.add(name);
    if (typeof target !== 'string' || target.length === 0) throw bad('target must name an alias or a name@version', ['arms', i, 'target']);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw bad(`weight must be a finite number ≥ 0, got ${String(weight)}`, ['arms', i, 'weight']);
    total += weight;
    return Object.freeze({ name, target, weight });
  });
  if (!(total > 0)) throw bad('the arms\' weights must not all be 0', ['arms']);
  const rules = c.rules === undefined ? [] : c.rules;
  if (!Array.isArray(rules)) throw bad('rules must be an array of { field, equals | in | min/max, arm }', ['rules']);
  const checkedRules = rules.map((r: unknown, i: number): SegmentRule => {
    if (r === null || typeof r !== 'object') throw bad('expected { field, equals | in | min/max, arm }', ['rules', i]);
    const o = r as Record<string, unknown>;
    if (typeof o.field !== 'string' || o.field.length === 0) throw bad('field must name an event field', ['rules', i, 'field']);
    if (typeof o.arm !== 'string' || !armNames.has(o.arm)) throw bad(`arm must be one of the arms (${[...armNames].join(', ')}), got ${JSON.stringify(o.arm)}`, ['rules', i, 'arm']);
    const tests = ['equals', 'in', 'min', 'max'].filter((k) => o[k] !== undefined);
    if (tests.length === 0) throw bad('a rule needs equals, in, or min/max', ['rules', i]);
    if (o.equals !== undefined && !['string', 'number', 'boolean'].includes(typeof o.equals)) throw bad('equals must be a string, number or boolean', ['rules', i, 'equals']);
    if (o.in !== undefined && (!Array.isArray(o.in) || o.in.some((v) => typeof v !== 'string' && typeof v !== 'number'))) throw bad('in must be an array of strings or numbers', ['rules', i, 'in']);
    for (const k of ['min', 'max'] as const) {
      if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isFinite(o[k]))) throw bad(`${k} must be a finite number`, ['rules', i, k]);
    }
    return Object.freeze({ field: o.field, arm: o.arm, equals: o.equals as SegmentRule['equals'], in: o.in === undefined ? undefined : Object.freeze([...(o.in as Array<string | number>)]), min: o.min as number | undefined, max: o.max as number | undefined });
  });
  const shadows = c.shadows === undefined ? [] : c.shadows;
  if (!Array.isArray(shadows)) throw bad('shadows must be an array of { target, percent }', ['shadows']);
  const checkedShadows = shadows.map((s: unknown, i: number): ShadowSpec => {
    if (s === null || typeof s !== 'object') throw bad('expected { target, percent }', ['shadows', i]);
    const { target, percent } = s as Record<string, unknown>;
    if (typeof target !== 'string' || target.length === 0) throw bad('target must name an alias or a name@version', ['shadows', i, 'target']);
    if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) throw bad(`percent must be a number in [0, 100], got ${String(percent)}`, ['shadows', i, 'percent']);
    return Object.freeze({ target, percent });
  });
  if (c.salt !== undefined && typeof c.salt !== 'string') throw bad('salt must be a string', ['salt']);
  if (c.fallbackArm !== undefined && (typeof c.fallbackArm !== 'string' || !armNames.has(c.fallbackArm))) throw bad(`fallbackArm must be one of the arms, got ${JSON.stringify(c.fallbackArm)}`, ['fallbackArm']);
  return Object.freeze({
    name: c.name, key: Object.freeze([...keys as string[]]), arms: Object.freeze(arms), rules: Object.freeze(checkedRules),
    shadows: Object.freeze(checkedShadows), salt: (c.salt as string | undefined) ?? c.name, fallbackArm: (c.fallbackArm as string | undefined) ?? arms[0].name,
  });
}

/** Whether `value` (an event's field) matches the rule. */
export function ruleMatches(rule: SegmentRule, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (rule.equals !== undefined && value !== rule.equals) return false;
  if (rule.in !== undefined && !rule.in.includes(value as string | number)) return false;
  if (rule.min !== undefined || rule.max !== undefined) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    if (rule.min !== undefined && value < rule.min) return false;
    if (rule.max !== undefined && value > rule.max) return false;
  }
  return true;
}

/** The entity key of an event: its key fields' values joined (undefined when one is missing or not a string or finite number). */
export function entityKeyOf(event: unknown, fields: readonly string[]): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  let key = '';
  for (let i = 0; i < fields.length; i++) {
    if (!Object.prototype.hasOwnProperty.call(event, fields[i])) return undefined;
    const v = (event as Record<string, unknown>)[fields[i]];
    if (typeof v === 'string') key += (i ? '\u0000' : '') + v;
    else if (typeof v === 'number' && Number.isFinite(v)) key += (i ? '\u0000' : '') + String(v);
    else return undefined;
  }
  return key;
}
