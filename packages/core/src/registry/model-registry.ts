/**
 * The model registry: loaded bundles by `name@version`, aliases that point at versions
 * (`champion`, `challenger`, any name), an experiment that routes each event to one
 * deciding version and lets others shadow it, and the outcomes that decide between them.
 *
 * - Loading is all or nothing: the bundle (already verified by loadBundle: hashes,
 *   checks, signature) gets a scorer and is warmed with a few scores before any alias or
 *   experiment may name it.
 * - Versions with the same feature spec share one entity state (one store, one arrival
 *   order per entity, one idempotency window): an event is counted once whichever of them
 *   decides it. A version with its own spec keeps its own state and is fed every event
 *   on the side, so a challenger or shadow is never judged on cold windows.
 * - Swaps are atomic: the route table is one immutable object replaced whole; a request
 *   reads it once, so it finishes on the version it started with, and none is scored by a
 *   mix of two.
 * - Shadows and feeds run after the decision (their place in their entities' lines is
 *   taken at once, their work after a macrotask), so they never add to the response's
 *   latency; shadows beyond `maxPendingSideWork` are dropped and counted, feeds never.
 */
import type { LoadedBundle } from '../bundle/load-bundle';
import { createScorer, featureSpecKey, type Scorer, type ScorerOptions, type ScoreOptions, type ScoreOutcome, type ScoreResult } from '../scorer/create-scorer';
import { RiskscoreError, riskscoreErrorFrom, type RiskscoreErrorLike } from '../errors';
import { checkExperiment, entityKeyOf, ruleMatches, type ExperimentConfig } from './experiment';
import { experimentVerdict, VerdictLooks, type Verdict, type VerdictOptions } from './experiment-verdict';
import { OutcomeLedger, type LabelledSample } from './outcome-ledger';
import { splitPoint } from './split-hash';
import { eventIdOf } from '../util/event-id';
import { after } from '../util/macrotask';
import { sha256Hex } from '../util/sha256';
import { utf8Encode } from '../util/utf8';

/** A score routed by the registry: the deciding version and arm are named. */
export interface RoutedScoreResult extends ScoreResult {
  /** The version that decided (`name@version`, as `model`). */
  version: string;
  /** The experiment arm that decided (`champion` without an experiment). */
  arm: string;
  /** The experiment, or null when the default alias decided. */
  experiment: string | null;
}
/** What the registry's `safeScore` and each event of its `scoreBatch` give: a routed result or the typed reason there is none. */
export type RoutedScoreOutcome = { ok: true; result: RoutedScoreResult } | { ok: false; error: RiskscoreErrorLike };

/** A loaded version as the registry reports it: identity, signer, state group, aliases, and its counters since it was loaded. */
export interface VersionInfo {
  readonly ref: string;
  readonly name: string;
  readonly version: string;
  readonly manifestSha256: string;
  readonly signedBy: string | null;
  /** Versions with equal keys share entity state (null: stateless). */
  readonly stateGroup: string | null;
  readonly loadedAt: number;
  readonly aliases: string[];
  /** Events it decided (a duplicate answered again counts too), and of those declined. */
  readonly decided: number;
  readonly declined: number;
  readonly shadowScored: number;
  readonly fed: number;
  /** Events it refused as decider or on the side (any code). */
  readonly errors: number;
  /** Of its refusals as decider, those that are the model's or the server's fault (backend, non-finite output, internal, state). */
  readonly failed: number;
  /** p99 of its last 1,024 decisions' scoring time, µs (NaN before any). */
  readonly p99Us: number;
}

/** One change to the registry (load, unload, alias, rollback, experiment start or end, automatic rollback or promotion): when (ms since the epoch), who, why, and what moved. */
export interface AuditEntry {
  readonly at: number;
  readonly action: 'load' | 'unload' | 'alias' | 'rollback' | 'experiment' | 'end_experiment' | 'auto_rollback' | 'auto_promote';
  readonly actor: string;
  readonly reason?: string;
  readonly alias?: string;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly experiment?: string;
}

/** Who made a change and why, recorded in the audit log (actor default `api`). */
export interface ChangeOptions {
  /** Who made the change (the admin key's name, `auto`), for the audit log. */
  readonly actor?: string;
  readonly reason?: string;
}

/** Options of createModelRegistry; a value out of range throws `invalid_argument`. */
export interface ModelRegistryOptions {
  /** Scorer options per version (a backend for neural members, an observer); state options come from the registry. */
  readonly scorerOptions?: (bundle: LoadedBundle) => ScorerOptions | Promise<ScorerOptions>;
  /** Rows scored to warm a version before it may be named (default 8; the bundle's background rows, else zeros). */
  readonly warmRows?: number;
  /** The alias that decides when no experiment runs (default `champion`). */
  readonly defaultAlias?: string;
  /** Shadow scores waiting to run before more are dropped (default 10,000). */
  readonly maxPendingSideWork?: number;
  /** Scored event ids remembered for their labels (default 200,000). */
  readonly maxOutcomeEvents?: number;
  /** The event-id field outcomes are recorded by (default: the first version's spec `event.idField`). */
  readonly idField?: string;
  /** Milliseconds since the epoch, for the audit log (default Date.now). */
  readonly now?: () => number;
}

