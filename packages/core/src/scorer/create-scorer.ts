/**
 * The scorer: raw event → features → members → ensemble → calibration → decision.
 *
 * Tree members run in core's native evaluator; neural members run through the
 * InferenceBackend given at creation. Member logits are combined in logit space,
 * z = bias + Σ wᵢ·logitᵢ, then calibrated into the score.
 */
import type { Decision } from '../bundle/manifest';
import type { LoadedBundle, LoadedMember } from '../bundle/load-bundle';
import type { InferenceBackend, InferenceSession } from '../backend/inference-backend';
import { createCalibrator, logit } from '../ensemble/calibrate';
import { createDecisionPolicy } from '../decision/decision-policy';
import { isRiskscoreError, RiskscoreError, riskscoreErrorFrom, type RiskscoreErrorLike } from '../errors';
import type { EntityStateStore, PreparedEvent } from '@riskscore/features';
import { EntityLines, type Ticket } from './entity-lines';
import { IdempotencyWindow } from './idempotency-window';
import { scoreStream, type StreamOptions, type StreamOutcome } from './score-stream';
import { createEventReader } from './read-event';
import { sigmoid } from '../trees/tree-ensemble';
import { nowMs } from '../util/clock';
import { after } from '../util/macrotask';
import { canonicalJson } from '../util/canonical-json';
import { eventIdOf } from '../util/event-id';
import { createEventValidator, type EventValidator } from './event-validator';
import { identityFeatureStep, specFeatureStep, type FeatureStep } from './feature-step';
import { createScoreExplainer, type ExplainOptions, type ScoreExplanation } from './score-explainer';

/** A reason attached to a score. */
export interface ScoreReason {
  code: string;
  text: string;
  /** What produced it: a policy rule, or a feature's attribution. */
  source: 'rule' | 'attribution';
  /** The rule id or feature/field name. */
  ref: string;
}

/** Time spent per stage of one score, in microseconds. */
export interface ScoreTimings {
  featuresUs: number;
  membersUs: Record<string, number>;
  ensembleUs: number;
  totalUs: number;
  /** Time spent explaining, when asked (not part of totalUs). */
  explainUs?: number;
}

/** The result of scoring one event. */
export interface ScoreResult {
  /** Calibrated probability of the adverse outcome (default, fraud). */
  score: number;
  /** The ensemble logit before calibration. */
  logit: number;
  decision: Decision;
  reasons: ScoreReason[];
  /** Each member's own probability, σ(member logit). */
  memberScores: Record<string, number>;
  /** `name@version` of the bundle. */
  model: string;
  timings: ScoreTimings;
  /** Attributions, when `score(event, { explain })` asked for them. */
  explanation?: ScoreExplanation;
  /** True when the event id was already committed: this is the stored result, nothing was counted again. */
  duplicate?: boolean;
  /**
   * The event's feature row (`featureNames` order), when `score(event, { features: true })`
   * asked for it: what a second model of the same feature spec scores with `scoreFeatures`.
   * Absent on a duplicate (no new row was computed).
   */
  features?: Float32Array;
}

/** Per-call options of `score`. */
export interface ScoreOptions {
  /** Explain the score: attributions per feature and field, and reason codes. */
  explain?: boolean | ExplainOptions;
  /**
   * Commit the event to the feature spec's entity windows (default true). `false` scores
   * a what-if: the features are computed as if the event happened, and nothing is kept.
   * (An event already committed would count twice if scored again; explain it when it is
   * scored, with `explain`.)
   */
  commit?: boolean;
  /** Return the event's feature row as `result.features` (see {@link ScoreResult.features}). */
  features?: boolean;
  /**
   * Take the event's place in its entities' lines now, and start once `start` settles. A
   * caller that feeds this scorer on the side (a model registry feeding a shadow its
   * events) keeps the events' arrival order without paying for the work on this call.
   */
  start?: PromiseLike<unknown>;
}

/** Per-call options of `scoreBatch`. */
export interface BatchOptions {
  /** Return each event's feature row as `result.features`. */
  features?: boolean;
}

/** What `safeScore` and each event of `scoreBatch` give: a result or the typed reason there is none. */
export type ScoreOutcome = { ok: true; result: ScoreResult } | { ok: false; error: RiskscoreErrorLike };

/**
 * Idempotency by event id: an id already committed within the window is not counted
 * twice. With `onDuplicate: 'return'` (default) `score` returns the stored result with
 * `duplicate: true`; with `'refuse'` it throws `duplicate_event`.
 */
export interface IdempotencyOptions {
  /** The event-id field (default: the feature spec's `event.idField`; `null`: off). */
  field?: string | null;
  /** Committed ids remembered, newest first (default 100,000). */
  maxIds?: number;
  onDuplicate?: 'return' | 'refuse';
}

/**
 * Sees every scored row, on the hot path: a monitor (drift, latency, counters) plugs in
 * here. It must not throw and must not keep `row` (the scorer may reuse it).
 */
export interface ScoreObserver {
  /** Called once per scored event: `row` holds its features (bundle order) from `offset`, with its score, scoring time in µs and decision. */
  observe(row: Float32Array, offset: number, score: number, latencyUs: number, decision: Decision): void;
}

