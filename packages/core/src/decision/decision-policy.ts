/**
 * The decision policy: rules on raw input fields first (the first that matches
 * decides), then score bands on the calibrated probability.
 */
import type { Decision, DecisionPolicy, DecisionRule } from '../bundle/manifest';

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
 * Builds a decision function from the manifest's policy.
 *
 * @example
 * const decide = createDecisionPolicy({ approveBelow: 0.2, declineAtOrAbove: 0.6, rules: [] });
 * decide(0.7, {}).decision; // "decline"
 */
export function createDecisionPolicy(policy: DecisionPolicy): (score: number, event: Readonly<Record<string, unknown>>) => DecisionOutcome {
  const { approveBelow, declineAtOrAbove, rules } = policy;
  return (score, event) => {
    for (const r of rules) {
      if (matches(r, event[r.field])) return { decision: r.decision, ruleId: r.id, reason: r.reason };
    }
    const decision: Decision = score < approveBelow ? 'approve' : score >= declineAtOrAbove ? 'decline' : 'review';
    return { decision, ruleId: null, reason: null };
  };
}