/** Counters of the registry as a whole: versions loaded, side work pending and dropped, entity state per state group, and late-label bookkeeping. */
export interface RegistryStats {
  readonly versions: number;
  readonly pendingSideWork: number;
  readonly shadowsDropped: number;
  readonly sideErrors: number;
  /** Per state group: its versions, entities per kind and bytes. */
  readonly stateGroups: Array<{ key: string; versions: string[]; entities: number[]; bytes: number }>;
  readonly outcomes: { awaiting: number; expired: number; relabelled: number };
}

/**
 * Loaded versions, aliases and the running experiment, and the routed scoring over them
 * (see the module comment). Created by createModelRegistry.
 */
export interface ModelRegistry {
  /**
   * Loads a bundle as version `name@version`: builds its scorer (sharing entity state
   * with versions of the same feature spec) and warms it. Loading the same bundle again
   * returns its info; a different bundle under a loaded version, or one being loaded,
   * throws `registry_conflict`.
   */
  load(bundle: LoadedBundle, options?: ChangeOptions): Promise<VersionInfo>;
  /**
   * Removes a version, then closes its scorer once its requests in flight and side work
   * have finished. Throws `model_not_found` for a version not loaded, `registry_conflict`
   * for one an alias or the experiment names.
   */
  unload(ref: string, options?: ChangeOptions): Promise<void>;
  /** The loaded versions with their counters. */
  versions(): VersionInfo[];
  /** The version an alias points at (undefined: unset). */
  resolve(aliasOrRef: string): string | undefined;
  /** Every alias and the version (`name@version`) it points at. */
  aliases(): Record<string, string>;
  /** Points `alias` at `ref` (promotion): atomic for requests in flight and new. */
  setAlias(alias: string, ref: string, options?: ChangeOptions): AuditEntry;
  /** Points `alias` back at the version it named before the last change. */
  rollback(alias: string, options?: ChangeOptions): AuditEntry;
  /** Starts routing by `config` (replaces any running experiment). */
  startExperiment(config: ExperimentConfig, options?: ChangeOptions): AuditEntry;
  /** Stops routing by the experiment: the default alias decides again. Its labelled sample stays for the verdict. */
  endExperiment(options?: ChangeOptions): AuditEntry | undefined;
  readonly experiment: ExperimentConfig | null;
  /**
   * Scores an event with the version the experiment routes it to (or the default alias's),
   * then runs its shadows and feeds after the decision. Throws the scorer's
   * `RiskscoreError`, or `model_not_found` when no version decides.
   */
  score(event: unknown, options?: ScoreOptions): Promise<RoutedScoreResult>;
  /** As `score`, returning `{ ok: false, error }` instead of throwing. */
  safeScore(event: unknown, options?: ScoreOptions): Promise<RoutedScoreOutcome>;
  /**
   * Scores many events in order, one outcome per event; runs of consecutive events with
   * the same deciding version go to its scorer's `scoreBatch`; `features` keeps each
   * result's feature row (as `Scorer.scoreBatch`). Throws `invalid_argument` when
   * `events` is not an array.
   */
  scoreBatch(events: readonly unknown[], options?: { features?: boolean }): Promise<RoutedScoreOutcome[]>;
  /** Attributes a late label to every version that scored event `id`; returns how many. */
  recordOutcome(id: string | number, label: 0 | 1): number;
  /**
   * Feeds an event's outcome to the label-delayed features of every state group (each
   * group's windows hold the event once); returns the windows of the default alias's group.
   */
  feedOutcome(event: Readonly<Record<string, unknown>>, label: 0 | 1): number;
  /** The version the default alias names now (undefined: unset). */
  readonly current: VersionInfo | undefined;
  /**
   * The verdict on an experiment (running or ended) from its labelled events: challenger
   * better, worse, or not yet known, with the numbers (experiment-verdict.ts). Each call
   * with new labels is one look of the always-valid sequential test.
   */
  verdict(experiment: string, options?: VerdictOptions): Verdict;
  /** The labelled events of an experiment (the default route's are under `''`). */
  labelled(experiment: string): LabelledSample | undefined;
  /** The scorer of a version (for its own API: features, explanations, snapshots of its state). */
  scorer(ref: string): Scorer;
  /** Every change so far, oldest first (frozen entries). */
  audit(): readonly AuditEntry[];
  /** The registry's counters now. */
  stats(): RegistryStats;
  /** Resolves when every shadow and feed scheduled so far has run. */
  settle(): Promise<void>;
  /** Refuses further loads, waits for pending side work, and closes every version's scorer. */
  close(): Promise<void>;
}

