/**
 * The live dashboard: a collector fed per event, model insights from a sample, and a
 * ticker that, while at least one page is connected, builds the snapshot once per
 * `intervalMs` and pushes it with the rendered panels as a server-sent event. With no
 * page open the ticker stops, so an unwatched dashboard costs only `observe`.
 *
 * Routes under `base` (default `/dashboard`): the page (`GET base`), the stream
 * (`GET base/events`), the snapshot as JSON (`GET base/api/snapshot`), and one recent
 * decline's or review's waterfall (`GET base/api/decision?id=`). The scoring service
 * mounts it (`createScoringService({ dashboard })`); over a monitor alone, feed
 * `observe`/`outcome` yourself and serve it with `dashboardRequestListener`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventGrouping, RiskscoreError, type EventGrouping, type LoadedBundle, type ModelRegistry, type PrometheusFamily, type ScoreResult } from '@riskscore/core';
import { waterfallSvg } from '@riskscore/explain';
import { DashboardCollector, type CollectorOptions } from './dashboard-collector';
import { businessPanel, healthPanel, insightsPanel, riskPanel } from './dashboard-panels';
import { dashboardPage } from './dashboard-page';
import { buildSnapshot, driftPointOf, type CostMatrix, type DashboardMonitor, type DashboardSnapshot, type DashboardStateStore } from './dashboard-snapshot';
import { ModelInsights, type InsightsOptions, type InsightsScorer } from './model-insights';
import { RegistryView } from './registry-summary';

/** Options of {@link createDashboard} (and of the service's `dashboard` option). */
export interface DashboardOptions extends CollectorOptions {
  /** Milliseconds between two pushes to the open pages (default 1000, at least 100). */
  readonly intervalMs?: number;
  readonly costs?: CostMatrix;
  /** How the baseline is named on the page (default "approve everything", or "rule baseline" when `baseline` is given). */
  readonly baselineName?: string;
  /** Fairness groups with fewer labelled rows are kept out of the ratios (default 30). */
  readonly minGroupSize?: number;
  /** The model-insights sampler's options, or false to leave the panel's attributions and interactions out. */
  readonly insights?: InsightsOptions | false;
  /** The path it is served under (default `/dashboard`). */
  readonly base?: string;
}

/** What the dashboard reads besides the events. */
export interface DashboardSources {
  readonly scorer: InsightsScorer & { readonly model: string; readonly bundle: LoadedBundle; readonly state?: unknown; readonly registry?: ModelRegistry };
  /** The service's metric families (system health); absent over a monitor alone. */
  readonly families?: () => PrometheusFamily[];
  readonly monitor?: DashboardMonitor;
}

/** A response the dashboard gives: a whole body, or a stream of server-sent events. */
export interface DashboardResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For `GET base/events`: call with a sink; the dashboard writes events until the sink closes. */
  stream?: (sink: EventSink) => void;
}

/** Where a stream's events go: the adapter's response, and a way to learn the client left. */
export interface EventSink {
  write(chunk: string): void;
  onClose(fn: () => void): void;
  /** Ends the stream (the dashboard closes). */
  end(): void;
}

