/**
 * The registry on the dashboard: every loaded version with its aliases and counters, and
 * the running (or last) experiment's verdict from late labels: each side's AUC with its
 * DeLong interval, the AUC difference, and the always-valid sequential test's reading,
 * exactly as `registry.verdict(name)` gives them (the admin API's verdict). Verdicts are
 * recomputed at most every `refreshMs` (default 5 s) and without bootstrap intervals, so
 * an open page costs one DeLong pass per refresh.
 */
import type { ModelRegistry, Verdict, VersionQuality } from '@riskscore/core';

/** One side of the experiment as the panel shows it. */
export interface RegistrySide {
  readonly arm: string;
  readonly versions: readonly string[];
  readonly labelled: number;
  readonly positives: number;
  readonly auc: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly declineRate: number | null;
}

/** The registry's part of the dashboard snapshot. */
export interface RegistrySummary {
  readonly aliases: Readonly<Record<string, string>>;
  readonly versions: ReadonlyArray<{ readonly ref: string; readonly aliases: readonly string[]; readonly decided: number; readonly declined: number; readonly errors: number; readonly p99Ms: number | null }>;
  /** Null before any experiment was started. */
  readonly experiment: {
    readonly name: string;
    readonly running: boolean;
    readonly verdict: Verdict['verdict'];
    readonly reason: string;
    readonly champion: RegistrySide;
    readonly challenger: RegistrySide;
    readonly aucDifference: { readonly estimate: number; readonly lower: number; readonly upper: number } | null;
  } | null;
}

const sideOf = (q: VersionQuality): RegistrySide => ({
  arm: q.arm, versions: q.versions, labelled: q.n, positives: q.positives,
  auc: q.auc?.auc ?? null, lower: q.auc?.lower ?? null, upper: q.auc?.upper ?? null,
  declineRate: q.declineRate?.rate ?? null,
});

/** Reads a registry for the dashboard (see the module comment). */
export class RegistryView {
  private lastExperiment: string | null = null;
  private cached: { at: number; labelled: number; value: RegistrySummary['experiment'] } | null = null;

  constructor(private readonly registry: ModelRegistry, private readonly clock: () => number, private readonly refreshMs = 5000) {}

  summary(): RegistrySummary {
    const r = this.registry;
    const running = r.experiment;
    if (running) this.lastExperiment = running.name;
    return {
      aliases: r.aliases(),
      versions: r.versions().map((v) => ({ ref: v.ref, aliases: v.aliases, decided: v.decided, declined: v.declined, errors: v.errors, p99Ms: Number.isFinite(v.p99Us) ? v.p99Us / 1000 : null })),
      experiment: this.experiment(running?.name === this.lastExperiment && running !== null),
    };
  }

  private experiment(running: boolean): RegistrySummary['experiment'] {
    const name = this.lastExperiment;
    if (name === null) return null;
    const now = this.clock();
    const labelled = this.registry.labelled(name)?.n ?? 0;
    const c = this.cached;
    if (c && c.value?.name === name && c.value.running === running && (c.labelled === labelled || now - c.at < this.refreshMs)) return c.value;
    let value: RegistrySummary['experiment'];
    try {
      const v = this.registry.verdict(name, { bootstrap: 0 });
      value = {
        name, running, verdict: v.verdict, reason: v.reason,
        champion: sideOf(v.champion), challenger: sideOf(v.challenger),
        aucDifference: v.aucDifference ? { estimate: v.aucDifference.estimate, lower: v.aucDifference.lower, upper: v.aucDifference.upper } : null,
      };
    } catch {
      value = null; // an experiment without a challenger to compare: nothing to show
    }
    this.cached = { at: now, labelled, value };
    return value;
  }
}