interface StateGroup {
  readonly key: string;
  /** A short name: the first 16 hex digits of the spec's sha256. */
  readonly id: string;
  readonly versions: Set<VersionRecord>;
  readonly entityKinds: number;
}

interface VersionRecord {
  readonly ref: string;
  readonly bundle: LoadedBundle;
  readonly scorer: Scorer;
  readonly group: StateGroup | undefined;
  readonly loadedAt: number;
  inFlight: number;
  decided: number;
  shadowScored: number;
  fed: number;
  errors: number;
  /** Shadows and feeds of this version not yet run. */
  sidePending: number;
  declined: number;
  failed: number;
  /** The last LATENCY_RING decisions' totalUs, a ring. */
  readonly latencyUs: Float64Array;
  latencyAt: number;
}

/** Everything a request reads, replaced whole on every change. */
interface RouteTable {
  readonly experiment: ExperimentConfig | null;
  readonly name: string;
  readonly keyFields: readonly string[];
  readonly salt: string;
  readonly arms: ReadonlyArray<{ name: string; version: VersionRecord; upTo: number }>;
  readonly armByName: ReadonlyMap<string, { name: string; version: VersionRecord }>;
  readonly fallback: { name: string; version: VersionRecord };
  readonly shadows: ReadonlyArray<{ version: VersionRecord; share: number; salt: string }>;
  /** State groups named by the table (their versions must see every event). */
  readonly groups: ReadonlyArray<{ group: StateGroup; feeder: VersionRecord }>;
}

/** Codes that are the model's or the server's fault, not the event's (a guardrail's error rate). */
const FAILURES = new Set(['backend_error', 'non_finite_output', 'internal_error', 'state_limit', 'state_conflict']);
/** Latencies kept per version for its p99 (a power of two). */
const LATENCY_RING = 1024;

const ALIAS = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const DEFAULT_ROUTE = '';

function argError(message: string, path: Array<string | number>): RiskscoreError {
  return new RiskscoreError('invalid_argument', message, { path });
}

/**
 * Creates an empty registry.
 *
 * @example
 * const registry = createModelRegistry({ scorerOptions: () => ({ backend: createNodeBackend() }) });
 * await registry.load(await loadBundleFromDir('models/fdh-fraud/1.0.0'));
 * registry.setAlias('champion', 'fdh-fraud@1.0.0');
 * const { score, decision, version, arm } = await registry.score(event);
 */