/** Options of createScorer: the backend for neural members, an observer, entity state and idempotency. */
export interface ScorerOptions {
  /** Receives every scored row (see {@link ScoreObserver}). */
  observer?: ScoreObserver;
  /** Runs neural members; required when the bundle has any. */
  backend?: InferenceBackend;
  /** Overrides the feature step (the features package's compiled spec). */
  features?: FeatureStep;
  /**
   * Where the feature spec keeps entity state (default: a new in-memory store). Pass a
   * store restored from a snapshot to restart warm.
   */
  store?: EntityStateStore;
  /** Milliseconds since the epoch for the spec's clock-skew bound (default `Date.now`; `null`: off). */
  clock?: (() => number) | null;
  /** Idempotency by event id (see {@link IdempotencyOptions}); `false` turns it off. */
  idempotency?: IdempotencyOptions | false;
  /**
   * `native` (default): tree members run in core's evaluator. `backend`: they run in the
   * InferenceBackend too (a cross-check of the two).
   */
  trees?: 'native' | 'backend';
  /**
   * Share entity state with a scorer of the same feature spec: one store, one arrival
   * order per entity, one window of committed event ids. Two versions of a model then see
   * the same windows, and an event scored by either is counted once (a model registry's
   * champion and challenger). Excludes `store`, `clock`, `features` and `idempotency`,
   * which come from that scorer.
   */
  shareStateWith?: Scorer;
}

/** Scores events with one bundle. */
export interface Scorer {
  readonly model: string;
  readonly bundle: LoadedBundle;
  readonly featureNames: readonly string[];
  /** The feature spec's entity state (absent for a bundle without stateful features). */
  readonly state: EntityStateStore | undefined;
  /**
   * Scores one event as a transaction: validate → features (reading entity state) →
   * members → ensemble → decision (→ explanation when asked) → commit the event to its
   * entities. A failure anywhere before the commit changes nothing. Throws a
   * `RiskscoreError` (`invalid_event` with the field path for a bad event).
   */
  score(event: unknown, options?: ScoreOptions): Promise<ScoreResult>;
  /** As `score`, returning `{ ok: false, error }` instead of throwing (zod's `safeParse` style). */
  safeScore(event: unknown, options?: ScoreOptions): Promise<ScoreOutcome>;
  /**
   * Scores many events, each its own transaction, in order, one outcome per event: a bad
   * event neither blocks nor half-commits the rest. Members run once over each run of
   * consecutive events that share no entity (an event that shares one with an earlier
   * event of the run starts the next run, so it sees that event committed, as a stream
   * would).
   */
  scoreBatch(events: readonly unknown[], options?: BatchOptions): Promise<ScoreOutcome[]>;
  /**
   * Scores the events of an async iterable (or an iterable) in micro-batches, yielding one
   * outcome per event in the order they came, with back-pressure: `scoreStream` in
   * `score-stream.ts` has the rules.
   */
  scoreStream<T>(source: AsyncIterable<T> | Iterable<T>, options?: StreamOptions<T>): AsyncIterableIterator<StreamOutcome<T>>;
  /**
   * Scores a feature row computed elsewhere (`result.features` of a scorer of the same
   * feature spec): members, ensemble, calibration, decision and its reasons, with no
   * entity state read or written. `event` is the raw event, for decision rules on its
   * fields; it is validated against this bundle's input schema. `options.explain`
   * explains the row as `score` does (a row kept from `result.features` explains the
   * decision it had, where scoring the event again would see its own history).
   */
  scoreFeatures(row: Float32Array, event?: unknown, options?: { explain?: boolean | ExplainOptions }): Promise<ScoreResult>;
  /**
   * The member logits and ensemble logit for a ready feature matrix (row-major,
   * `featureNames.length` wide): the model without the event step.
   */
  predictFeatures(rows: Float32Array, nRows: number): Promise<{ memberLogits: Float64Array; logits: Float64Array; scores: Float64Array }>;
  /**
   * Feeds the outcome of an earlier event (fraud confirmed, loan defaulted) to the
   * label-delayed features of the bundle's feature spec; `label` is 1 (adverse) or 0.
   * Returns how many entity windows held the event (0 for a bundle without stateful
   * features).
   */
  recordOutcome(event: Readonly<Record<string, unknown>>, label: number): number;
  /** Releases backend sessions. */
  close(): Promise<void>;
}

interface MemberRunner {
  name: string;
  weight: number;
  trees: LoadedMember['trees'];
  treeOutputIsProbability: boolean;
  /** Writes `nRows` logits into `out`. */
  run(rows: Float32Array, nRows: number, out: Float64Array): Promise<void> | void;
  release(): Promise<void>;
}

function nativeTreeRunner(m: LoadedMember): MemberRunner {
  const trees = m.trees!;
  const toLogit = m.treeOutputIsProbability;
  return {
    name: m.spec.name,
    weight: m.spec.weight,
    trees,
    treeOutputIsProbability: toLogit,
    run(rows, nRows, out) {
      trees.predictMargins(rows, nRows, out);
      if (toLogit) for (let i = 0; i < nRows; i++) out[i] = logit(out[i]);
    },
    release: async () => {},
  };
}

