/**
 * The dashboard's data, once a second: one JSON object with the four panels (risk
 * monitor, model insights, system health, business metrics), made from the collector,
 * the insights, the service's metrics, the monitor and the scorer's entity store. The
 * page renders exactly this object, and `GET /dashboard/api/snapshot` returns it.
 */
import { SCORE_FEATURE, type Decision, type EventGrouping, type LoadedBundle, type ModelQuality, type PrometheusFamily, type WindowReport } from '@riskscore/core';
import { binIndex, fairnessSummary, groupMetrics, type FairnessSummary } from '@riskscore/explain';
import type { DashboardCollector, LabelledDecision } from './dashboard-collector';
import type { InsightsSummary } from './model-insights';
import type { RegistrySummary } from './registry-summary';

/** Money each outcome costs (the cost matrix); an approved fraud costs its amount unless a number is given. */
export interface CostMatrix {
  /** A fraud (label 1) approved: `'amount'` (default, the event's amount) or a fixed cost. */
  readonly fraudApproved?: 'amount' | number;
  /** A genuine event (label 0) declined: lost business and goodwill (default 10). */
  readonly falseDecline?: number;
  /** Any event sent to review: the analyst's time (default 2). */
  readonly review?: number;
}

/** The monitor as the dashboard reads it (core's Monitor has all of it). */
export interface DashboardMonitor {
  readonly lastWindow?: WindowReport | null;
  quality?(): ModelQuality[];
}

/** The entity store as the dashboard reads it (core's scorer `state`). */
export interface DashboardStateStore {
  size(entity: number): number;
  bytes(entity: number): number;
  evictions?(entity: number): number;
  readonly maxEntitiesPerKind?: number;
}

/** One drift window as the insights panel plots it. */
interface DriftPoint {
  readonly index: number;
  readonly end: number;
  readonly count: number;
  /** PSI per feature (the score as `score`). */
  readonly psi: Readonly<Record<string, number>>;
  /** Features with an alert in this window. */
  readonly alerts: readonly string[];
}

/** The object the page renders (see the module comment). */
export interface DashboardSnapshot {
  readonly time: number;
  readonly model: string;
  readonly risk: {
    readonly scoreBins: readonly string[];
    /** Reference share per bin (the bundle's profile of the score), or null without one. */
    readonly reference: readonly number[] | null;
    readonly current: readonly number[];
    readonly currentCount: number;
    readonly totals: Readonly<Record<Decision, number>>;
    readonly overTime: { readonly t: readonly number[]; readonly approve: readonly number[]; readonly review: readonly number[]; readonly decline: readonly number[] };
    readonly latest: ReadonlyArray<{ readonly id: string | number | null; readonly at: number; readonly score: number; readonly decision: Decision; readonly reasons: readonly string[]; readonly amount: number | null; readonly explainable: boolean; /** The deciding version (a registry), else null. */ readonly version: string | null }>;
  };
  readonly insights: InsightsSummary & {
    readonly drift: { readonly features: readonly string[]; readonly windows: readonly DriftPoint[] };
    readonly quality: ReadonlyArray<{ readonly model: string; readonly labelled: number; readonly positives: number; readonly rocAuc: number | null; readonly lower: number | null; readonly upper: number | null }>;
    readonly fairness: {
      readonly field: string;
      readonly groups: ReadonlyArray<{ readonly value: string; readonly label: string; readonly n: number; readonly approvalRate: number; readonly truePositiveRate: number | null; readonly falsePositiveRate: number | null }>;
      readonly summary: Pick<FairnessSummary, 'fourFifthsRatio' | 'passesFourFifthsRule' | 'equalizedOddsRatio'> | null;
      readonly minGroupSize: number;
    } | null;
    /** The registry's versions and its experiment's verdict (null: the service scores one bundle). */
    readonly registry: RegistrySummary | null;
  };
  readonly health: {
    readonly requestsPerSecond: number;
    readonly requestsTotal: number;
    readonly latency: ReadonlyArray<{ readonly stage: string; readonly p50Ms: number | null; readonly p99Ms: number | null }>;
    readonly errors: Readonly<Record<string, number>>;
    readonly rateLimited: number;
    readonly shed: number;
    readonly batch: { readonly batches: number; readonly meanRows: number | null; readonly p50QueueWaitMs: number | null };
    readonly eventLoopLagMs: { readonly p50: number | null; readonly p99: number | null };
    readonly memory: { readonly rssMiB: number; readonly heapUsedMiB: number };
    readonly inFlight: number;
    readonly entityStore: ReadonlyArray<{ readonly entity: string; readonly held: number; readonly capacity: number | null; readonly fill: number | null; readonly evictions: number | null; readonly MiB: number }>;
    readonly requestRate: { readonly t: readonly number[]; readonly perSecond: readonly number[] };
  };
  readonly business: {
    readonly scored: number;
    readonly approvalRate: number | null;
    readonly labelled: number;
    readonly fraudCaught: { readonly count: number; readonly amount: number };
    readonly fraudMissed: { readonly count: number; readonly amount: number };
    readonly falsePositiveRate: number | null;
    readonly reviewQueue: { readonly pending: number; readonly lastMinute: number };
    readonly cost: { readonly model: number; readonly baseline: number; readonly saved: number; readonly baselineName: string };
  };
}