/** The dashboard (see the module comment). */
export interface Dashboard {
  readonly base: string;
  /** Per committed score (the service calls it). */
  observe(event: unknown, id: string | number | undefined, result: ScoreResult): void;
  /** Per late label of an id (the service calls it); true when the id was held. */
  outcome(id: string | number, label: 0 | 1): boolean;
  /** The current snapshot (built now). */
  snapshot(): DashboardSnapshot;
  /** Answers a GET under `base`; undefined for a path that is not the dashboard's. */
  handle(method: string, path: string, query: URLSearchParams): Promise<DashboardResponse | undefined>;
  /** Pages connected now. */
  readonly clients: number;
  /** Ends every stream and stops the ticker. */
  close(): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function invalid(message: string, path: string[]): RiskscoreError {
  return new RiskscoreError('invalid_argument', `createDashboard: ${message}`, { path: ['options', ...path] });
}

/**
 * Creates a dashboard over a scorer (and the service's metrics and monitor when given).
 *
 * @example
 * const service = createScoringService({ scorer, auth, monitor, dashboard: { amountField: 'TX_AMOUNT' } });
 * // open http://127.0.0.1:8080/dashboard?key=<api key>
 */
export function createDashboard(sources: DashboardSources, options: DashboardOptions = {}): Dashboard {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object', []);
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 100) throw invalid(`intervalMs must be a number ≥ 100, got ${String(intervalMs)}`, ['intervalMs']);
  const minGroupSize = options.minGroupSize ?? 30;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) throw invalid(`minGroupSize must be a positive integer, got ${String(minGroupSize)}`, ['minGroupSize']);
  const base = options.base ?? '/dashboard';
  if (!/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/.test(base)) throw invalid(`base must be a path like /dashboard, got ${JSON.stringify(base)}`, ['base']);
  if (options.baseline !== undefined && typeof options.baseline !== 'function') throw invalid('baseline must be a function (event) => decision', ['baseline']);
  const c = options.costs ?? {};
  const costs = { fraudApproved: c.fraudApproved ?? 'amount', falseDecline: c.falseDecline ?? 10, review: c.review ?? 2 } as const;
  for (const k of ['falseDecline', 'review'] as const) if (!(Number.isFinite(costs[k]) && costs[k] >= 0)) throw invalid(`costs.${k} must be a finite number ≥ 0, got ${String(costs[k])}`, ['costs', k]);
  if (costs.fraudApproved !== 'amount' && !(Number.isFinite(costs.fraudApproved) && costs.fraudApproved >= 0)) throw invalid(`costs.fraudApproved must be 'amount' or a number ≥ 0`, ['costs', 'fraudApproved']);
  const baselineName = options.baselineName ?? (options.baseline ? 'rule baseline' : 'approve everything');

  const { scorer, monitor } = sources;
  let grouping: EventGrouping | undefined;
  try {
    grouping = options.groupField === undefined ? undefined : eventGrouping(scorer.bundle.manifest, options.groupField);
  } catch (e) {
    throw invalid(`groupField: ${(e as Error).message}`, ['groupField']);
  }
  const collector = new DashboardCollector(options, grouping);
  const registryView = scorer.registry ? new RegistryView(scorer.registry, collector.clock) : null;
  const insights = options.insights === false ? null : new ModelInsights(scorer, options.insights ?? {}, collector.clock);
  const clients = new Set<EventSink>();
  const driftHistory: ReturnType<typeof driftPointOf>[] = [];
  let lastWindowIndex = -1;
  const rate: Array<{ t: number; total: number }> = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const families = (): PrometheusFamily[] => sources.families?.() ?? [];
  const requestTotal = (fams: PrometheusFamily[]): number => fams.find((f) => f.name === 'riskscore_http_requests_total')?.samples.reduce((a, s) => a + s.value, 0) ?? 0;

  /** Samples what changes between snapshots: the request counter and a newly closed monitor window. */
  function sample(fams: PrometheusFamily[]): void {
    const t = collector.clock() / 1000;
    const total = requestTotal(fams);
    if (rate.length === 0 || t - rate[rate.length - 1].t >= 0.05) rate.push({ t, total });
    if (rate.length > collector.historySeconds + 1) rate.shift();
    const w = monitor?.lastWindow ?? null;
    if (w && w.index !== lastWindowIndex) {
      lastWindowIndex = w.index;
      driftHistory.push(driftPointOf(w));
      if (driftHistory.length > 60) driftHistory.shift();
    }
  }

  function snapshot(): DashboardSnapshot {
    const fams = families();
    sample(fams);
    const t: number[] = [], perSecond: number[] = [];
    for (let i = 1; i < rate.length; i++) {
      t.push(Math.round(rate[i].t));
      perSecond.push((rate[i].total - rate[i - 1].total) / (rate[i].t - rate[i - 1].t));
    }
    return buildSnapshot({
      model: scorer.model, bundle: scorer.bundle, collector,
      insights: insights?.current() ?? { explainedRows: 0, attribution: [], interactionRows: 0, interactions: [], refreshedAt: null },
      families: fams, monitor, state: scorer.state as DashboardStateStore | undefined, driftHistory,
      requestRate: { t, perSecond }, costs, baselineName, grouping, minGroupSize, registry: registryView?.summary() ?? null,
    });
  }

  function push(): void {
    if (clients.size === 0) return;
    void insights?.refresh();
    const s = snapshot();
    const message = `event: snapshot\ndata: ${JSON.stringify({ snapshot: s, html: { risk: riskPanel(s), insights: insightsPanel(s), health: healthPanel(s), business: businessPanel(s) } })}\n\n`;
    for (const sink of clients) {
      try { sink.write(message); } catch { clients.delete(sink); }
    }
  }

  function connect(sink: EventSink): void {
    if (closed) return;
    clients.add(sink);
    sink.onClose(() => {
      clients.delete(sink);
      if (clients.size === 0 && timer !== undefined) { clearInterval(timer); timer = undefined; }
    });
    sink.write(`retry: ${Math.max(1000, intervalMs)}\n\n`);
    if (timer === undefined) {
      timer = setInterval(push, intervalMs);
      timer.unref?.();
    }
    setImmediate(push);
  }

  async function decision(query: URLSearchParams): Promise<DashboardResponse> {
    const id = query.get('id') ?? '';
    const d = collector.recentById(id);
    const notFound = (message: string) => ({ status: 404, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ code: 'not_found', path: ['query', 'id'], message }) });
    if (d === undefined) return notFound(`no recent decline or review with id ${JSON.stringify(id.slice(0, 64))}; the dashboard keeps the latest ${collector.latestDecisions().length}`);
    if (d.features === null || typeof scorer.scoreFeatures !== 'function') return notFound('this scorer kept no feature row for the event, so it cannot be explained as scored');
    let r: ScoreResult;
    try {
      r = await scorer.scoreFeatures(d.features, d.event, { explain: true }, d.version ?? undefined);
    } catch (e) {
      return notFound(`the decision cannot be explained now: ${RiskscoreError.isInstance(e) ? e.message : 'the scorer failed'}`);
    }
    const ex = r.explanation!;
    const svg = waterfallSvg({ values: ex.fields.map((f) => f.attribution), base: ex.base, names: ex.fields.map((f) => f.name), title: `What moved the score of ${id} (logit, by raw field)`, width: 760 });
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ id: d.id, decision: r.decision, score: r.score, logit: r.logit, reasons: r.reasons.map((x) => x.code), complete: ex.complete, fields: ex.fields, base: ex.base, svg }) };
  }

  return {
    base,
    observe(event, id, result) {
      collector.observe(event, id, result);
      insights?.observe(event, result);
    },
    outcome: (id, label) => collector.outcome(id, label),
    snapshot,
    async handle(method, path, query) {
      if (path !== base && !path.startsWith(`${base}/`)) return undefined;
      if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { 'content-type': JSON_TYPE, allow: 'GET' }, body: JSON.stringify({ code: 'method_not_allowed', path: ['method'], message: `${path} takes GET` }) };
      const rest = path.slice(base.length);
      if (rest === '' || rest === '/') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: dashboardPage(base, scorer.model) };
      if (rest === '/api/snapshot') return { status: 200, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }, body: JSON.stringify(snapshot()) };
      if (rest === '/api/decision') return decision(query);
      if (rest === '/events') {
        return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' }, body: '', stream: connect };
      }
      return { status: 404, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ code: 'not_found', path: ['url'], message: `no dashboard route ${path.slice(0, 100)}` }) };
    },
    get clients() { return clients.size; },
    close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      for (const sink of clients) {
        try { sink.end(); } catch { /* already gone */ }
      }
      clients.clear();
    },
  };
}