async function backendRunner(m: LoadedMember, backend: InferenceBackend, width: number, idx: number): Promise<MemberRunner> {
  let session: InferenceSession;
  try {
    session = await backend.createSession(m.bytes, { inputName: m.spec.input.name, outputName: m.spec.output.name });
  } catch (cause) {
    throw new RiskscoreError('backend_error', `${backend.name} could not load member ${m.spec.name}: ${(cause as Error).message}`, {
      path: ['members', idx], cause,
    });
  }
  // The kind resolved at load (from the graph where it says), the same one the native path follows.
  const isProb = (m.output?.kind ?? m.spec.output.kind) === 'probability';
  return {
    name: m.spec.name,
    weight: m.spec.weight,
    trees: null,
    treeOutputIsProbability: false,
    async run(rows, nRows, out) {
      let y: Float32Array;
      try {
        y = await session.run(rows, nRows, width);
      } catch (cause) {
        throw new RiskscoreError('backend_error', `${backend.name} failed running member ${m.spec.name}: ${(cause as Error).message}`, {
          path: ['members', idx], cause,
        });
      }
      if (y.length !== nRows) {
        throw new RiskscoreError('model_shape_mismatch', `member ${m.spec.name} returned ${y.length} values for ${nRows} rows`, { path: ['members', idx] });
      }
      for (let i = 0; i < nRows; i++) out[i] = isProb ? logit(y[i]) : y[i];
    },
    release: () => session.release(),
  };
}

/**
 * Creates a scorer for a loaded bundle. Neural members need a backend
 * (`createNodeBackend()` from `@riskscore/node`, `createWebBackend()` from
 * `@riskscore/browser`).
 *
 * @example
 * const scorer = await createScorer(await loadBundleFromDir('bundles/taiwan'), { backend: createNodeBackend() });
 * const { score, decision, model } = await scorer.score({ LIMIT_BAL: 50000, AGE: 35, ... });
 */