export function createModelRegistry(options: ModelRegistryOptions = {}): ModelRegistry {
  if (options === null || typeof options !== 'object') throw argError('createModelRegistry: options must be an object', ['options']);
  const warmRows = options.warmRows ?? 8;
  if (!Number.isInteger(warmRows) || warmRows < 0 || warmRows > 10_000) throw argError(`createModelRegistry: warmRows must be an integer in [0, 10000], got ${String(warmRows)}`, ['options', 'warmRows']);
  const maxPending = options.maxPendingSideWork ?? 10_000;
  if (!Number.isInteger(maxPending) || maxPending < 0) throw argError(`createModelRegistry: maxPendingSideWork must be an integer ≥ 0, got ${String(maxPending)}`, ['options', 'maxPendingSideWork']);
  const maxOutcomes = options.maxOutcomeEvents ?? 200_000;
  if (!Number.isInteger(maxOutcomes) || maxOutcomes < 1) throw argError(`createModelRegistry: maxOutcomeEvents must be a positive integer, got ${String(maxOutcomes)}`, ['options', 'maxOutcomeEvents']);
  const defaultAlias = options.defaultAlias ?? 'champion';
  if (typeof defaultAlias !== 'string' || !ALIAS.test(defaultAlias)) throw argError(`createModelRegistry: defaultAlias must be an alias name, got ${JSON.stringify(defaultAlias)}`, ['options', 'defaultAlias']);
  const now = options.now ?? Date.now;

  const versions = new Map<string, VersionRecord>();
  const loading = new Set<string>();
  const groups = new Map<string, StateGroup>();
  const aliasMap = new Map<string, string>();
  /** Per alias, the versions it named before, newest last (what rollback goes back to). */
  const aliasHistory = new Map<string, string[]>();
  const log: AuditEntry[] = [];
  let experiment: ExperimentConfig | null = null;
  /** Every experiment started, by name (the latest config of a name), for verdicts after they end. */
  const experimentsByName = new Map<string, ExperimentConfig>();
  const looks = new VerdictLooks();
  let table: RouteTable | null = null;
  let idField = options.idField;
  const ledger = new OutcomeLedger(maxOutcomes);
  let pendingSide = 0;
  let shadowsDropped = 0;
  let sideErrors = 0;
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  const record = (e: AuditEntry): AuditEntry => { log.push(Object.freeze(e)); return log[log.length - 1]; };
  const actorOf = (o?: ChangeOptions): string => (typeof o?.actor === 'string' && o.actor.length > 0 ? o.actor : 'api');
  const reasonOf = (o?: ChangeOptions): { reason?: string } => (typeof o?.reason === 'string' ? { reason: o.reason } : {});

  function versionOf(target: string, path: Array<string | number>): VersionRecord {
    if (typeof target !== 'string') throw argError(`expected an alias or name@version, got ${typeof target}`, path);
    const ref = aliasMap.get(target) ?? target;
    const v = versions.get(ref);
    if (v === undefined) {
      throw new RiskscoreError('model_not_found', aliasMap.has(target) || target.includes('@')
        ? `no version ${ref} is loaded; load it first (loaded: ${[...versions.keys()].join(', ') || 'none'})`
        : `${target} is neither an alias (${[...aliasMap.keys()].join(', ') || 'none set'}) nor a loaded name@version`, { path, details: { target } });
    }
    return v;
  }

  /** The route table for the current aliases and experiment (throws when a target does not resolve). */
  function buildTable(exp: ExperimentConfig | null): RouteTable | null {
    if (exp === null) {
      const ref = aliasMap.get(defaultAlias);
      if (ref === undefined) return null;
      const v = versions.get(ref)!;
      const arm = { name: defaultAlias, version: v };
      return {
        experiment: null, name: DEFAULT_ROUTE, keyFields: [], salt: '', arms: [{ ...arm, upTo: 1 }], armByName: new Map([[defaultAlias, arm]]), fallback: arm,
        shadows: [], groups: v.group ? [{ group: v.group, feeder: v }] : [],
      };
    }
    const total = exp.arms.reduce((s, a) => s + a.weight, 0);
    let acc = 0;
    const arms = exp.arms.map((a, i) => {
      acc += a.weight;
      return { name: a.name, version: versionOf(a.target, ['experiment', 'arms', i, 'target']), upTo: i === exp.arms.length - 1 ? 1 : acc / total };
    });
    const armByName = new Map(arms.map((a) => [a.name, { name: a.name, version: a.version }]));
    const shadows = (exp.shadows ?? []).map((s, i) => ({ version: versionOf(s.target, ['experiment', 'shadows', i, 'target']), share: s.percent / 100, salt: `${exp.salt}\u0000shadow\u0000${i}` }));
    const byGroup = new Map<StateGroup, VersionRecord>();
    for (const v of [...arms.map((a) => a.version), ...shadows.map((s) => s.version)]) if (v.group && !byGroup.has(v.group)) byGroup.set(v.group, v);
    return {
      experiment: exp, name: exp.name, keyFields: exp.key as readonly string[], salt: exp.salt!, arms, armByName,
      fallback: armByName.get(exp.fallbackArm!)!, shadows, groups: [...byGroup].map(([group, feeder]) => ({ group, feeder })),
    };
  }

  function pickArm(t: RouteTable, event: unknown): { name: string; version: VersionRecord } {
    if (t.experiment === null) return t.fallback;
    if (event !== null && typeof event === 'object') {
      for (const rule of t.experiment.rules ?? []) {
        const value = Object.prototype.hasOwnProperty.call(event, rule.field) ? (event as Record<string, unknown>)[rule.field] : undefined;
        if (ruleMatches(rule, value)) return t.armByName.get(rule.arm)!;
      }
    }
    const key = entityKeyOf(event, t.keyFields);
    if (key === undefined) return t.fallback;
    const u = splitPoint(t.salt, key);
    for (const a of t.arms) if (u < a.upTo) return a;
    return t.arms[t.arms.length - 1];
  }

  // ---- side work (shadows, feeds): after the response ----------------------------------
  let tick: Promise<void> | undefined;
  /** One promise per macrotask for all side work scheduled in it. */
  const nextTask = (): Promise<void> => (tick ??= after(0).then(() => { tick = undefined; }));
  const sideDone = (): void => {
    if (--pendingSide === 0 && idleWaiters.length > 0) { const w = idleWaiters; idleWaiters = []; for (const f of w) f(); }
  };
  const idOfEvent = (event: unknown): string | number | undefined => eventIdOf(event, idField);

  /**
   * Everything one event costs besides its decision: each other state group named by the
   * table is fed the event (by a shadow of that group when one shadows it, else by any of
   * its versions), and each shadow of the decider's group scores the decider's feature row.
   * The feeds take their place in their entities' lines now, in arrival order.
   */
  function sideWork(t: RouteTable, event: unknown, decider: VersionRecord, decision: Promise<ScoreOutcome>, key: string | undefined): { rowShadows: VersionRecord[] } {
    const rowShadows: VersionRecord[] = [];
    const shadowing: VersionRecord[] = [];
    if (key !== undefined) for (const s of t.shadows) if (s.version !== decider && splitPoint(s.salt, key) < s.share) shadowing.push(s.version);
    const start = decision.then(nextTask);
    const id = idOfEvent(event);
    /** `v` scores the event in its group's state; `alsoRow`: other shadows of that group, on its row. */
    const run = (v: VersionRecord, role: 'shadow' | 'feed', alsoRow: readonly VersionRecord[] = []): void => {
      pendingSide++;
      v.sidePending++;
      v.scorer.safeScore(event, alsoRow.length > 0 ? { start, features: true } : { start }).then((o) => {
        if (role === 'feed') v.fed++;
        if (o.ok) {
          if (role === 'shadow' && !o.result.duplicate) { v.shadowScored++; if (id !== undefined) ledger.shadowed(id, { version: v.ref, score: o.result.score, decision: o.result.decision }); }
          if (alsoRow.length > 0 && o.result.features !== undefined) shadowRows(alsoRow, o.result.features, event, id);
        } else v.errors++;
      }, () => { sideErrors++; }).finally(() => { v.sidePending--; sideDone(); });
    };
    for (const { group, feeder } of t.groups) {
      if (group === decider.group) continue;
      const mine = shadowing.filter((s) => s.group === group);
      if (mine.length > 0) run(mine[0], 'shadow', mine.slice(1));
      else run(feeder, 'feed');
    }
    for (const s of shadowing) {
      if (s.group !== undefined && s.group === decider.group) rowShadows.push(s);
      else if (s.group === undefined) {
        // A stateless shadow scores the event itself (nothing to feed); dropped past the bound.
        if (pendingSide >= maxPending) { shadowsDropped++; continue; }
        run(s, 'shadow');
      }
    }
    return { rowShadows };
  }

  /** Same-spec shadows score the decider's row, after the response. */
  function shadowRows(rowShadows: readonly VersionRecord[], row: Float32Array, event: unknown, id: string | number | undefined): void {
    for (const s of rowShadows) {
      if (pendingSide >= maxPending) { shadowsDropped++; continue; }
      pendingSide++;
      s.sidePending++;
      nextTask().then(() => s.scorer.scoreFeatures(row, event)).then((r) => {
        s.shadowScored++;
        if (id !== undefined) ledger.shadowed(id, { version: s.ref, score: r.score, decision: r.decision });
      }, () => { s.errors++; }).finally(() => { s.sidePending--; sideDone(); });
    }
  }

  /** Whether a shadow of the decider's state group may score its row. */
  const needsRow = (t: RouteTable, v: VersionRecord): boolean => v.group !== undefined && t.shadows.some((s) => s.version !== v && s.version.group === v.group);

  /** A decision's counters: decided, declined, refused, failed (the model's fault), its latency. */
  function note(v: VersionRecord, o: ScoreOutcome): void {
    if (o.ok) {
      v.decided++;
      if (o.result.decision === 'decline') v.declined++;
      v.latencyUs[v.latencyAt++ & (LATENCY_RING - 1)] = o.result.timings.totalUs;
    } else {
      v.errors++;
      if (FAILURES.has(o.error.code)) v.failed++;
    }
  }

  /** The outcome as the registry answers it: the deciding version and arm named; the feature row kept only when the caller asked for it. */
  function routed(o: ScoreOutcome, t: RouteTable, arm: { name: string; version: VersionRecord }, keepRow: boolean): RoutedScoreOutcome {
    if (!o.ok) return o;
    const r = o.result as RoutedScoreResult;
    if (!keepRow && 'features' in r) delete r.features;
    // A duplicate is the stored result of the version that decided it first.
    r.version = r.duplicate ? r.model : arm.version.ref;
    r.arm = arm.name;
    r.experiment = t.experiment === null ? null : t.name;
    return { ok: true, result: r };
  }

  async function safeScore(event: unknown, scoreOptions?: ScoreOptions): Promise<RoutedScoreOutcome> {
    const t = table;
    if (t === null) return { ok: false, error: noRoute() };
    const arm = pickArm(t, event);
    const v = arm.version;
    const key = t.experiment === null ? undefined : entityKeyOf(event, t.keyFields);
    const commits = scoreOptions?.commit !== false;
    const asked = scoreOptions?.features === true;
    const features = asked || (commits && needsRow(t, v));
    v.inFlight++;
    let decision: Promise<ScoreOutcome>;
    try {
      // The decider's place in its lines first, then the side work's in theirs: arrival order everywhere.
      decision = v.scorer.safeScore(event, scoreOptions === undefined ? (features ? { features } : undefined) : { ...scoreOptions, features, start: undefined });
    } catch (e) {
      v.inFlight--;
      return { ok: false, error: riskscoreErrorFrom(e, []) };
    }
    const side = commits ? sideWork(t, event, v, decision, key) : { rowShadows: [] };
    let o: ScoreOutcome;
    try {
      o = await decision;
    } finally {
      v.inFlight--;
    }
    note(v, o);
    if (o.ok) {
      const id = idOfEvent(event);
      if (commits && !o.result.duplicate) {
        if (id !== undefined) ledger.decided(id, t.name, arm.name, { version: v.ref, score: o.result.score, decision: o.result.decision });
        if (side.rowShadows.length > 0 && o.result.features !== undefined) shadowRows(side.rowShadows, o.result.features, event, id);
      }
    }
    return routed(o, t, arm, asked);
  }

  function noRoute(): RiskscoreError {
    return new RiskscoreError('model_not_found', `no version decides: set the ${defaultAlias} alias (setAlias('${defaultAlias}', 'name@version')) or start an experiment`, { path: ['aliases', defaultAlias] });
  }

  async function scoreBatch(events: readonly unknown[], batchOptions?: { features?: boolean }): Promise<RoutedScoreOutcome[]> {
    if (!Array.isArray(events)) throw argError(`scoreBatch: expected an array of events, got ${events === null ? 'null' : typeof events}`, ['events']);
    const t = table;
    if (t === null) { const e = noRoute(); return events.map(() => ({ ok: false, error: e })); }
    // Runs of consecutive events with one decider go to its scoreBatch, issued in order
    // with no await between them (each takes its events' places at once), so events keep
    // their arrival order across arms that share a state group.
    const arms = events.map((e) => pickArm(t, e));
    const asked = batchOptions?.features === true;
    const parts: Array<Promise<ScoreOutcome[]>> = [];
    const starts: number[] = [];
    for (let i = 0; i < events.length;) {
      let j = i + 1;
      while (j < events.length && arms[j].version === arms[i].version) j++;
      const v = arms[i].version;
      v.inFlight++;
      const part = v.scorer.scoreBatch(events.slice(i, j), asked || needsRow(t, v) ? { features: true } : undefined).finally(() => { v.inFlight--; });
      parts.push(part);
      starts.push(i);
      for (let k = i; k < j; k++) {
        const key = t.experiment === null ? undefined : entityKeyOf(events[k], t.keyFields);
        const kk = k - i;
        const one = part.then((os) => os[kk]);
        const side = sideWork(t, events[k], v, one, key);
        if (side.rowShadows.length > 0) {
          one.then((o) => { if (o.ok && !o.result.duplicate && o.result.features) shadowRows(side.rowShadows, o.result.features, events[k], idOfEvent(events[k])); }, () => {});
        }
      }
      i = j;
    }
    const results = await Promise.all(parts);
    const out: RoutedScoreOutcome[] = new Array(events.length);
    results.forEach((os, p) => os.forEach((o, k) => {
      const i = starts[p] + k;
      const arm = arms[i];
      note(arm.version, o);
      if (o.ok) {
        const id = idOfEvent(events[i]);
        if (id !== undefined && !o.result.duplicate) ledger.decided(id, t.name, arm.name, { version: arm.version.ref, score: o.result.score, decision: o.result.decision });
      }
      out[i] = routed(o, t, arm, asked);
    }));
    return out;
  }

  function info(v: VersionRecord): VersionInfo {
    return {
      ref: v.ref, name: v.bundle.manifest.name, version: v.bundle.manifest.version, manifestSha256: v.bundle.manifestSha256,
      signedBy: v.bundle.signedBy, stateGroup: v.group ? groupName(v.group) : null, loadedAt: v.loadedAt,
      aliases: [...aliasMap].filter(([, r]) => r === v.ref).map(([a]) => a),
      decided: v.decided, declined: v.declined, shadowScored: v.shadowScored, fed: v.fed, errors: v.errors, failed: v.failed, p99Us: p99Of(v),
    };
  }
  const groupName = (g: StateGroup): string => g.id;
  const p99Of = (v: VersionRecord): number => {
    const n = Math.min(v.latencyAt, LATENCY_RING);
    if (n === 0) return NaN;
    const a = v.latencyUs.slice(0, n).sort();
    return a[Math.min(n - 1, Math.ceil(0.99 * n) - 1)];
  };

  /** Versions an alias, the experiment or the default route names (may not be unloaded). */
  function referenced(): Set<string> {
    const s = new Set(aliasMap.values());
    if (experiment) {
      for (const a of experiment.arms) { const r = aliasMap.get(a.target) ?? a.target; s.add(r); }
      for (const sh of experiment.shadows ?? []) s.add(aliasMap.get(sh.target) ?? sh.target);
    }
    return s;
  }

  function checkAlias(alias: unknown, path: Array<string | number>): asserts alias is string {
    if (typeof alias !== 'string' || !ALIAS.test(alias) || alias.includes('@')) throw argError(`an alias is 1–64 letters, digits, '.', '_' or '-', starting with a letter, got ${JSON.stringify(alias)}`, path);
  }

  /** Applies a change to the aliases or experiment: the new table is built first, so a change that breaks routing is refused whole. */
  function swap(apply: () => void, undo: () => void): void {
    apply();
    try {
      table = buildTable(experiment);
    } catch (e) {
      undo();
      throw e;
    }
  }

  return {
    async load(bundle, change) {
      if (closed) throw argError('load: the registry is closed', []);
      if (bundle === null || typeof bundle !== 'object' || typeof bundle.manifest !== 'object' || typeof bundle.id !== 'string' || typeof bundle.manifestSha256 !== 'string') {
        throw argError('load: expected a LoadedBundle (from loadBundle, loadBundleFromDir or loadBundleFromUrl)', ['bundle']);
      }
      const ref = bundle.id;
      const had = versions.get(ref);
      if (had !== undefined) {
        if (had.bundle.manifestSha256 === bundle.manifestSha256) return info(had);
        throw new RiskscoreError('registry_conflict', `${ref} is already loaded with manifest sha256 ${had.bundle.manifestSha256.slice(0, 12)}…, this bundle has ${bundle.manifestSha256.slice(0, 12)}…: a version names one bundle; give the new one a new version`, { path: ['bundle', 'version'], details: { ref } });
      }
      if (loading.has(ref)) throw new RiskscoreError('registry_conflict', `${ref} is being loaded by another call`, { path: ['bundle'] });
      loading.add(ref);
      let scorer: Scorer | undefined;
      try {
        const key = featureSpecKey(bundle.manifest);
        const group = key === undefined ? undefined : groups.get(key);
        const host = group === undefined ? undefined : [...group.versions][0];
        const given = (await options.scorerOptions?.(bundle)) ?? {};
        const own: ScorerOptions = host === undefined ? given : { ...given, store: undefined, clock: undefined, features: undefined, idempotency: undefined, shareStateWith: host.scorer };
        scorer = await createScorer(bundle, own);
        if (warmRows > 0) {
          const width = scorer.featureNames.length;
          const rows = new Float32Array(warmRows * width);
          // Real rows where the bundle has them (its attribution background), else zeros.
          const bg = bundle.background;
          const nBg = bg === null ? 0 : Math.floor(bg.length / width);
          for (let i = 0; nBg > 0 && i < warmRows; i++) rows.set(bg!.subarray((i % nBg) * width, (i % nBg + 1) * width), i * width);
          await scorer.predictFeatures(rows, warmRows);
        }
        const g = key === undefined ? undefined : group ?? { key, id: sha256Hex(utf8Encode(key)).slice(0, 16), versions: new Set<VersionRecord>(), entityKinds: ((bundle.manifest.features.spec as { entities?: unknown[] }).entities ?? []).length };
        const v: VersionRecord = { ref, bundle, scorer, group: g, loadedAt: now(), inFlight: 0, decided: 0, shadowScored: 0, fed: 0, errors: 0, sidePending: 0,
          declined: 0, failed: 0, latencyUs: new Float64Array(LATENCY_RING), latencyAt: 0 };
        if (g) { g.versions.add(v); groups.set(g.key, g); }
        versions.set(ref, v);
        if (idField === undefined) {
          const f = (bundle.manifest.features.spec as { event?: { idField?: unknown } } | undefined)?.event?.idField;
          if (typeof f === 'string') idField = f;
        }
        record({ at: now(), action: 'load', actor: actorOf(change), ...reasonOf(change), to: ref });
        return info(v);
      } catch (e) {
        await scorer?.close().catch(() => {});
        throw riskscoreErrorFrom(e, ['bundle']);
      } finally {
        loading.delete(ref);
      }
    },
    async unload(ref, change) {
      const v = versions.get(ref);
      if (v === undefined) throw new RiskscoreError('model_not_found', `no version ${String(ref)} is loaded`, { path: ['ref'] });
      if (referenced().has(ref)) {
        throw new RiskscoreError('registry_conflict', `${ref} is named by ${[...aliasMap].filter(([, r]) => r === ref).map(([a]) => `alias ${a}`).concat(experiment ? [`experiment ${experiment.name}`] : []).join(', ')}; point those elsewhere first`, { path: ['ref'] });
      }
      versions.delete(ref);
      v.group?.versions.delete(v);
      if (v.group && v.group.versions.size === 0) groups.delete(v.group.key);
      record({ at: now(), action: 'unload', actor: actorOf(change), ...reasonOf(change), from: ref });
      // Requests that started on it finish on it, and its side work runs, before it closes.
      while (v.inFlight > 0 || v.sidePending > 0) await after(1);
      await v.scorer.close();
    },
    versions: () => [...versions.values()].map(info),
    resolve: (target) => { const ref = aliasMap.get(target) ?? target; return versions.has(ref) ? ref : undefined; },
    aliases: () => Object.fromEntries(aliasMap),
    setAlias(alias, ref, change) {
      checkAlias(alias, ['alias']);
      const target = versionOf(ref, ['ref']);
      const from = aliasMap.get(alias) ?? null;
      if (from === target.ref) return record({ at: now(), action: 'alias', actor: actorOf(change), ...reasonOf(change), alias, from, to: target.ref });
      const hist = aliasHistory.get(alias) ?? [];
      swap(() => { aliasMap.set(alias, target.ref); if (from !== null) hist.push(from); aliasHistory.set(alias, hist); },
        () => { if (from === null) aliasMap.delete(alias); else { aliasMap.set(alias, from); hist.pop(); } });
      return record({ at: now(), action: change?.actor === 'auto' ? 'auto_promote' : 'alias', actor: actorOf(change), ...reasonOf(change), alias, from, to: target.ref });
    },
    rollback(alias, change) {
      checkAlias(alias, ['alias']);
      const hist = aliasHistory.get(alias) ?? [];
      // The newest earlier version still loaded.
      while (hist.length > 0 && !versions.has(hist[hist.length - 1])) hist.pop();
      if (hist.length === 0) throw new RiskscoreError('model_not_found', `alias ${alias} has no earlier version to roll back to`, { path: ['alias'] });
      const from = aliasMap.get(alias) ?? null;
      const to = hist[hist.length - 1];
      swap(() => { hist.pop(); aliasMap.set(alias, to); }, () => { hist.push(to); if (from === null) aliasMap.delete(alias); else aliasMap.set(alias, from); });
      return record({ at: now(), action: change?.actor === 'auto' ? 'auto_rollback' : 'rollback', actor: actorOf(change), ...reasonOf(change), alias, from, to });
    },
    startExperiment(config, change) {
      const exp = checkExperiment(config);
      const before = experiment;
      swap(() => { experiment = exp; }, () => { experiment = before; });
      experimentsByName.set(exp.name, exp);
      return record({ at: now(), action: 'experiment', actor: actorOf(change), ...reasonOf(change), experiment: exp.name });
    },
    endExperiment(change) {
      if (experiment === null) return undefined;
      const name = experiment.name;
      const before = experiment;
      swap(() => { experiment = null; }, () => { experiment = before; });
      return record({ at: now(), action: 'end_experiment', actor: actorOf(change), ...reasonOf(change), experiment: name });
    },
    get experiment() { return experiment; },
    async score(event, scoreOptions) {
      const o = await safeScore(event, scoreOptions);
      if (!o.ok) throw o.error;
      return o.result;
    },
    safeScore,
    scoreBatch,
    recordOutcome(id, label) {
      if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) throw argError(`recordOutcome: the event id must be a string or a finite number, got ${typeof id}`, ['id']);
      if (label !== 0 && label !== 1) throw argError(`recordOutcome: the label must be 1 (adverse) or 0, got ${String(label)}`, ['label']);
      return ledger.label(id, label);
    },
    feedOutcome(event, label) {
      const champion = versions.get(aliasMap.get(defaultAlias) ?? '');
      let windows = 0;
      // Stateless versions have no label windows: one call refuses a bad label or event all the same.
      if (groups.size === 0 && champion) return champion.scorer.recordOutcome(event, label);
      for (const g of groups.values()) {
        const v = [...g.versions][0];
        const n = v.scorer.recordOutcome(event, label);
        if (champion?.group === g) windows = n;
      }
      return windows;
    },
    get current() { const v = versions.get(aliasMap.get(defaultAlias) ?? ''); return v === undefined ? undefined : info(v); },
    labelled: (name) => ledger.sample(name),
    verdict(name, verdictOptions) {
      const exp = typeof name === 'string' ? experimentsByName.get(name) : undefined;
      if (exp === undefined) throw new RiskscoreError('model_not_found', `no experiment ${JSON.stringify(name)} was started here (started: ${[...experimentsByName.keys()].join(', ') || 'none'})`, { path: ['experiment'] });
      return experimentVerdict(exp, ledger.sample(exp.name), looks, verdictOptions);
    },
    scorer(ref) { return versionOf(ref, ['ref']).scorer; },
    audit: () => log,
    stats() {
      return {
        versions: versions.size, pendingSideWork: pendingSide, shadowsDropped, sideErrors,
        stateGroups: [...groups.values()].map((g) => {
          const store = [...g.versions][0]?.scorer.state;
          const entities: number[] = [];
          let bytes = 0;
          for (let e = 0; e < g.entityKinds && store; e++) { entities.push(store.size(e)); bytes += store.bytes(e); }
          return { key: g.id, versions: [...g.versions].map((v) => v.ref), entities, bytes };
        }),
        outcomes: { awaiting: ledger.size, expired: ledger.expired, relabelled: ledger.relabelled },
      };
    },
    settle() {
      return pendingSide === 0 ? Promise.resolve() : new Promise<void>((resolve) => { idleWaiters.push(resolve); });
    },
    async close() {
      closed = true;
      await this.settle();
      await Promise.allSettled([...versions.values()].map((v) => v.scorer.close()));
    },
  };
}