/**
 * Writes a dashboard response to a node:http response: the body, or the event stream
 * (headers flushed, events written until the client leaves).
 *
 * @example
 * writeDashboardResponse(res, await dashboard.handle('GET', '/dashboard/events', new URLSearchParams()));
 */
export function writeDashboardResponse(res: ServerResponse, r: DashboardResponse): void {
  if (r.stream) {
    res.writeHead(r.status, r.headers);
    res.flushHeaders();
    r.stream({ write: (chunk) => { res.write(chunk); }, onClose: (fn) => { res.on('close', fn); }, end: () => { res.end(); } });
    return;
  }
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

/**
 * A node:http listener serving a dashboard alone (over a monitor, without the scoring
 * service). It checks no caller: listen on 127.0.0.1, or put it behind your own auth.
 *
 * @example
 * http.createServer(dashboardRequestListener(dashboard)).listen(9090, '127.0.0.1');
 */
export function dashboardRequestListener(dashboard: Dashboard): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    dashboard.handle(req.method ?? 'GET', url.pathname, url.searchParams).then(
      (r) => writeDashboardResponse(res, r ?? { status: 404, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ code: 'not_found', path: ['url'], message: `serving ${dashboard.base} only` }) }),
      () => writeDashboardResponse(res, { status: 500, headers: { 'content-type': JSON_TYPE }, body: '{"code":"internal_error","path":[],"message":"the dashboard failed"}' }),
    );
  };
}