export async function createScorer(bundle: LoadedBundle, options: ScorerOptions = {}): Promise<Scorer> {
  checkScorerArguments(bundle, options);
  const { manifest } = bundle;
  const width = manifest.features.order.length;
  const validator: EventValidator = createEventValidator(manifest.input);
  // Every field any step reads: the input schema's, the feature spec's, the id field.
  const specEvent = (manifest.features.spec as { event?: { fields?: Array<{ name?: unknown }>; timestamp?: { field?: unknown }; idField?: unknown; label?: { field?: unknown } } } | undefined)?.event;
  const readNames = [...new Set([
    ...manifest.input.fields.map((f) => f.name),
    ...(specEvent?.fields ?? []).map((f) => f.name),
    specEvent?.timestamp?.field, specEvent?.idField, specEvent?.label?.field,
    options.idempotency ? options.idempotency.field : undefined,
    options.shareStateWith !== undefined ? sharedStates.get(options.shareStateWith)?.idField : undefined,
  ].filter((x): x is string => typeof x === 'string'))];
  const readEvent = createEventReader(readNames, manifest.input.unknownFields === 'refuse');
  const host = options.shareStateWith === undefined ? undefined : hostStateOf(options.shareStateWith, manifest);
  const features = host?.features ?? options.features ?? (manifest.features.spec !== undefined
    ? specFeatureStep(manifest, { store: options.store, clock: options.clock })
    : identityFeatureStep(manifest));
  if (features.names.length !== width || features.names.some((n, i) => n !== manifest.features.order[i])) {
    throw new RiskscoreError('model_shape_mismatch', 'the feature step computes a different feature order than the manifest declares', { path: ['features', 'order'] });
  }
  const runners: MemberRunner[] = [];
  try {
    for (let i = 0; i < bundle.members.length; i++) {
      const m = bundle.members[i];
      if (m.spec.kind === 'trees' && options.trees !== 'backend') runners.push(nativeTreeRunner(m));
      else {
        if (!options.backend) {
          throw new RiskscoreError('backend_error', `member ${m.spec.name} is ${m.spec.kind === 'neural' ? 'a neural network' : 'set to run in the backend'}: pass { backend } to createScorer`, {
            path: ['members', i],
          });
        }
        runners.push(await backendRunner(m, options.backend, width, i));
      }
    }
  } catch (e) {
    await Promise.allSettled(runners.map((r) => r.release()));
    throw e;
  }
  const bias = manifest.ensemble.bias;
  const calibrate = createCalibrator(manifest.calibration);
  const decide = createDecisionPolicy(manifest.decision, manifest.input.fields);
  const reasonTexts = manifest.reasonCodes;
  const nMembers = runners.length;
  const observer = options.observer;
  const names = features.names;
  const lineage = features.lineage;
  let explainer: ReturnType<typeof createScoreExplainer> | undefined;

  // Idempotency: the id field is the option's, else the feature spec's idField.
  const idem = options.idempotency === false ? undefined : options.idempotency ?? {};
  const specIdField = specEvent?.idField;
  const idField = host !== undefined ? host.idField : idem === undefined || idem.field === null ? undefined
    : idem.field ?? (typeof specIdField === 'string' ? specIdField : undefined);
  const maxIds = idem?.maxIds ?? 100_000;
  if (!Number.isInteger(maxIds) || maxIds < 1) {
    throw new RiskscoreError('invalid_argument', `createScorer: idempotency.maxIds must be a positive integer, got ${String(maxIds)}`, { path: ['options', 'idempotency', 'maxIds'] });
  }
  const refuseDuplicates = host?.refuseDuplicates ?? idem?.onDuplicate === 'refuse';
  const ids = host !== undefined ? host.ids : idField === undefined ? undefined : new IdempotencyWindow<ScoreResult>(maxIds);
  const idOf = (event: Record<string, unknown>): string | number | undefined => eventIdOf(event, idField);
  const duplicateOf = (id: string | number): ScoreOutcome | undefined => {
    const stored = ids!.get(id);
    if (stored === undefined) return undefined;
    if (refuseDuplicates) {
      return { ok: false, error: new RiskscoreError('duplicate_event', `event ${idField} ${JSON.stringify(id)} was already scored and committed; it is not counted twice`, {
        path: ['event', idField!], details: { id, model: stored.model, score: stored.score },
      }) };
    }
    return { ok: true, result: { ...stored, duplicate: true } };
  };

  /** Runs every member over `nRows` rows; throws only for a member that fails as a whole. */
  async function runMembers(rows: Float32Array, nRows: number, memberUs?: number[]): Promise<Float64Array> {
    const memberLogits = new Float64Array(nMembers * nRows);
    const input = rows.length === nRows * width ? rows : rows.subarray(0, nRows * width);
    for (let j = 0; j < nMembers; j++) {
      const t0 = nowMs();
      // Native trees run synchronously: awaiting their undefined would still cost a tick.
      const pending = runners[j].run(input, nRows, memberLogits.subarray(j * nRows, (j + 1) * nRows));
      if (pending !== undefined) await pending;
      if (memberUs) memberUs[j] = (nowMs() - t0) * 1000;
    }
    return memberLogits;
  }

  /** Row i's ensemble logit and score, or the member whose output is not finite. */
  function combine(memberLogits: Float64Array, i: number, nRows: number, out: Float64Array): RiskscoreError | null {
    let z = bias;
    for (let j = 0; j < nMembers; j++) {
      const v = memberLogits[j * nRows + i];
      if (!Number.isFinite(v)) {
        return new RiskscoreError('non_finite_output', `member ${runners[j].name} produced ${v} for row ${i}; nothing was committed`, { path: ['members', j], details: { row: i, member: runners[j].name } });
      }
      z += runners[j].weight * v;
    }
    const p = calibrate(z);
    if (!(p >= 0 && p <= 1)) {
      return new RiskscoreError('non_finite_output', `the calibrated score is ${p} for ensemble logit ${z}; nothing was committed`, { path: ['calibration'], details: { row: i, logit: z } });
    }
    out[0] = z;
    out[1] = p;
    return null;
  }

  /** A feature that is ±Infinity in float32 (a raw value past the models' range), named with its raw field. */
  function checkRow(row: Float32Array, offset: number): RiskscoreError | null {
    for (let k = 0; k < width; k++) {
      const v = row[offset + k];
      if (v === v && v - v !== 0) return infiniteFeature(k, v);
    }
    return null;
  }
  function infiniteFeature(k: number, v: number): RiskscoreError {
    const fields = lineage[k] ?? [];
    const field = fields[0] ?? names[k];
    return new RiskscoreError('invalid_event',
      `event field ${fields.join(', ') || field}: feature ${names[k]} is ${v} in float32 (the raw value is past the range the models take, about ±3.4e38 after the feature's transform); send a value within the field's plausible range`, {
        path: ['event', field], details: { field, fields, feature: names[k], value: String(v) },
      });
  }

  function assemble(event: Record<string, unknown>, score: number, z: number, memberLogits: Float64Array, i: number, nRows: number, timings: ScoreTimings): ScoreResult {
    const d = decide(score, event);
    const reasons: ScoreReason[] = [];
    if (d.ruleId) {
      const t = reasonTexts[d.ruleId];
      reasons.push({ code: d.reason ?? d.ruleId, text: t?.text ?? d.reason ?? d.ruleId, source: 'rule', ref: d.ruleId });
    }
    const memberScores: Record<string, number> = {};
    for (let j = 0; j < nMembers; j++) memberScores[runners[j].name] = sigmoid(memberLogits[j * nRows + i]);
    return { score, logit: z, decision: d.decision, reasons, memberScores, model: bundle.id, timings };
  }

  const observe = (row: Float32Array, offset: number, score: number, us: number, decision: Decision): void => {
    if (!observer) return;
    try {
      observer.observe(row, offset, score, us, decision);
    } catch {
      // An observer must not throw; if it does, the committed score still stands.
    }
  };

  const stateful = features.prepare !== undefined && features.commit !== undefined;
  /** Entity state in a shared store (Redis): fetched before each prepare, committed on the server. */
  const shared = stateful && features.prefetch !== undefined && features.commitAsync !== undefined;
  /** A shared store: brings the event's entities into its local tables (state_unavailable when it does not answer). */
  async function fetchState(event: Record<string, unknown>): Promise<void> {
    const fetching = features.prefetch!(event);
    if (fetching === undefined) return;
    try {
      await fetching;
    } catch (e) {
      throw riskscoreErrorFrom(e, ['state']);
    }
  }
  /** Attempts of a transaction whose commit meets a concurrent writer (another process on a shared store retries more). */
  const maxAttempts = shared ? MAX_SHARED_ATTEMPTS : MAX_ATTEMPTS;
  const zs = new Float64Array(2);

  /**
   * One attempt of the transaction; throws (a state_conflict is retried by the caller).
   * `place` keeps the transaction's ticket in its entities' lines across attempts.
   */
  async function attempt(event: Record<string, unknown>, scoreOptions: ScoreOptions | undefined, t0: number, place: { ticket?: Ticket }): Promise<ScoreResult> {
    const commitIt = scoreOptions?.commit !== false;
    const row = new Float32Array(width);
    let prepared: PreparedEvent | undefined;
    const prepare = (): void => {
      try {
        if (stateful) prepared = features.prepare!(event, row, 0);
        else features.compute(event, row, 0);
      } catch (e) {
        throw riskscoreErrorFrom(e, ['event']);
      }
    };
    if (shared) {
      // A shared store: this transaction's place in its entities' lines first (no await
      // before it, so calls keep their order), then, at its turn, their current state
      // from the store, then the features on it.
      if (commitIt && place.ticket === undefined && hashBuf !== undefined && features.entityHashesOfEvent!(event, hashBuf)) place.ticket = lines.enter(hashBuf);
      if (place.ticket !== undefined) await lines.wait(place.ticket);
      await fetchState(event);
    }
    prepare();
    if (prepared !== undefined && commitIt && place.ticket === undefined) {
      const hashes = features.entityHashesOf?.(prepared);
      if (hashes !== undefined) {
        // Events of one entity commit one after the other in the order they came: an
        // earlier transaction on any of this one's entities goes first, and this one then
        // prepares again on the state it left.
        const ticket = (place.ticket = lines.enter(hashes));
        if (ticket.ahead > 0) {
          await lines.wait(ticket);
          prepare();
        }
      }
    }
    return finish(event, scoreOptions, t0, row, prepared, commitIt);
  }

  const lines = host?.lines ?? new EntityLines();
  /** Entity numbers of an event not yet prepared (stateful steps that can give them). */
  const hashBuf = stateful && features.entityHashesOfEvent !== undefined && features.entityKinds !== undefined
    ? new Float64Array(features.entityKinds) : undefined;

  /** The rest of a transaction once its features are prepared: members, decision, explanation, commit. */
  async function finish(event: Record<string, unknown>, scoreOptions: ScoreOptions | undefined, t0: number, row: Float32Array, prepared: PreparedEvent | undefined, commitIt: boolean): Promise<ScoreResult> {
    const bad = checkRow(row, 0);
    if (bad) throw bad;
    const t1 = nowMs();
    const memberUs = new Array<number>(nMembers);
    const memberLogits = await runMembers(row, 1, memberUs);
    const t2 = nowMs();
    const err = combine(memberLogits, 0, 1, zs);
    if (err) throw err;
    const membersUs: Record<string, number> = {};
    let sumMembers = 0;
    for (let j = 0; j < nMembers; j++) { membersUs[runners[j].name] = memberUs[j]; sumMembers += memberUs[j]; }
    const timings: ScoreTimings = { featuresUs: (t1 - t0) * 1000, membersUs, ensembleUs: 0, totalUs: 0 };
    const result = assemble(event, zs[1], zs[0], memberLogits, 0, 1, timings);
    const t3 = nowMs();
    timings.ensembleUs = Math.max(0, (t2 - t1) * 1000 - sumMembers) + (t3 - t2) * 1000;
    timings.totalUs = (t3 - t0) * 1000;
    // Explained before the commit: an explanation that fails leaves the state as it was.
    const ex = scoreOptions?.explain;
    if (ex) await explainResult(result, row, ex);
    if (prepared !== undefined && commitIt) {
      try {
        if (shared) await features.commitAsync!(prepared);
        else features.commit!(prepared);
      } catch (e) {
        throw riskscoreErrorFrom(e, isRiskscoreError(e) && e.code === 'state_unavailable' ? ['state'] : ['event']);
      }
    }
    observe(row, 0, result.score, timings.totalUs, result.decision);
    if (scoreOptions?.features) result.features = row;
    return result;
  }

  /** The whole transaction: idempotency, then the attempts. */
  /**
   * `place` carries a ticket the caller already holds in the entities' lines (a batch's
   * event scored again on its own): kept, not left, here.
   */
  async function transact(raw: unknown, scoreOptions: ScoreOptions | undefined, place: { ticket?: Ticket } = {}): Promise<ScoreOutcome> {
    const given = place.ticket;
    try {
      const t0 = nowMs();
      const event = readEvent(raw);
      validator.validate(event);
      const commitIt = scoreOptions?.commit !== false;
      let id: string | number | undefined;
      if (ids !== undefined && commitIt) {
        id = idOf(event);
        if (id !== undefined) {
          const dup = duplicateOf(id);
          if (dup) return dup;
          const flying = ids.inFlight(id);
          if (flying) {
            await flying;
            const after = duplicateOf(id);
            if (after) return after;
          }
        }
      }
      const claim = id === undefined ? undefined : ids!.begin(id);
      try {
        const start = scoreOptions?.start;
        if (start !== undefined) {
          // Its place in its entities' lines now; the work once `start` settles and its turn comes.
          if (place.ticket === undefined && commitIt && hashBuf !== undefined && features.entityHashesOfEvent!(event, hashBuf)) {
            place.ticket = lines.enter(hashBuf);
          }
          try { await start; } catch { /* settled either way */ }
          if (place.ticket !== undefined) await lines.wait(place.ticket);
        }
        let result: ScoreResult;
        for (let k = 1; ; k++) {
          try {
            result = await attempt(event, scoreOptions, k === 1 ? t0 : nowMs(), place);
            break;
          } catch (e) {
            if (!(isRiskscoreError(e) && e.code === 'state_conflict' && k < maxAttempts)) throw e;
            // Two processes writing one entity: the loser waits a random moment, so that
            // the same pair does not meet again at once.
            if (shared && k > 1) await after(Math.random() * Math.min(k, 8));
          }
        }
        if (id !== undefined) ids!.set(id, result.features === undefined ? result : { ...result, features: undefined });
        return { ok: true, result };
      } finally {
        if (place.ticket !== undefined && place.ticket !== given) lines.leave(place.ticket);
        if (claim !== undefined) ids!.end(id!, claim);
      }
    } catch (e) {
      return { ok: false, error: riskscoreErrorFrom(e, []) };
    }
  }

  async function scoreBatch(events: readonly unknown[], batchOptions?: BatchOptions): Promise<ScoreOutcome[]> {
    if (!Array.isArray(events)) {
      throw new RiskscoreError('invalid_argument', `scoreBatch: expected an array of events, got ${events === null ? 'null' : typeof events}`, { path: ['events'] });
    }
    if (batchOptions !== undefined && (batchOptions === null || typeof batchOptions !== 'object')) {
      throw new RiskscoreError('invalid_argument', 'scoreBatch: options must be an object { features }', { path: ['options'] });
    }
    const withRows = batchOptions?.features === true;
    const n = events.length;
    const outcomes: ScoreOutcome[] = new Array(n);
    const rows = new Float32Array(Math.max(1, n) * width);
    // First, with no await: read and validate every event and take its place in its
    // entities' lines, so that a call made after this one (a score, another batch) queues
    // behind this batch's events, and an event of this batch behind an earlier one.
    const read: Array<Record<string, unknown> | undefined> = new Array(n);
    const tickets: Array<Ticket | undefined> = new Array(n);
    for (let i = 0; i < n; i++) {
      try {
        const r = readEvent(events[i]);
        validator.validate(r);
        read[i] = r;
      } catch (e) {
        outcomes[i] = { ok: false, error: batchError(riskscoreErrorFrom(e, []), i) };
        continue;
      }
      if (hashBuf !== undefined && features.entityHashesOfEvent!(read[i]!, hashBuf)) tickets[i] = lines.enter(hashBuf);
    }
    const leave = (i: number): void => {
      const t = tickets[i];
      if (t !== undefined) { tickets[i] = undefined; lines.leave(t); }
    };
    const touchedIds = new Set<string | number>();
    try {
      let i = 0;
      while (i < n) {
        // One run of events first in all of their lines (sharing no entity with each other
        // or with anything still in flight) and no id: prepared together, members once over
        // their rows, then each committed in order.
        const tw = nowMs();
        const wave: Array<{ index: number; event: Record<string, unknown>; prepared: PreparedEvent | undefined; id: string | number | undefined }> = [];
        touchedIds.clear();
        for (; i < n; i++) {
          if (outcomes[i] !== undefined) continue;
          const event = read[i]!;
          const ticket = tickets[i];
          if (ticket !== undefined && ticket.ahead > 0) {
            // Behind an event of this run (the next run sees it committed), or behind another call: wait for it.
            if (wave.length > 0) break;
            await lines.wait(ticket);
          }
          let id: string | number | undefined;
          let prepared: PreparedEvent | undefined;
          try {
            id = ids === undefined ? undefined : idOf(event);
            if (id !== undefined) {
              if (touchedIds.has(id)) break;
              const dup = duplicateOf(id) ?? (ids!.inFlight(id) ? await transact(event, undefined, { ticket }) : undefined);
              if (dup) { outcomes[i] = dup; leave(i); continue; }
            }
            const off = wave.length * width;
            if (shared) await fetchState(event);
            try {
              if (stateful) prepared = features.prepare!(event, rows, off);
              else features.compute(event, rows, off);
            } catch (e) {
              throw riskscoreErrorFrom(e, ['event']);
            }
            const bad = checkRow(rows, off);
            if (bad) throw bad;
          } catch (e) {
            outcomes[i] = { ok: false, error: batchError(riskscoreErrorFrom(e, []), i) };
            leave(i);
            continue;
          }
          if (id !== undefined) touchedIds.add(id);
          wave.push({ index: i, event, prepared, id });
        }
        const m = wave.length;
        if (m === 0) continue;
        const t1 = nowMs();
        const memberUs = new Array<number>(nMembers);
        let memberLogits: Float64Array;
        try {
          memberLogits = await runMembers(rows, m, memberUs);
        } catch (e) {
          const error = riskscoreErrorFrom(e, []);
          for (const w of wave) { outcomes[w.index] = { ok: false, error: batchError(error, w.index) }; leave(w.index); }
          continue;
        }
        const t2 = nowMs();
        const membersUs: Record<string, number> = {};
        for (let j = 0; j < nMembers; j++) membersUs[runners[j].name] = memberUs[j];
        const timings: ScoreTimings = { featuresUs: (t1 - tw) * 1000, membersUs, ensembleUs: 0, totalUs: (t2 - tw) * 1000 };
        const perRowUs = timings.totalUs / m;
        for (let k = 0; k < m; k++) {
          const w = wave[k];
          const err = combine(memberLogits, k, m, zs);
          if (err) { outcomes[w.index] = { ok: false, error: batchError(err, w.index) }; leave(w.index); continue; }
          const result = assemble(w.event, zs[1], zs[0], memberLogits, k, m, timings);
          if (w.prepared !== undefined) {
            try {
              if (shared) await features.commitAsync!(w.prepared);
              else features.commit!(w.prepared);
            } catch (e) {
              // Written meanwhile by something outside the lines (an outcome, another scorer on
              // the store): score it again on its own, keeping its place.
              if (isRiskscoreError(e) && e.code === 'state_conflict') { outcomes[w.index] = await transact(w.event, withRows ? { features: true } : undefined, { ticket: tickets[w.index] }); leave(w.index); continue; }
              outcomes[w.index] = { ok: false, error: batchError(riskscoreErrorFrom(e, ['event']), w.index) };
              leave(w.index);
              continue;
            }
          }
          leave(w.index);
          if (w.id !== undefined) ids!.set(w.id, result);
          observe(rows, k * width, result.score, perRowUs, result.decision);
          if (withRows) result.features = rows.slice(k * width, (k + 1) * width);
          outcomes[w.index] = { ok: true, result };
        }
      }
    } finally {
      for (let i = 0; i < n; i++) leave(i);
    }
    return outcomes;
  }

  /** Members → decision on a row computed elsewhere; nothing read or written in entity state. */
  /** Adds the attributions of `row` and their reason codes to `result` (`options.explain`). */
  async function explainResult(result: ScoreResult, row: Float32Array, ex: true | ExplainOptions): Promise<void> {
    const te = nowMs();
    try {
      explainer ??= createScoreExplainer(bundle, runners, lineage);
      const { explanation, reasons } = await explainer.explain(row, ex === true ? {} : ex);
      result.explanation = explanation;
      for (const r of reasons) result.reasons.push({ ...r, source: 'attribution' });
    } catch (e) {
      throw riskscoreErrorFrom(e, ['options', 'explain']);
    }
    result.timings.explainUs = (nowMs() - te) * 1000;
  }

  async function scoreFeatures(row: Float32Array, raw?: unknown, options?: { explain?: boolean | ExplainOptions }): Promise<ScoreResult> {
    if (!(row instanceof Float32Array) || row.length !== width) {
      throw new RiskscoreError('invalid_argument', `scoreFeatures: expected a Float32Array of ${width} features (featureNames order), got ${row instanceof Float32Array ? `${row.length} values` : typeof row}`, { path: ['row'] });
    }
    const t0 = nowMs();
    let event: Record<string, unknown> = {};
    if (raw !== undefined) {
      try {
        const read = readEvent(raw);
        validator.validate(read);
        event = read;
      } catch (e) {
        throw riskscoreErrorFrom(e, ['event']);
      }
    }
    const bad = checkRow(row, 0);
    if (bad) throw new RiskscoreError('invalid_argument', `scoreFeatures: ${bad.message}`, { path: ['row', names.indexOf(bad.details.feature as string)], details: bad.details });
    const memberUs = new Array<number>(nMembers);
    const memberLogits = await runMembers(row, 1, memberUs);
    const err = combine(memberLogits, 0, 1, zs);
    if (err) throw err;
    const membersUs: Record<string, number> = {};
    for (let j = 0; j < nMembers; j++) membersUs[runners[j].name] = memberUs[j];
    const totalUs = (nowMs() - t0) * 1000;
    const result = assemble(event, zs[1], zs[0], memberLogits, 0, 1, { featuresUs: 0, membersUs, ensembleUs: 0, totalUs });
    const ex = options?.explain;
    if (ex) await explainResult(result, row, ex);
    return result;
  }

  const scorer: Scorer = {
    model: bundle.id,
    bundle,
    featureNames: names,
    state: features.store,
    async score(event, scoreOptions) {
      const o = await transact(event, scoreOptions);
      if (!o.ok) throw o.error;
      return o.result;
    },
    safeScore: (event, scoreOptions) => transact(event, scoreOptions),
    scoreBatch,
    scoreStream: (source, streamOptions) => scoreStream(scorer, source, streamOptions),
    scoreFeatures,
    async predictFeatures(rows, nRows) {
      if (!(rows instanceof Float32Array)) throw new RiskscoreError('invalid_argument', 'predictFeatures: rows must be a Float32Array', { path: ['rows'] });
      if (!Number.isInteger(nRows) || nRows < 0 || rows.length < nRows * width) {
        throw new RiskscoreError('invalid_argument', `predictFeatures: ${String(nRows)} rows of ${width} features need ${Number(nRows) * width} values, got ${rows.length}`, { path: ['nRows'] });
      }
      for (let i = 0; i < nRows; i++) {
        const bad = checkRow(rows, i * width);
        if (bad) throw new RiskscoreError('invalid_argument', `predictFeatures: row ${i}: ${bad.message}`, { path: ['rows', i, names.indexOf(bad.details.feature as string)], details: bad.details });
      }
      const memberLogits = await runMembers(rows, nRows);
      const logits = new Float64Array(nRows);
      const scores = new Float64Array(nRows);
      for (let i = 0; i < nRows; i++) {
        const err = combine(memberLogits, i, nRows, zs);
        if (err) throw err;
        logits[i] = zs[0];
        scores[i] = zs[1];
      }
      return { memberLogits, logits, scores };
    },
    recordOutcome: (event, label) => {
      // An outcome is binary: label windows count label > 0 as adverse, so 0.5 or 2 would
      // be counted without meaning anything.
      if (label !== 0 && label !== 1) {
        throw new RiskscoreError('invalid_event', `recordOutcome: the label must be 1 (adverse: fraud, default) or 0 (not), got ${typeof label === 'number' ? String(label) : typeof label}`, { path: ['label'] });
      }
      if (Object.is(label, -0)) label = 0;
      if (event === null || typeof event !== 'object') throw new RiskscoreError('invalid_event', 'recordOutcome: expected the event object the outcome belongs to', { path: ['event'] });
      try {
        return features.recordOutcome?.(event, label) ?? 0;
      } catch (e) {
        throw riskscoreErrorFrom(e, ['event']);
      }
    },
    async close() {
      await Promise.all(runners.map((r) => r.release()));
    },
  };
  sharedStates.set(scorer, host ?? {
    features, lines, ids, idField, refuseDuplicates,
    spec: options.features !== undefined ? undefined : featureSpecKey(manifest),
  });
  return scorer;
}

