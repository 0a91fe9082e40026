/**
 * A monitoring report for a batch of events: every event is scored with the bundle and
 * observed by core's monitor (one window over the whole batch), the labelled ones give
 * the quality metrics, a group field gives fairness by group. The result is the data and
 * one self-contained HTML page (see `reportHtml`).
 */
import {
  categoricalFeaturesOf,
  createMonitor,
  createScorer,
  eventGrouping,
  modelQualityFromOutcomes,
  referenceProfileFromRows,
  RiskscoreError,
  SCORE_FEATURE,
  type EventGrouping,
  type InferenceBackend,
  type LoadedBundle,
  type ModelQuality,
  type WindowReport,
} from '@riskscore/core';
import {
  binIndex,
  DEFAULT_DRIFT_THRESHOLDS,
  fairnessSummary,
  groupMetrics,
  validateReferenceProfile,
  type DriftThresholds,
  type FairnessSummary,
  type GroupMetrics,
  type NumericFeatureProfile,
  type ReferenceProfile,
} from '@riskscore/explain';

/** Groups with fewer labelled rows are shown in the report's fairness table but kept out of its disparity summary. */
const FAIRNESS_MIN_GROUP = 30;
import { createNodeBackend } from '../backend/node-backend';
import { reportHtml } from './report-html';

/** One line of the events file: the raw event and its outcome when known. */
export interface LabelledEvent {
  readonly event: unknown;
  readonly label: number | null;
}

/** Options of {@link createRiskReport}. */
export interface RiskReportOptions {
  readonly bundle: LoadedBundle;
  readonly events: readonly LabelledEvent[];
  /** Runs neural members (default: onnxruntime-node). */
  readonly backend?: InferenceBackend;
  /** A reference profile (default: the bundle's). */
  readonly reference?: unknown;
  /**
   * Reference rows in feature order (null = missing): profiled with the bundle's
   * categorical features, and scored to give the score's reference distribution.
   */
  readonly referenceRows?: ReadonlyArray<ReadonlyArray<number | null>>;
  /**
   * The groups of the fairness section: an input field (labelled by its categories) or a
   * grouping the manifest derives from one (`groups`, such as age bands).
   */
  readonly groupField?: string;
  readonly thresholds?: DriftThresholds;
  readonly title?: string;
  /** Stamp shown in the report (default: now, ISO 8601). */
  readonly generatedAt?: string;
}

/** One group of the fairness section: its key (a field value or band) and what it is shown as. */
export interface ReportGroup extends GroupMetrics {
  readonly value: string;
  readonly label: string;
}

/** Everything the report shows. */
export interface RiskReportData {
  readonly title: string;
  readonly model: string;
  readonly generatedAt: string;
  readonly events: number;
  readonly scored: number;
  /** Events refused by the input schema, with the first few messages. */
  readonly refused: number;
  readonly refusals: readonly string[];
  readonly labelled: number;
  readonly decisions: Readonly<Record<string, number>>;
  readonly thresholds: DriftThresholds;
  /** Share of missing values per profiled feature that is an input field: in the reference profile and in the batch. */
  readonly missing: Readonly<Record<string, { readonly reference: number; readonly current: number }>>;
  /** The monitor's window over the batch; null without a reference profile. */
  readonly drift: WindowReport | null;
  /** Score distribution on the reference's score bins; null without a score reference. */
  readonly scoreDistribution: { readonly bins: readonly string[]; readonly reference: readonly number[]; readonly current: readonly number[] } | null;
  /** Quality over the labelled events; null without labels. */
  readonly quality: ModelQuality | null;
  readonly fairness: {
    /** The grouping asked for (a field or a manifest grouping) and the input field it reads. */
    readonly field: string;
    readonly sourceField: string;
    /** Scores at or above it are "selected" (not approved): the policy's approveBelow. */
    readonly threshold: number;
    readonly groups: readonly ReportGroup[];
    readonly summary: FairnessSummary | null;
    /** Why the summary is missing (a group without positives, one group only). */
    readonly note: string | null;
  } | null;
}