/** Prometheus' `histogram_quantile`: linear within the bucket the rank falls in; null when empty. */
export function histogramQuantile(samples: PrometheusFamily['samples'], match: Readonly<Record<string, string>>, q: number): number | null {
  const buckets = samples
    .filter((s) => s.suffix === '_bucket' && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), n: s.value }))
    .sort((a, b) => a.le - b.le);
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1].n;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0, prevN = 0;
  for (const b of buckets) {
    if (b.n >= rank) {
      if (b.le === Infinity) return prevLe; // past the last finite bound: its value
      return prevLe + ((b.le - prevLe) * (rank - prevN)) / Math.max(1e-12, b.n - prevN);
    }
    prevLe = b.le;
    prevN = b.n;
  }
  return prevLe;
}

const familyOf = (fams: readonly PrometheusFamily[], name: string): PrometheusFamily['samples'] => fams.find((f) => f.name === name)?.samples ?? [];
const sumOf = (samples: PrometheusFamily['samples'], suffix?: string): number => samples.filter((s) => s.suffix === suffix).reduce((a, s) => a + s.value, 0);

/** The reference's score bins and shares from the bundle's profile (null without a score entry). */
export function scoreReferenceOf(bundle: LoadedBundle): { edges: number[]; shares: number[] } | null {
  const ref = bundle.reference as { features?: Array<{ name: string; kind: string; edges?: number[]; counts?: number[] }> } | null;
  const f = ref?.features?.find((x) => x.name === SCORE_FEATURE && x.kind === 'numeric');
  if (!f?.edges || !f.counts) return null;
  const total = f.counts.reduce((a, b) => a + b, 0);
  return { edges: f.edges, shares: f.counts.map((c) => c / Math.max(1, total)) };
}

/** The cost of one labelled decision under the cost matrix. */
function costOf(decision: Decision, label: 0 | 1, amount: number, c: Required<CostMatrix>): number {
  if (decision === 'review') return c.review;
  if (label === 1) return decision === 'approve' ? (c.fraudApproved === 'amount' ? amount : c.fraudApproved) : 0;
  return decision === 'decline' ? c.falseDecline : 0;
}

/** The fairness panel from the labelled decisions (flagged = not approved; favourable = approval). */
function fairnessOf(labelled: readonly LabelledDecision[], grouping: EventGrouping, minGroupSize: number): NonNullable<DashboardSnapshot['insights']['fairness']> {
  const values: string[] = [];
  const index = new Map<string, number>();
  const rows = labelled.filter((l) => l.group !== null);
  const codes = new Int32Array(rows.length);
  const flagged = new Float64Array(rows.length);
  const y = new Uint8Array(rows.length);
  rows.forEach((l, i) => {
    let g = index.get(l.group!);
    if (g === undefined) { g = values.length; values.push(l.group!); index.set(l.group!, g); }
    codes[i] = g;
    flagged[i] = l.decision === 'approve' ? 0 : 1;
    y[i] = l.label;
  });
  const field = grouping.name;
  if (rows.length === 0) return { field, groups: [], summary: null, minGroupSize };
  const m = groupMetrics(flagged, y, codes, 0.5);
  let summary: NonNullable<DashboardSnapshot['insights']['fairness']>['summary'] = null;
  try {
    const s = fairnessSummary(m, { favourable: 'not_selected', minGroupSize });
    summary = { fourFifthsRatio: s.fourFifthsRatio, passesFourFifthsRule: s.passesFourFifthsRule, equalizedOddsRatio: s.equalizedOddsRatio };
  } catch { /* fewer than two groups of minGroupSize rows: no summary */ }
  return {
    field,
    groups: m.map((g) => ({ value: values[g.group], label: grouping.labelOf(values[g.group]), n: g.n, approvalRate: 1 - g.selectionRate, truePositiveRate: g.truePositiveRate, falsePositiveRate: g.falsePositiveRate }))
      .sort((a, b) => grouping.compare(a.value, b.value)),
    summary,
    minGroupSize,
  };
}