/** What scorers sharing entity state share (see `ScorerOptions.shareStateWith`). */
interface SharedState {
  readonly features: FeatureStep;
  readonly lines: EntityLines;
  readonly ids: IdempotencyWindow<ScoreResult> | undefined;
  readonly idField: string | undefined;
  readonly refuseDuplicates: boolean;
  /** The feature spec as canonical JSON (undefined: no spec, or a feature step given ready-made: nothing to share). */
  readonly spec: string | undefined;
}
const sharedStates = new WeakMap<Scorer, SharedState>();

/** The state a scorer of `manifest` may share with `other`: refused unless both compute the same feature spec. */
function hostStateOf(other: Scorer, manifest: LoadedBundle['manifest']): SharedState {
  const host = typeof other === 'object' && other !== null ? sharedStates.get(other) : undefined;
  if (host === undefined) {
    throw new RiskscoreError('invalid_argument', 'createScorer: options.shareStateWith must be a scorer made by createScorer', { path: ['options', 'shareStateWith'] });
  }
  if (host.spec === undefined || manifest.features.spec === undefined) {
    throw new RiskscoreError('invalid_argument', 'createScorer: options.shareStateWith needs two bundles with the same features.spec (a bundle without a feature spec has no entity state to share)', { path: ['options', 'shareStateWith'] });
  }
  if (host.spec !== featureSpecKey(manifest)) {
    throw new RiskscoreError('invalid_argument', `createScorer: options.shareStateWith: ${other.model}'s feature spec differs from this bundle's; versions with different specs keep their own state`, { path: ['options', 'shareStateWith'] });
  }
  return host;
}

