/**
 * Automatic promotion and rollback, on the registry's public API: each `check()` looks at
 * the versions deciding now and acts at most once, every change in the audit log under
 * the actor `auto` with its reason.
 *
 * - A guardrail breached (failure rate, decline rate, p99 scoring time, over at least
 *   `minDecisions` decisions since the guard last acted) by an experiment's challenger
 *   ends the experiment; by the alias's version (a promotion gone bad) rolls the alias
 *   back to the version it named before.
 * - With `promote`, a verdict of `better` for the challenger arm points the alias at the
 *   challenger's version and ends the experiment.
 *
 * Call `check()` on a timer or after each batch of labels (it is cheap until a verdict
 * is asked for, and each verdict with new labels is one look of the sequential test).
 */
import { RiskscoreError } from '../errors';
import type { VerdictOptions } from './experiment-verdict';
import type { AuditEntry, ModelRegistry, VersionInfo } from './model-registry';

/** Limits on the versions deciding now; a limit left out is not checked. Rates out of [0, 1] or a non-positive `maxP99Us` throw `invalid_argument`. */
export interface GuardrailLimits {
  /** Largest share of decisions refused for the model's or the server's fault (backend, non-finite output, internal, state). */
  readonly maxFailureRate?: number;
  /** Largest share of decisions that decline. */
  readonly maxDeclineRate?: number;
  /** Largest p99 scoring time over the last 1,024 decisions, in µs. */
  readonly maxP99Us?: number;
  /** Decisions since the guard last acted before a guardrail is judged (default 200). */
  readonly minDecisions?: number;
}

/** Options of createExperimentGuard: the alias it guards, whether it promotes, and its guardrails. */
export interface ExperimentGuardOptions {
  /** The alias promoted and rolled back (default `champion`). */
  readonly alias?: string;
  /** Promote the challenger arm when the verdict says better (its options, or true for the defaults). */
  readonly promote?: boolean | VerdictOptions;
  readonly guardrails?: GuardrailLimits;
}

/** What one `check()` did (`none`, or the one change it made), why, and the audit entry of the change. */
export interface GuardCheck {
  readonly action: 'none' | 'ended_experiment' | 'rolled_back' | 'promoted';
  readonly reason?: string;
  readonly change?: AuditEntry;
}

/** Watches a registry's experiment and alias; created by createExperimentGuard. */
export interface ExperimentGuard {
  /** Checks the guardrails, then (with `promote`) the verdict, and makes at most one change: end the experiment, roll the alias back, or promote the challenger. */
  check(): GuardCheck;
}

/**
 * @example
 * const guard = createExperimentGuard(registry, { promote: true, guardrails: { maxFailureRate: 0.001, maxDeclineRate: 0.2 } });
 * setInterval(() => guard.check(), 60_000);
 */