/** What {@link buildSnapshot} reads. */
export interface SnapshotSources {
  readonly model: string;
  readonly bundle: LoadedBundle;
  readonly collector: DashboardCollector;
  readonly insights: InsightsSummary;
  readonly families: readonly PrometheusFamily[];
  readonly monitor?: DashboardMonitor;
  readonly state?: DashboardStateStore;
  readonly driftHistory: readonly DriftPoint[];
  readonly requestRate: { readonly t: readonly number[]; readonly perSecond: readonly number[] };
  readonly costs: Required<CostMatrix>;
  readonly baselineName: string;
  /** The fairness groups (resolved from the dashboard's groupField); absent: no fairness panel. */
  readonly grouping?: EventGrouping;
  readonly minGroupSize: number;
  readonly registry?: RegistrySummary | null;
}

/** Drift of one monitor window as the insights panel keeps it. */
export function driftPointOf(w: WindowReport): DriftPoint {
  const psi: Record<string, number> = {};
  for (const d of w.drift) if (d.statistic === 'psi') psi[d.feature === SCORE_FEATURE ? 'score' : d.feature] = d.value;
  return { index: w.index, end: w.window.end, count: w.window.count, psi, alerts: [...new Set(w.alerts.map((a) => (a.feature === SCORE_FEATURE ? 'score' : a.feature)))] };
}