/** The canonical JSON of a bundle's feature spec: equal strings, shareable state (undefined: stateless). */
export function featureSpecKey(manifest: LoadedBundle['manifest']): string | undefined {
  if (manifest === null || typeof manifest !== 'object' || manifest.features === null || typeof manifest.features !== 'object') {
    throw new RiskscoreError('invalid_argument', 'featureSpecKey: expected a bundle manifest (bundle.manifest)', { path: ['manifest'] });
  }
  return manifest.features.spec === undefined ? undefined : canonicalJson(manifest.features.spec);
}

/** createScorer's arguments, refused by name before anything is loaded. */
function checkScorerArguments(bundle: LoadedBundle, options: ScorerOptions): void {
  if (bundle === null || typeof bundle !== 'object' || typeof bundle.manifest !== 'object' || bundle.manifest === null || !Array.isArray(bundle.members)) {
    throw new RiskscoreError('invalid_argument', 'createScorer: expected a LoadedBundle (from loadBundle, loadBundleFromDir or loadBundleFromUrl)', { path: ['bundle'] });
  }
  if (options === null || typeof options !== 'object') throw new RiskscoreError('invalid_argument', 'createScorer: options must be an object', { path: ['options'] });
  if (options.trees !== undefined && options.trees !== 'native' && options.trees !== 'backend') {
    throw new RiskscoreError('invalid_argument', `createScorer: options.trees must be "native" or "backend", got ${JSON.stringify(options.trees)}`, { path: ['options', 'trees'] });
  }
  if (options.shareStateWith !== undefined) {
    for (const k of ['store', 'clock', 'features', 'idempotency'] as const) {
      if (options[k] !== undefined) {
        throw new RiskscoreError('invalid_argument', `createScorer: options.${k} comes from the scorer given as options.shareStateWith; leave it out`, { path: ['options', k] });
      }
    }
  }
  if (options.features !== undefined) {
    // store and clock configure the step createScorer compiles; a step given ready-made has its own.
    for (const k of ['store', 'clock'] as const) {
      if (options[k] !== undefined) {
        throw new RiskscoreError('invalid_argument', `createScorer: options.${k} configures the feature step createScorer compiles; with options.features, pass ${k} to specFeatureStep instead`, { path: ['options', k] });
      }
    }
  }
  const idem = options.idempotency;
  if (idem !== undefined && idem !== false && (idem === null || typeof idem !== 'object')) {
    throw new RiskscoreError('invalid_argument', 'createScorer: options.idempotency must be an object { field, maxIds, onDuplicate } or false', { path: ['options', 'idempotency'] });
  }
  if (idem && idem.onDuplicate !== undefined && idem.onDuplicate !== 'return' && idem.onDuplicate !== 'refuse') {
    throw new RiskscoreError('invalid_argument', `createScorer: idempotency.onDuplicate must be "return" or "refuse", got ${JSON.stringify(idem.onDuplicate)}`, { path: ['options', 'idempotency', 'onDuplicate'] });
  }
}

/** Attempts of one transaction when a concurrent writer changed its entities in between. */
const MAX_ATTEMPTS = 4;
const MAX_SHARED_ATTEMPTS = 32;

/** An error of event i of a batch: its path starts with the event's index. */
function batchError(e: RiskscoreErrorLike, i: number): RiskscoreErrorLike {
  const path = e.path[0] === 'event' ? ['events', i, ...e.path.slice(1)] : ['events', i, ...e.path];
  return new RiskscoreError(e.code, `event ${i}: ${e.message}`, { path, details: { ...e.details, index: i }, cause: e });
}