/** Right-closed bin labels of a numeric profile: ≤ e₀, (e₀, e₁], …, > e_last. */
function binLabels(edges: readonly number[]): string[] {
  const fmt = (v: number) => (Math.abs(v) < 1 ? v.toFixed(3) : v.toPrecision(3));
  const out = [`≤ ${fmt(edges[0])}`];
  for (let i = 1; i < edges.length; i++) out.push(`≤ ${fmt(edges[i])}`);
  out.push(`> ${fmt(edges[edges.length - 1])}`);
  return edges.length === 0 ? ['all'] : out;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** The boundary checks of {@link createRiskReport}: once per call, before any scoring. */
function checkReportOptions(o: RiskReportOptions): void {
  const fn = 'createRiskReport';
  if (typeof o !== 'object' || o === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: options must be an object { bundle, events, … }, got ${kindOf(o)}`, { path: ['options'] });
  }
  const b = o.bundle as unknown as { manifest?: unknown } | null;
  if (typeof b !== 'object' || b === null || typeof b.manifest !== 'object' || b.manifest === null) {
    throw new RiskscoreError('invalid_argument', `${fn}: bundle must be a loaded bundle (from loadBundleFromDir or loadBundle), got ${kindOf(b)}`, { path: ['bundle'] });
  }
  if (!Array.isArray(o.events)) {
    throw new RiskscoreError('invalid_argument', `${fn}: events must be an array of { event, label } (one per line of the events file), got ${kindOf(o.events)}`, { path: ['events'] });
  }
  if (o.events.length === 0) {
    throw new RiskscoreError('invalid_argument', `${fn}: events is empty; a report needs at least one event to score`, { path: ['events'] });
  }
  for (let i = 0; i < o.events.length; i++) {
    const e = o.events[i] as unknown as { label?: unknown } | null;
    if (typeof e !== 'object' || e === null) {
      throw new RiskscoreError('invalid_argument', `${fn}: events[${i}] must be an object { event, label }, got ${kindOf(e)}`, { path: ['events', i] });
    }
    if (e.label !== null && e.label !== undefined && typeof e.label !== 'number') {
      throw new RiskscoreError('invalid_argument', `${fn}: events[${i}].label must be 0, 1 or null, got ${kindOf(e.label)}`, { path: ['events', i, 'label'] });
    }
  }
  if (o.referenceRows !== undefined && !Array.isArray(o.referenceRows)) {
    throw new RiskscoreError('invalid_argument', `${fn}: referenceRows must be an array of feature rows, got ${kindOf(o.referenceRows)}`, { path: ['referenceRows'] });
  }
  if (o.groupField !== undefined && typeof o.groupField !== 'string') {
    throw new RiskscoreError('invalid_argument', `${fn}: groupField must be the name of an input field, got ${kindOf(o.groupField)}`, { path: ['groupField'] });
  }
  for (const k of ['title', 'generatedAt'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') {
      throw new RiskscoreError('invalid_argument', `${fn}: ${k} must be a string, got ${kindOf(o[k])}`, { path: [k] });
    }
  }
}

/**
 * Scores a batch of events and builds the report data and HTML.
 *
 * @throws RiskscoreError `invalid_argument` for options that are not an object, a missing bundle, events
 *   that are not a non-empty array of `{ event, label }`, a group field that is not an input field or a bad reference
 * @example
 * const { html, data } = await createRiskReport({ bundle, events: await readEventLines('events.jsonl'), referenceRows, groupField: 'SEX' });
 * await writeFile('report.html', html);
 */
export async function createRiskReport(o: RiskReportOptions): Promise<{ html: string; data: RiskReportData }> {
  checkReportOptions(o);
  const { bundle } = o;
  const manifest = bundle.manifest;
  const order = manifest.features.order;
  let grouping: EventGrouping | null = null;
  try {
    grouping = o.groupField === undefined ? null : eventGrouping(manifest, o.groupField);
  } catch (cause) {
    throw new RiskscoreError('invalid_argument', `createRiskReport (${bundle.id}): ${(cause as Error).message}`, { path: ['groupField'], cause });
  }
  const backend = o.backend ?? createNodeBackend();
  const scorer = await createScorer(bundle, { backend });
  const thresholds = o.thresholds ?? DEFAULT_DRIFT_THRESHOLDS;
  try {
    // ---- the reference: given, the bundle's, or profiled (and scored) from rows
    let profile: ReferenceProfile | null = null;
    let referenceScores: Float64Array | undefined;
    if (o.referenceRows) {
      const n = o.referenceRows.length;
      const matrix = new Float32Array(n * order.length);
      o.referenceRows.forEach((r, i) => {
        if (r.length !== order.length) throw new RiskscoreError('invalid_argument', `createRiskReport: reference row ${i} has ${r.length} values, the bundle has ${order.length} features`, { path: ['referenceRows', i] });
        r.forEach((v, j) => (matrix[i * order.length + j] = v === null ? NaN : v));
      });
      referenceScores = (await scorer.predictFeatures(matrix, n)).scores;
    }
    const given = o.reference ?? bundle.reference;
    if (given !== null && given !== undefined) {
      try {
        profile = validateReferenceProfile(given);
      } catch (cause) {
        const e = cause as { message: string; path?: ReadonlyArray<string | number> };
        throw new RiskscoreError('invalid_argument', `createRiskReport: reference profile: ${e.message}`, { path: ['reference', ...(e.path ?? [])], cause });
      }
    } else if (o.referenceRows) {
      profile = referenceProfileFromRows(o.referenceRows, order, { categorical: categoricalFeaturesOf(manifest), scores: referenceScores });
    }

    // ---- score every event, observed by the monitor (one window over the whole batch)
    const monitor = profile
      ? createMonitor(bundle, {
        reference: profile, referenceScores: profile.features.some((p) => p.name === SCORE_FEATURE) ? undefined : referenceScores,
        window: { events: 2 ** 31 - 1 }, thresholds, alertOn: ['psi', 'jensen_shannon'],
      })
      : null;
    const observed = monitor ? await createScorer(bundle, { backend, observer: monitor }) : scorer;
    const allScores: number[] = [];
    const scores: number[] = [];
    const labels: number[] = [];
    const groupValues: string[] = [];
    const decisions: Record<string, number> = { approve: 0, review: 0, decline: 0 };
    const refusals: string[] = [];
    let refused = 0;
    try {
      for (const { event, label } of o.events) {
        let r;
        try {
          r = await observed.score(event);
        } catch (e) {
          if (!RiskscoreError.isInstance(e) || e.code !== 'invalid_event') throw e;
          refused++;
          if (refusals.length < 5) refusals.push(e.message);
          continue;
        }
        decisions[r.decision]++;
        allScores.push(r.score);
        if (label === 0 || label === 1) {
          scores.push(r.score);
          labels.push(label);
          if (grouping) groupValues.push(grouping.keyOf(event as Record<string, unknown>) ?? 'missing');
        }
      }
    } finally {
      if (observed !== scorer) await observed.close();
    }
    const drift = monitor?.flush() ?? null;

    // ---- score distribution on the reference's score bins (all scored events)
    let scoreDistribution: RiskReportData['scoreDistribution'] = null;
    const scoreProfile = (profile?.features.find((p) => p.name === SCORE_FEATURE) as NumericFeatureProfile | undefined)
      ?? (referenceScores ? (referenceProfileFromRows(Float64Array.from(referenceScores), [SCORE_FEATURE]).features[0] as NumericFeatureProfile) : undefined);
    if (scoreProfile && allScores.length > 0) {
      const edges = Float64Array.from(scoreProfile.edges);
      const cur = new Float64Array(edges.length + 1);
      for (const sc of allScores) cur[binIndex(edges, sc)]++;
      const refTotal = scoreProfile.counts.reduce((a, b) => a + b, 0);
      scoreDistribution = {
        bins: binLabels(scoreProfile.edges),
        reference: scoreProfile.counts.map((c) => c / refTotal),
        current: Array.from(cur, (c) => c / allScores.length),
      };
    }

    // ---- quality and fairness over the labelled events
    const sArr = Float64Array.from(scores), yArr = Uint8Array.from(labels);
    const quality = sArr.length > 0 ? modelQualityFromOutcomes(bundle.id, { scores: sArr, labels: yArr, tracked: sArr.length }) : null;
    let fairness: RiskReportData['fairness'] = null;
    if (grouping && sArr.length > 0) {
      const values = [...new Set(groupValues)].sort(grouping.compare);
      const code = new Map(values.map((v, i) => [v, i]));
      const groups = Uint16Array.from(groupValues, (v) => code.get(v)!);
      const threshold = manifest.decision.approveBelow;
      const gm = groupMetrics(sArr, yArr, groups, threshold);
      let summary: FairnessSummary | null = null;
      let note: string | null = null;
      try {
        // The score is the probability of the adverse outcome: the favourable outcome is
        // approval (score below the threshold), and groups under 30 rows stay out of the aggregates.
        summary = fairnessSummary(gm, { favourable: 'not_selected', minGroupSize: FAIRNESS_MIN_GROUP });
      } catch (e) {
        note = (e as Error).message;
      }
      fairness = {
        field: grouping.name, sourceField: grouping.field, threshold,
        groups: gm.map((g) => ({ ...g, value: values[g.group], label: values[g.group] === 'missing' ? 'missing' : grouping!.labelOf(values[g.group]) })),
        summary, note,
      };
    }

    // Missingness per profiled input field (the feature of the same name): reference vs batch.
    const missing: Record<string, { reference: number; current: number }> = {};
    const fieldNames = new Set(manifest.input.fields.map((fl) => fl.name));
    for (const fp of profile?.features ?? []) {
      if (!fieldNames.has(fp.name) || profile!.rows === 0) continue;
      let absent = 0, n = 0;
      for (const { event } of o.events) {
        if (typeof event !== 'object' || event === null) continue;
        n++;
        const v = (event as Record<string, unknown>)[fp.name];
        if (v === undefined || v === null) absent++;
      }
      missing[fp.name] = { reference: fp.missing / profile!.rows, current: n ? absent / n : 0 };
    }

    const data: RiskReportData = {
      title: o.title ?? `Risk monitoring report — ${bundle.id}`,
      model: bundle.id,
      generatedAt: o.generatedAt ?? new Date().toISOString(),
      events: o.events.length,
      scored: o.events.length - refused,
      refused,
      refusals,
      labelled: sArr.length,
      decisions,
      thresholds,
      missing,
      drift,
      scoreDistribution,
      quality,
      fairness,
    };
    return { html: reportHtml(data), data };
  } finally {
    await scorer.close();
  }
}