/** Builds the snapshot (see the module comment). */
export function buildSnapshot(src: SnapshotSources): DashboardSnapshot {
  const c = src.collector;
  const ref = scoreReferenceOf(src.bundle);
  // Without a reference: bins finer at the low end, where most scores of a rare-event model lie.
  const edges = Float64Array.from(ref?.edges ?? [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75]);
  const scores = c.latestScores();
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < scores.length; i++) counts[binIndex(edges, scores[i])]++;
  const fmtEdge = (v: number) => v.toFixed(3);
  const scoreBins = counts.map((_, k) => (k === 0 ? `< ${fmtEdge(edges[0])}` : k === edges.length ? `≥ ${fmtEdge(edges[k - 1])}` : `${fmtEdge(edges[k - 1])}–${fmtEdge(edges[k])}`));

  // Drift over windows: the features whose PSI peaked highest, and every feature with an alert.
  const peak = new Map<string, number>();
  for (const w of src.driftHistory) for (const [f, v] of Object.entries(w.psi)) peak.set(f, Math.max(peak.get(f) ?? 0, v));
  const alerted = new Set(src.driftHistory.flatMap((w) => w.alerts));
  const driftFeatures = [...peak.entries()].sort((a, b) => b[1] - a[1]).map(([f]) => f).filter((f, i) => i < 5 || alerted.has(f)).slice(0, 8);

  const fams = src.families;
  const reqs = familyOf(fams, 'riskscore_http_requests_total');
  const stageSamples = familyOf(fams, 'riskscore_score_stage_duration_seconds');
  const durSamples = familyOf(fams, 'riskscore_http_request_duration_seconds');
  const toMs = (v: number | null) => (v === null ? null : v * 1000);
  const latency = [
    { stage: 'request (POST /v1/score)', p50Ms: toMs(histogramQuantile(durSamples, { route: 'score' }, 0.5)), p99Ms: toMs(histogramQuantile(durSamples, { route: 'score' }, 0.99)) },
    ...['features', 'members', 'ensemble'].map((stage) => ({ stage, p50Ms: toMs(histogramQuantile(stageSamples, { stage }, 0.5)), p99Ms: toMs(histogramQuantile(stageSamples, { stage }, 0.99)) })),
  ];
  const errors: Record<string, number> = {};
  for (const s of familyOf(fams, 'riskscore_errors_total')) errors[s.labels.code] = s.value;
  const batchSamples = familyOf(fams, 'riskscore_batch_rows');
  const batches = sumOf(batchSamples, '_count');
  const lag = familyOf(fams, 'riskscore_event_loop_lag_seconds');
  const lagMs = (q: string) => { const s = lag.find((x) => x.labels.quantile === q); return s === undefined ? null : s.value * 1000; };
  const mem = process.memoryUsage();
  const entities = ((src.bundle.manifest.features.spec as { entities?: Array<{ name: string }> } | undefined)?.entities ?? []).map((e) => e.name);
  const st = src.state;
  const entityStore = st === undefined ? [] : entities.map((entity, k) => {
    const held = st.size(k);
    const capacity = st.maxEntitiesPerKind ?? null;
    return { entity, held, capacity, fill: capacity === null ? null : held / capacity, evictions: st.evictions ? st.evictions(k) : null, MiB: st.bytes(k) / 2 ** 20 };
  });

  const labelled = c.labelled.toArray();
  let caughtN = 0, caughtAmt = 0, missedN = 0, missedAmt = 0, negatives = 0, falsePos = 0, modelCost = 0, baseCost = 0;
  for (const l of labelled) {
    if (l.label === 1) {
      if (l.decision === 'approve') { missedN++; missedAmt += l.amount; } else { caughtN++; caughtAmt += l.amount; }
    } else {
      negatives++;
      if (l.decision !== 'approve') falsePos++;
    }
    modelCost += costOf(l.decision, l.label, l.amount, src.costs);
    baseCost += costOf(l.baseline, l.label, l.amount, src.costs);
  }
  const overTime = c.decisionsOverTime();
  const lastMinuteReviews = overTime.review.slice(-60).reduce((a, b) => a + b, 0);
  const totalScored = c.totals.approve + c.totals.review + c.totals.decline;
  const quality = (src.monitor?.quality?.() ?? []).map((q) => ({ model: q.model, labelled: q.labelled, positives: q.positives, rocAuc: q.rocAuc, lower: q.rocAucCi?.lower ?? null, upper: q.rocAucCi?.upper ?? null }));

  return {
    time: c.clock(),
    model: src.model,
    risk: {
      scoreBins,
      reference: ref?.shares ?? null,
      current: counts.map((n) => n / Math.max(1, scores.length)),
      currentCount: scores.length,
      totals: { ...c.totals },
      overTime,
      latest: c.latestDecisions().map((d) => ({ id: d.id, at: d.at, score: d.score, decision: d.decision, reasons: d.reasons, amount: d.amount, explainable: d.features !== null && d.id !== null, version: d.version })),
    },
    insights: {
      ...src.insights,
      drift: { features: driftFeatures, windows: src.driftHistory },
      quality,
      fairness: src.grouping === undefined ? null : fairnessOf(labelled, src.grouping, src.minGroupSize),
      registry: src.registry ?? null,
    },
    health: {
      requestsPerSecond: src.requestRate.perSecond.length ? src.requestRate.perSecond[src.requestRate.perSecond.length - 1] : 0,
      requestsTotal: sumOf(reqs),
      latency,
      errors,
      rateLimited: errors.rate_limited ?? 0,
      shed: errors.overloaded ?? 0,
      batch: { batches, meanRows: batches > 0 ? sumOf(batchSamples, '_sum') / batches : null, p50QueueWaitMs: toMs(histogramQuantile(familyOf(fams, 'riskscore_batch_queue_wait_seconds'), {}, 0.5)) },
      eventLoopLagMs: { p50: lagMs('0.5'), p99: lagMs('0.99') },
      memory: { rssMiB: mem.rss / 2 ** 20, heapUsedMiB: mem.heapUsed / 2 ** 20 },
      inFlight: sumOf(familyOf(fams, 'riskscore_http_requests_in_flight')),
      entityStore,
      requestRate: src.requestRate,
    },
    business: {
      scored: totalScored,
      approvalRate: totalScored > 0 ? c.totals.approve / totalScored : null,
      labelled: labelled.length,
      fraudCaught: { count: caughtN, amount: caughtAmt },
      fraudMissed: { count: missedN, amount: missedAmt },
      falsePositiveRate: negatives > 0 ? falsePos / negatives : null,
      reviewQueue: { pending: c.pendingReviews, lastMinute: lastMinuteReviews },
      cost: { model: modelCost, baseline: baseCost, saved: baseCost - modelCost, baselineName: src.baselineName },
    },
  };
}
