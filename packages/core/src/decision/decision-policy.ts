/**
 * The decision policy: rules on raw input fields first (the first that matches
 * decides), then score bands on the calibrated probability.
 */
import { DecisionPolicySchema, type Decision, type DecisionPolicy, type DecisionRule, type InputField } from '../bundle/manifest';
import { RiskscoreError } from '../errors';

/** Why a decision was taken. */
export interface DecisionOutcome {
  decision: Decision;
  /** The id of the rule that decided, or null when the score band did. */
  ruleId: string | null;
  /** The rule's reason code, when a rule decided. */
  reason: string | null;
}

function matches(rule: DecisionRule, value: unknown): boolean {
  const missing = value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value));
  if (rule.op === 'missing') return missing;
  if (missing) return false;
  const t = rule.value;
  switch (rule.op) {
    case 'gt': return typeof value === 'number' && typeof t === 'number' && value > t;
    case 'gte': return typeof value === 'number' && typeof t === 'number' && value >= t;
    case 'lt': return typeof value === 'number' && typeof t === 'number' && value < t;
    case 'lte': return typeof value === 'number' && typeof t === 'number' && value <= t;
    case 'eq': return value === t;
    case 'neq': return value !== t;
    case 'in': return Array.isArray(t) && (t as unknown[]).includes(value);
  }
}

/**
 * Builds a decision function from the manifest's policy; `fields` (the manifest's input
 * fields) gives each rule's field its missing-value sentinels.
 *
 * @example
 * const decide = createDecisionPolicy({ approveBelow: 0.2, declineAtOrAbove: 0.6, rules: [] });
 * decide(0.7, {}).decision; // "decline"
 */
export function createDecisionPolicy(policy: DecisionPolicy, fields: readonly InputField[] = []): (score: number, event: Readonly<Record<string, unknown>>) => DecisionOutcome {
  const parsed = DecisionPolicySchema.safeParse(policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RiskscoreError('invalid_argument', `createDecisionPolicy: policy${issue.path.map((p) => `.${String(p)}`).join('')} ${issue.message}; pass the manifest's decision block (approveBelow ≤ declineAtOrAbove in [0, 1], rules)`, {
      path: ['policy', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
    });
  }
  const { approveBelow, declineAtOrAbove, rules } = parsed.data;
  // Per rule, the missing-value sentinels of its field (a sentinel is no value: it must
  // not fire a gt/gte rule), and rules read own properties only (a polluted prototype
  // feeds no rule).
  const sentinels = rules.map((r) => new Set<unknown>(fields.find((f) => f.name === r.field)?.missing ?? []));
  const hasOwn = Object.prototype.hasOwnProperty;
  return (score, event) => {
    // One compare on the hot path: NaN and out-of-range scores fail it.
    if (!(score >= 0 && score <= 1)) {
      throw new RiskscoreError('invalid_argument', `decision policy: score must be a probability in [0, 1], got ${score}`, { path: ['score'] });
    }
    if (event === null || typeof event !== 'object') {
      throw new RiskscoreError('invalid_argument', 'decision policy: event must be the raw input object the rules read', { path: ['event'] });
    }
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      let v = hasOwn.call(event, r.field) ? event[r.field] : undefined;
      if (sentinels[i].size > 0 && sentinels[i].has(v)) v = undefined;
      if (matches(r, v)) return { decision: r.decision, ruleId: r.id, reason: r.reason };
    }
    const decision: Decision = score < approveBelow ? 'approve' : score >= declineAtOrAbove ? 'decline' : 'review';
    return { decision, ruleId: null, reason: null };
  };
}