export function createExperimentGuard(registry: ModelRegistry, options: ExperimentGuardOptions = {}): ExperimentGuard {
  if (registry === null || typeof registry !== 'object' || typeof registry.verdict !== 'function') {
    throw new RiskscoreError('invalid_argument', 'createExperimentGuard: expected a ModelRegistry (createModelRegistry)', { path: ['registry'] });
  }
  if (options === null || typeof options !== 'object') throw new RiskscoreError('invalid_argument', 'createExperimentGuard: options must be an object', { path: ['options'] });
  const alias = options.alias ?? 'champion';
  const g = options.guardrails ?? {};
  for (const k of ['maxFailureRate', 'maxDeclineRate'] as const) {
    const v = g[k];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) throw new RiskscoreError('invalid_argument', `createExperimentGuard: guardrails.${k} must be a rate in [0, 1], got ${String(v)}`, { path: ['options', 'guardrails', k] });
  }
  if (g.maxP99Us !== undefined && (typeof g.maxP99Us !== 'number' || !(g.maxP99Us > 0))) throw new RiskscoreError('invalid_argument', `createExperimentGuard: guardrails.maxP99Us must be a positive number, got ${String(g.maxP99Us)}`, { path: ['options', 'guardrails', 'maxP99Us'] });
  const minDecisions = g.minDecisions ?? 200;
  if (!Number.isInteger(minDecisions) || minDecisions < 1) throw new RiskscoreError('invalid_argument', `createExperimentGuard: guardrails.minDecisions must be a positive integer, got ${String(minDecisions)}`, { path: ['options', 'guardrails', 'minDecisions'] });
  const verdictOptions = options.promote === true ? {} : options.promote || undefined;

  /** Counters of each version when the guard last acted (or first saw it). */
  let base = new Map<string, VersionInfo>();
  const rebase = (): void => { base = new Map(registry.versions().map((v) => [v.ref, v])); };
  rebase();

  function breach(v: VersionInfo): string | undefined {
    const b = base.get(v.ref);
    const decided = v.decided - (b?.decided ?? 0);
    const failed = v.failed - (b?.failed ?? 0);
    const declined = v.declined - (b?.declined ?? 0);
    if (decided + failed < minDecisions) return undefined;
    const failureRate = failed / (decided + failed);
    if (g.maxFailureRate !== undefined && failureRate > g.maxFailureRate) return `${v.ref}: failure rate ${(failureRate * 100).toFixed(2)} % over ${decided + failed} decisions is above ${(g.maxFailureRate * 100).toFixed(2)} %`;
    if (g.maxDeclineRate !== undefined && decided > 0 && declined / decided > g.maxDeclineRate) return `${v.ref}: decline rate ${((declined / decided) * 100).toFixed(2)} % over ${decided} decisions is above ${(g.maxDeclineRate * 100).toFixed(2)} %`;
    if (g.maxP99Us !== undefined && v.p99Us > g.maxP99Us) return `${v.ref}: p99 scoring time ${v.p99Us.toFixed(0)} µs is above ${g.maxP99Us} µs`;
    return undefined;
  }

  return {
    check() {
      const byRef = new Map(registry.versions().map((v) => [v.ref, v]));
      const exp = registry.experiment;
      const championRef = registry.resolve(alias);
      // The challenger: the experiment's arms other than the one on the alias.
      const challengers = exp === null ? [] : exp.arms
        .map((a) => ({ arm: a.name, ref: registry.resolve(a.target) }))
        .filter((a): a is { arm: string; ref: string } => a.ref !== undefined && a.ref !== championRef);
      for (const c of challengers) {
        const why = breach(byRef.get(c.ref)!);
        if (why !== undefined) {
          const change = registry.endExperiment({ actor: 'auto', reason: `guardrail: ${why}` });
          rebase();
          return { action: 'ended_experiment', reason: why, change };
        }
      }
      if (championRef !== undefined) {
        const why = breach(byRef.get(championRef)!);
        if (why !== undefined) {
          let change: AuditEntry;
          try {
            change = registry.rollback(alias, { actor: 'auto', reason: `guardrail: ${why}` });
          } catch {
            return { action: 'none', reason: `${why}; ${alias} has no earlier version to roll back to` };
          }
          rebase();
          return { action: 'rolled_back', reason: why, change };
        }
      }
      if (verdictOptions !== undefined && exp !== null && challengers.length > 0) {
        const champArm = exp.arms.find((a) => registry.resolve(a.target) === championRef)?.name;
        if (champArm !== undefined) {
          const c = challengers[0];
          const v = registry.verdict(exp.name, { ...verdictOptions, champion: champArm, challenger: c.arm });
          if (v.verdict === 'better') {
            const change = registry.setAlias(alias, c.ref, { actor: 'auto', reason: `verdict of ${exp.name}: ${v.reason}` });
            registry.endExperiment({ actor: 'auto', reason: `${c.ref} promoted` });
            rebase();
            return { action: 'promoted', reason: v.reason, change };
          }
        }
      }
      return { action: 'none' };
    },
  };
}
