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
import { RiskscoreError, type RiskscoreErrorCode } from '../errors';
import { sigmoid } from '../trees/tree-ensemble';
import { nowMs } from '../util/clock';
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
}

/**
 * Sees every scored row, on the hot path: a monitor (drift, latency, counters) plugs in
 * here. It must not throw and must not keep `row` (the scorer may reuse it).
 */
export interface ScoreObserver {
  observe(row: Float32Array, offset: number, score: number, latencyUs: number, decision: Decision): void;
}

export interface ScorerOptions {
  /** Receives every scored row (see {@link ScoreObserver}). */
  observer?: ScoreObserver;
  /** Runs neural members; required when the bundle has any. */
  backend?: InferenceBackend;
  /** Overrides the feature step (the features package's compiled spec). */
  features?: FeatureStep;
  /**
   * `native` (default): tree members run in core's evaluator. `backend`: they run in the
   * InferenceBackend too (a cross-check of the two).
   */
  trees?: 'native' | 'backend';
}

/** Scores events with one bundle. */
export interface Scorer {
  readonly model: string;
  readonly bundle: LoadedBundle;
  readonly featureNames: readonly string[];
  /**
   * Scores one event. Throws `invalid_event` (with the field path) for a bad event.
   * With `{ explain: true }` the result carries attributions and reason codes.
   */
  score(event: unknown, options?: ScoreOptions): Promise<ScoreResult>;
  /**
   * Scores many events, running each member once over the whole batch. All events are
   * checked against the input schema first: one bad event refuses the whole batch,
   * naming its index. With a stateful feature spec the events are then committed in
   * order, like a stream: if the spec refuses event i (a late event, say), events before
   * it stay committed, event i and the rest do not, and the error names i
   * (`details.committedBefore`).
   */
  scoreBatch(events: readonly unknown[]): Promise<ScoreResult[]>;
  /**
   * The member logits and ensemble logit for a ready feature matrix (row-major,
   * `featureNames.length` wide): the model without the event step.
   */
  predictFeatures(rows: Float32Array, nRows: number): Promise<{ memberLogits: Float64Array; logits: Float64Array; scores: Float64Array }>;
  /**
   * Feeds the outcome of an earlier event (fraud confirmed, loan defaulted) to the
   * label-delayed features of the bundle's feature spec. Returns how many entity windows
   * held the event (0 for a bundle without stateful features).
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
  const isProb = m.spec.output.kind === 'probability';
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
  const { manifest } = bundle;
  const width = manifest.features.order.length;
  const validator: EventValidator = createEventValidator(manifest.input.fields);
  const features = options.features ?? (manifest.features.spec !== undefined ? specFeatureStep(manifest) : identityFeatureStep(manifest));
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
  const decide = createDecisionPolicy(manifest.decision);
  const reasonTexts = manifest.reasonCodes;
  const nMembers = runners.length;
  const observer = options.observer;
  let explainer: ReturnType<typeof createScoreExplainer> | undefined;

  async function predictFeatures(rows: Float32Array, nRows: number, memberUs?: number[]) {
    const memberLogits = new Float64Array(nMembers * nRows);
    for (let j = 0; j < nMembers; j++) {
      const t0 = nowMs();
      await runners[j].run(rows, nRows, memberLogits.subarray(j * nRows, (j + 1) * nRows));
      if (memberUs) memberUs[j] = (nowMs() - t0) * 1000;
    }
    const logits = new Float64Array(nRows);
    const scores = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) {
      let z = bias;
      for (let j = 0; j < nMembers; j++) {
        const v = memberLogits[j * nRows + i];
        if (!Number.isFinite(v)) {
          throw new RiskscoreError('non_finite_output', `member ${runners[j].name} produced ${v} for row ${i}`, { path: ['members', j], details: { row: i } });
        }
        z += runners[j].weight * v;
      }
      logits[i] = z;
      scores[i] = calibrate(z);
    }
    return { memberLogits, logits, scores };
  }

  function assemble(event: Record<string, unknown>, i: number, nRows: number, out: { memberLogits: Float64Array; logits: Float64Array; scores: Float64Array }, timings: ScoreTimings): ScoreResult {
    const score = out.scores[i];
    const d = decide(score, event);
    const reasons: ScoreReason[] = [];
    if (d.ruleId) {
      const t = reasonTexts[d.ruleId];
      reasons.push({ code: d.reason ?? d.ruleId, text: t?.text ?? d.reason ?? d.ruleId, source: 'rule', ref: d.ruleId });
    }
    const memberScores: Record<string, number> = {};
    for (let j = 0; j < nMembers; j++) memberScores[runners[j].name] = sigmoid(out.memberLogits[j * nRows + i]);
    return { score, logit: out.logits[i], decision: d.decision, reasons, memberScores, model: bundle.id, timings };
  }

  return {
    model: bundle.id,
    bundle,
    featureNames: features.names,
    async score(event, scoreOptions) {
      const t0 = nowMs();
      validator.validate(event);
      const row = new Float32Array(width);
      if (scoreOptions?.commit === false && features.peek) features.peek(event, row, 0);
      else features.compute(event, row, 0);
      const t1 = nowMs();
      const memberUs = new Array<number>(nMembers);
      const out = await predictFeatures(row, 1, memberUs);
      const t2 = nowMs();
      const membersUs: Record<string, number> = {};
      let sumMembers = 0;
      for (let j = 0; j < nMembers; j++) { membersUs[runners[j].name] = memberUs[j]; sumMembers += memberUs[j]; }
      const timings: ScoreTimings = { featuresUs: (t1 - t0) * 1000, membersUs, ensembleUs: 0, totalUs: 0 };
      const result = assemble(event, 0, 1, out, timings);
      const t3 = nowMs();
      timings.ensembleUs = Math.max(0, (t2 - t1) * 1000 - sumMembers) + (t3 - t2) * 1000;
      timings.totalUs = (t3 - t0) * 1000;
      observer?.observe(row, 0, result.score, timings.totalUs, result.decision);
      const ex = scoreOptions?.explain;
      if (ex) {
        const te = nowMs();
        explainer ??= createScoreExplainer(bundle, runners, features.lineage);
        const { explanation, reasons } = await explainer.explain(row, ex === true ? {} : ex);
        timings.explainUs = (nowMs() - te) * 1000;
        result.explanation = explanation;
        for (const r of reasons) result.reasons.push({ ...r, source: 'attribution' });
      }
      return result;
    },
    async scoreBatch(events) {
      const t0 = nowMs();
      const n = events.length;
      for (let i = 0; i < n; i++) {
        try {
          validator.validate(events[i]);
        } catch (e) {
          if (RiskscoreError.isInstance(e)) {
            throw new RiskscoreError('invalid_event', `event ${i}: ${e.message}`, { path: [i, ...e.path.slice(1)], details: e.details, cause: e });
          }
          throw e;
        }
      }
      const rows = new Float32Array(n * width);
      for (let i = 0; i < n; i++) {
        try {
          features.compute(events[i] as Record<string, unknown>, rows, i * width);
        } catch (e) {
          if (RiskscoreError.isInstance(e)) {
            throw new RiskscoreError(e.code as RiskscoreErrorCode, `event ${i}: ${e.message}`, { path: [i, ...e.path], details: { ...e.details, committedBefore: i }, cause: e });
          }
          throw e;
        }
      }
      const t1 = nowMs();
      const memberUs = new Array<number>(nMembers);
      const out = await predictFeatures(rows, n, memberUs);
      const t2 = nowMs();
      const membersUs: Record<string, number> = {};
      for (let j = 0; j < nMembers; j++) membersUs[runners[j].name] = memberUs[j];
      const timings: ScoreTimings = { featuresUs: (t1 - t0) * 1000, membersUs, ensembleUs: 0, totalUs: (t2 - t0) * 1000 };
      const results = events.map((e, i) => assemble(e as Record<string, unknown>, i, n, out, timings));
      if (observer) {
        const perRowUs = timings.totalUs / Math.max(1, n);
        for (let i = 0; i < n; i++) observer.observe(rows, i * width, results[i].score, perRowUs, results[i].decision);
      }
      return results;
    },
    predictFeatures: (rows, nRows) => predictFeatures(rows, nRows),
    recordOutcome: (event, label) => features.recordOutcome?.(event, label) ?? 0,
    async close() {
      await Promise.all(runners.map((r) => r.release()));
    },
  };
}
