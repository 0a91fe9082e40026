/**
 * The scoring service without a web framework: a request (method, URL, headers, raw
 * body) in, a response (status, headers, JSON or text body) out. The node:http handler
 * and the Fastify plugin are thin adapters over this one function, so both answer every
 * request identically.
 *
 * Routes: POST /v1/score (`?explain=true`, `?timings=true`), POST /v1/score/batch,
 * POST /v1/outcomes, GET /v1/models, GET /healthz, GET /readyz, GET /metrics, and with
 * `dashboard` the live dashboard under GET /dashboard.
 * Every response carries `x-request-id` and, once a model serves, `x-riskscore-model`;
 * every error is `{ code, path, message, requestId }` (docs/service.md lists the codes).
 */
import { randomBytes } from 'node:crypto';
import { isRiskscoreError, RiskscoreError, type ExplainOptions, type LoadedBundle, type ModelRegistry, type ScoreOptions, type ScoreOutcome, type ScoreResult } from '@riskscore/core';
import { explanationJson } from '../batch/outcome-json';
import { createDashboard, type Dashboard, type DashboardOptions, type EventSink } from '../dashboard/create-dashboard';
import type { DashboardMonitor } from '../dashboard/dashboard-snapshot';
import { adminRequest, type AdminOptions } from './admin-api';
import { createApiKeyCheck, type StoredApiKey } from './api-keys';
import { RecentEvents } from './recent-events';
import { createScoringQueue, type MicroBatchOptions, type ScoringQueue } from './scoring-queue';
import { errorBody, ServiceError, statusOfCode, toServiceError } from './service-error';
import { createServiceMetrics, type PromRegistryLike, type ServiceMetrics } from './service-metrics';
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from './token-bucket';

/**
 * What the service needs of a scorer: a `Scorer` (createScorer) in this thread, or a
 * worker scorer (createWorkerScorer) whose state lives in a worker thread.
 */
export interface ServiceScorer {
  readonly model: string;
  readonly bundle: LoadedBundle;
  readonly featureNames: readonly string[];
  /** Scores one event, giving a result or the typed reason there is none (POST /v1/score). */
  safeScore(event: unknown, options?: ScoreOptions): Promise<ScoreOutcome>;
  /** Scores events in order, one outcome per event (POST /v1/score/batch); `features` asks for each row (the dashboard keeps its declines' rows). */
  scoreBatch(events: readonly unknown[], options?: { features?: boolean }): Promise<ScoreOutcome[]>;
  /** Feeds an earlier event's outcome (1 adverse, 0 not) to label-delayed features; returns how many entity windows held it (POST /v1/outcomes). */
  recordOutcome(event: Readonly<Record<string, unknown>>, label: number): number | Promise<number>;
  /** Runs the members on a ready feature matrix (row-major); the service calls it to warm up before /readyz says ready. */
  predictFeatures(rows: Float32Array, nRows: number): Promise<unknown>;
  /**
   * Scores (and explains) a kept feature row without touching entity state: the
   * dashboard's waterfall of a decline and its sampled attributions. `version` names the
   * version that scored the row where several may (a registry). Absent: no waterfall.
   */
  scoreFeatures?(row: Float32Array, event?: unknown, options?: { explain?: boolean | ExplainOptions }, version?: string): Promise<ScoreResult>;
  /** The registry behind the scorer (registryServiceScorer): the dashboard shows its versions and verdict. */
  readonly registry?: ModelRegistry;
}

/**
 * What the service needs of a monitor: a `Monitor` (createMonitor, observing the scorer
 * in this thread), or a worker scorer's `monitor` (which tracks ids in the worker itself).
 */
export interface ServiceMonitor {
  /** The monitor's metrics in the Prometheus text format, appended to GET /metrics. */
  metrics(): string | Promise<string>;
  /** Remembers a scored id for its label (absent: the scorer's side tracks ids). */
  track?(id: string, score: number): void;
  /** Joins a late label to a tracked id; false when the id is not (or no longer) held. */
  recordOutcome(id: string, label: 0 | 1): boolean | Promise<boolean>;
  /** Closes the monitor's current sub-window; called when the service closes (a failure is logged, not thrown). */
  flush(): unknown;
}

/** A request as an adapter hands it over. */
export interface ServiceRequest {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body (absent for GET). */
  readonly body?: Buffer | string;
  readonly remoteAddress?: string;
}

/** What the adapter writes back. */
export interface ServiceResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A server-sent event stream (the dashboard's): the adapter writes the headers, then hands this its response as a sink. */
  stream?: (sink: EventSink) => void;
}

/** Who may call: stored API keys, a verifier of bearer tokens, or nobody checked (`false`). */
export type ServiceAuth =
  | { readonly apiKeys: readonly StoredApiKey[] }
  | {
      /** Checks a bearer token (or `x-api-key`): returns the caller's name, or `undefined` to refuse with 401 (a verifier that throws refuses too). */
      readonly verify: (token: string, request: ServiceRequest) => string | undefined | Promise<string | undefined>;
    }
  | false;

/** A pino-compatible logger (pino itself, or anything with these methods). */
export interface LoggerLike {
  /** Logs at info level (admin API calls). */
  info(obj: object, msg?: string): void;
  /** Logs at warn level (a verifier that threw, a failed warm-up or monitor flush). */
  warn(obj: object, msg?: string): void;
  /** Logs at error level (requests and events that failed with a 5xx). */
  error(obj: object, msg?: string): void;
  /** Logs at debug level: one line per request, when `isLevelEnabled('debug')` says so. */
  debug?(obj: object, msg?: string): void;
  /** Whether `level` is logged; without it, no debug line is written. */
  isLevelEnabled?(level: string): boolean;
}

/** The part of an OpenTelemetry `Tracer` the service uses (`trace.getTracer('riskscore')`). */
export interface TracerLike {
  /** Starts a span for one request, with its method, route and request id as attributes. */
  startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }): SpanLike;
}
/** The part of an OpenTelemetry `Span` the service uses. */
export interface SpanLike {
  /** Sets one attribute (the response status, the model). */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the span's status (code 2, error, for a 5xx response). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records the error of a request that failed with a 5xx. */
  recordException(e: unknown): unknown;
  /** Ends the span once the response is ready. */
  end(): void;
}

/** Size and time limits of the service; a value that is not a positive integer throws `invalid_argument`. */
export interface ServiceLimits {
  /** Largest body accepted, in bytes (default 1 MiB): 413 above it. */
  readonly maxBodyBytes?: number;
  /** Most events in one batch request (default 1000): 413 above it. */
  readonly maxBatchEvents?: number;
  /** Requests handled at once before new ones are shed with 503 (default 4096). */
  readonly maxInFlight?: number;
  /** Longest a client may take to send its body, in ms (default 10 s): 408 after it. */
  readonly bodyTimeoutMs?: number;
  /** Longest a client may take to send its headers, in ms (default 10 s; the adapter's server enforces it). */
  readonly headersTimeoutMs?: number;
}

/** Options of createScoringService: the scorer, who may call (required), and the service's limits, monitoring and logging. */
export interface ScoringServiceOptions {
  readonly scorer: ServiceScorer;
  /** Required: who may call (`false` turns checking off, stated rather than defaulted). */
  readonly auth: ServiceAuth;
  /** Per-client token bucket (default 10,000 requests/s, burst 20,000); `false`: off. */
  readonly rateLimit?: RateLimitOptions | false;
  readonly limits?: ServiceLimits;
  /** Micro-batching of single scores (default `{ maxRows: 64, maxWaitUs: 0 }`); `false`: each request scores alone. */
  readonly microBatch?: MicroBatchOptions | false;
  /** Its drift and quality metrics join /metrics; scored ids are tracked for outcomes. */
  readonly monitor?: ServiceMonitor;
  readonly logger?: LoggerLike;
  readonly tracer?: TracerLike;
  /** Origins allowed cross-origin (default none: no CORS headers at all). */
  readonly cors?: { readonly origins: readonly string[] };
  /** Also register the service's metrics in this prom-client registry. */
  readonly promRegistry?: PromRegistryLike;
  /** Event ids remembered for outcomes posted by id (default 100,000). */
  readonly outcomeIds?: number;
  /** Score a row of zeros through every member before /readyz says ready (default true). */
  readonly warm?: boolean;
  /**
   * The model registry's admin API under /v1/admin/ (admin-api.ts), behind its own
   * `auth` (API keys or a verifier; never open). The scorer is then the registry's
   * (`registryServiceScorer(registry)`).
   */
  readonly admin?: AdminOptions & { readonly auth: Exclude<ServiceAuth, false> };
  /**
   * The live dashboard at /dashboard (dashboard/create-dashboard.ts), behind the same
   * `auth` (a page passes its key as `?key=`, since EventSource sends no headers).
   * `true` for the defaults. With it on, scores keep their feature rows for the
   * declines' waterfalls.
   */
  readonly dashboard?: DashboardOptions | boolean;
}

/** The framework-free scoring service: requests in, responses out. Created by createScoringService. */
export interface ScoringService {
  /** Answers one request; a refused or failed request gets a JSON error body (`{ code, path, message, requestId }`) with its status. */
  handle(request: ServiceRequest): Promise<ServiceResponse>;
  /** Resolves once warmed; /readyz is 200 from then on. */
  readonly ready: Promise<void>;
  readonly limits: Required<ServiceLimits>;
  readonly metrics: ServiceMetrics;
  readonly queue: ScoringQueue | undefined;
  /** The dashboard, when `options.dashboard` asked for one. */
  readonly dashboard: Dashboard | undefined;
  /** Stops taking requests (503), waits for those in flight (up to `timeoutMs`), flushes the monitor. */
  close(options?: { timeoutMs?: number }): Promise<{ drained: boolean; inFlight: number }>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const header = (h: ServiceRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function positiveInt(v: number | undefined, dflt: number, path: string[]): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new RiskscoreError('invalid_argument', `createScoringService: ${path.join('.')} must be a positive integer, got ${String(v)}`, { path: ['options', ...path] });
  return v;
}

/** Who is calling, by `auth`: the key's id, the verifier's answer, or the address when unchecked; throws 401. */
function authenticator(auth: ServiceAuth, at: string[]): (req: ServiceRequest, logger?: LoggerLike) => Promise<string> {
  const keyCheck = auth !== false && 'apiKeys' in auth ? createApiKeyCheck(auth.apiKeys) : undefined;
  const verify = auth !== false && 'verify' in auth ? auth.verify : undefined;
  if (auth !== false && keyCheck === undefined && typeof verify !== 'function') {
    throw new RiskscoreError('invalid_argument', `createScoringService: ${at.slice(1).join('.')} must be { apiKeys }, { verify }${at.length === 2 ? ' or false' : ''}`, { path: at });
  }
  return async (req, logger) => {
    if (auth === false) return req.remoteAddress ?? 'anonymous';
    const authz = header(req.headers, 'authorization');
    const token = authz !== undefined && /^bearer /i.test(authz) ? authz.slice(7).trim() : header(req.headers, 'x-api-key');
    const challenge = { 'www-authenticate': 'Bearer realm="riskscore"' };
    if (token === undefined || token === '') throw new ServiceError(401, 'unauthorized', 'send an API key: Authorization: Bearer <key> (or x-api-key: <key>)', ['headers', 'authorization'], challenge);
    let who: string | undefined;
    try {
      who = keyCheck !== undefined ? keyCheck(token) : await verify!(token, req);
    } catch (e) {
      logger?.warn({ err: e }, 'the token verifier threw; the request is refused');
      who = undefined;
    }
    if (who === undefined) throw new ServiceError(401, 'unauthorized', 'the API key or token is not valid', ['headers', 'authorization'], challenge);
    return who;
  };
}

/**
 * Creates the framework-free scoring service over a scorer.
 *
 * @example
 * const service = createScoringService({ scorer, auth: { apiKeys: [{ id: 'checkout', sha256: hashApiKey(key) }] } });
 * const res = await service.handle({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(event) });
 */
export function createScoringService(options: ScoringServiceOptions): ScoringService {
  if (options === null || typeof options !== 'object') throw new RiskscoreError('invalid_argument', 'createScoringService: expected options { scorer, auth }', { path: ['options'] });
  const { scorer, monitor, logger, tracer } = options;
  if (scorer === null || typeof scorer !== 'object' || typeof scorer.scoreBatch !== 'function') {
    throw new RiskscoreError('invalid_argument', 'createScoringService: options.scorer must be a Scorer (createScorer)', { path: ['options', 'scorer'] });
  }
  if (options.auth === undefined) {
    throw new RiskscoreError('invalid_argument', 'createScoringService: options.auth is required: { apiKeys: [{ id, sha256 }] }, { verify(token) }, or false to accept every caller', { path: ['options', 'auth'] });
  }
  const lim = options.limits ?? {};
  const limits: Required<ServiceLimits> = {
    maxBodyBytes: positiveInt(lim.maxBodyBytes, 1 << 20, ['limits', 'maxBodyBytes']),
    maxBatchEvents: positiveInt(lim.maxBatchEvents, 1000, ['limits', 'maxBatchEvents']),
    maxInFlight: positiveInt(lim.maxInFlight, 4096, ['limits', 'maxInFlight']),
    bodyTimeoutMs: positiveInt(lim.bodyTimeoutMs, 10_000, ['limits', 'bodyTimeoutMs']),
    headersTimeoutMs: positiveInt(lim.headersTimeoutMs, 10_000, ['limits', 'headersTimeoutMs']),
  };
  const admin = options.admin;
  if (admin !== undefined && (admin === null || typeof admin !== 'object' || admin.registry === null || typeof admin.registry?.setAlias !== 'function' || admin.auth === undefined || (admin.auth as unknown) === false)) {
    throw new RiskscoreError('invalid_argument', 'createScoringService: options.admin is { registry, auth: { apiKeys } | { verify }, load? } (the admin API is never open)', { path: ['options', 'admin'] });
  }
  const authenticate = authenticator(options.auth, ['options', 'auth']);
  const authenticateAdmin = admin === undefined ? undefined : authenticator(admin.auth, ['options', 'admin', 'auth']);
  const limiter: RateLimiter | undefined = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? { ratePerSecond: 10_000, burst: 20_000 });
  const metrics = createServiceMetrics();
  if (options.promRegistry) metrics.register(options.promRegistry);
  const dashboard = options.dashboard === undefined || options.dashboard === false
    ? undefined
    : createDashboard({ scorer, families: () => metrics.families(), monitor: monitor as DashboardMonitor | undefined }, options.dashboard === true ? {} : options.dashboard);
  const rowOptions = dashboard === undefined ? undefined : { features: true };
  const queue = options.microBatch === false ? undefined : createScoringQueue(scorer, options.microBatch ?? {}, { batch: (rows, queuedUs) => metrics.batch(rows, queuedUs) }, rowOptions);
  const origins = new Set(options.cors?.origins ?? []);
  const recent = new RecentEvents(positiveInt(options.outcomeIds, 100_000, ['outcomeIds']));
  const spec = scorer.bundle.manifest.features.spec as { event?: { idField?: unknown } } | undefined;
  const idField = typeof spec?.event?.idField === 'string' ? spec.event.idField : undefined;
  // A registry's scorer names the version its default alias points at now: read per use.
  const modelNow = (): string => scorer.model;
  const idPrefix = randomBytes(4).toString('hex');
  let nextId = 0;
  let inFlight = 0;
  let closing = false;
  let isReady = false;
  let drained: (() => void) | undefined;

  const ready = (async () => {
    if (options.warm !== false) {
      try {
        await scorer.predictFeatures(new Float32Array(scorer.featureNames.length), 1);
      } catch (e) {
        logger?.warn({ err: e, model: modelNow() }, 'warm-up score failed; the service is ready anyway');
      }
    }
    isReady = true;
  })();

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): ServiceResponse => ({
    status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body),
  });
  const fail = (e: ServiceError, requestId: string): ServiceResponse => {
    metrics.error(e.code);
    return json(e.status, errorBody(e, e.status, requestId), { ...e.headers });
  };

  function parseBody(req: ServiceRequest): unknown {
    const type = header(req.headers, 'content-type');
    if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
      throw new ServiceError(415, 'unsupported_media_type', `send the body as application/json, got ${type === undefined ? 'no content-type' : JSON.stringify(type.slice(0, 80))}`, ['headers', 'content-type']);
    }
    const raw = req.body;
    const size = raw === undefined ? 0 : typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
    if (size > limits.maxBodyBytes) throw new ServiceError(413, 'payload_too_large', `the body is ${size} bytes, more than the limit of ${limits.maxBodyBytes}`, ['body']);
    if (size === 0) throw new ServiceError(400, 'malformed_json', 'the body is empty; send a JSON object', ['body']);
    try {
      return JSON.parse(typeof raw === 'string' ? raw : raw!.toString('utf8'));
    } catch (e) {
      throw new ServiceError(400, 'malformed_json', `the body is not valid JSON: ${(e as Error).message.slice(0, 200)}`, ['body']);
    }
  }

  const idOf = (event: unknown): string | number | undefined => {
    if (idField === undefined || event === null || typeof event !== 'object' || !Object.prototype.hasOwnProperty.call(event, idField)) return undefined;
    const v = (event as Record<string, unknown>)[idField];
    return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
  };

  /** After a committed score: remembered for outcomes by id, tracked by the monitor, counted. */
  function scored(event: unknown, r: ScoreResult): void {
    metrics.decision(r.decision);
    let members = 0;
    for (const k in r.timings.membersUs) members += r.timings.membersUs[k];
    metrics.stages(r.timings.featuresUs, members, r.timings.ensembleUs);
    if (r.duplicate) return;
    const id = idOf(event);
    dashboard?.observe(event, id, r);
    if (id !== undefined) {
      recent.set(id, event as Record<string, unknown>);
      try { monitor?.track?.(String(id), r.score); } catch { /* an id the monitor refuses is only not tracked */ }
    }
  }

  function resultBody(r: ScoreResult, timings: boolean): Record<string, unknown> {
    const b: Record<string, unknown> = { model: r.model, score: r.score, decision: r.decision, reasons: r.reasons, memberScores: r.memberScores };
    // A registry names the version that decided and the experiment arm.
    const routed = r as ScoreResult & { version?: string; arm?: string; experiment?: string | null };
    if (routed.version !== undefined) { b.version = routed.version; b.arm = routed.arm; b.experiment = routed.experiment; }
    if (r.duplicate) b.duplicate = true;
    if (r.explanation) b.explanation = explanationJson(r.explanation);
    if (timings) b.timings = r.timings;
    return b;
  }

  /** One event's error inside a 200 (batch, outcomes): as errorBody words it, so a 5xx-class error shows no internal message. */
  const outcomeError = (e: { code: string; path: ReadonlyArray<string | number>; message: string }, requestId: string, route: string) => {
    const status = statusOfCode(e.code);
    if (status >= 500) logger?.error({ err: e, requestId, model: modelNow(), route }, 'event failed');
    const b = errorBody(e, status, requestId);
    return { code: b.code, path: b.path, message: b.message };
  };

  async function scoreOne(event: unknown, query: URLSearchParams, requestId: string): Promise<ServiceResponse> {
    const explainParam = query.get('explain');
    const explain = explainParam === 'true' || explainParam === '1';
    let explainOptions: ExplainOptions | true = true;
    const topK = query.get('topK');
    if (topK !== null) {
      const k = Number(topK);
      if (!Number.isInteger(k) || k < 1) throw new ServiceError(400, 'invalid_argument', `topK must be a positive integer, got ${JSON.stringify(topK.slice(0, 20))}`, ['query', 'topK']);
      explainOptions = { topK: k };
    }
    const neural = query.get('neural');
    if (neural !== null) {
      // KernelSHAP on a neural member costs tens of ms an event and holds the queue meanwhile; `omit` explains the trees only.
      if (neural !== 'kernel' && neural !== 'omit') throw new ServiceError(400, 'invalid_argument', `neural must be "kernel" or "omit", got ${JSON.stringify(neural.slice(0, 20))}`, ['query', 'neural']);
      explainOptions = { ...(explainOptions === true ? {} : explainOptions), neural };
    }
    const outcome: ScoreOutcome = explain
      ? await (queue ? queue.explain(event, explainOptions) : scorer.safeScore(event, { explain: explainOptions }))
      : await (queue ? queue.score(event) : scorer.safeScore(event, rowOptions));
    if (!outcome.ok) throw toServiceError(outcome.error);
    scored(event, outcome.result);
    return json(200, { requestId, ...resultBody(outcome.result, query.get('timings') === 'true') }, { 'x-riskscore-model': outcome.result.model });
  }

  async function scoreMany(body: unknown, query: URLSearchParams, requestId: string): Promise<ServiceResponse> {
    const events = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? (body as { events?: unknown }).events : undefined;
    if (!Array.isArray(events)) throw new ServiceError(422, 'invalid_argument', 'send { "events": [ … ] } (or a JSON array of events)', ['body', 'events']);
    if (events.length > limits.maxBatchEvents) throw new ServiceError(413, 'payload_too_large', `${events.length} events in one batch, more than the limit of ${limits.maxBatchEvents}`, ['body', 'events']);
    const outcomes = await (queue ? queue.batch(events) : scorer.scoreBatch(events, rowOptions));
    const timings = query.get('timings') === 'true';
    const results = outcomes.map((o, i) => {
      if (!o.ok) return { ok: false, error: outcomeError(o.error, requestId, 'score_batch') };
      scored(events[i], o.result);
      return { ok: true, ...resultBody(o.result, timings) };
    });
    return json(200, { requestId, model: modelNow(), results });
  }

  async function outcomes(body: unknown, requestId: string): Promise<ServiceResponse> {
    const list = body !== null && typeof body === 'object' && Array.isArray((body as { outcomes?: unknown }).outcomes)
      ? (body as { outcomes: unknown[] }).outcomes
      : [body];
    if (list.length > limits.maxBatchEvents) throw new ServiceError(413, 'payload_too_large', `${list.length} outcomes in one request, more than the limit of ${limits.maxBatchEvents}`, ['body', 'outcomes']);
    const many = list.length !== 1 || Array.isArray((body as { outcomes?: unknown }).outcomes);
    const base = many ? ['outcomes'] : [];
    const recordAll = async (): Promise<Array<Record<string, unknown>>> => {
      const out: Array<Record<string, unknown>> = [];
      for (let i = 0; i < list.length; i++) out.push(await record(list[i], i));
      return out;
    };
    const results = await (queue ? queue.run(recordAll) : recordAll());
    return json(200, { requestId, model: modelNow(), results });

    async function record(item: unknown, i: number): Promise<Record<string, unknown>> {
      const at = many ? [...base, i] : base;
      if (item === null || typeof item !== 'object') return { ok: false, error: { code: 'invalid_event', path: at, message: 'an outcome is { "id": …, "label": 0 | 1 } or { "event": { … }, "label": 0 | 1 }' } };
      const o = item as { id?: unknown; event?: unknown; label?: unknown };
      let event: unknown = o.event;
      const id = o.id ?? idOf(o.event);
      if (event === undefined) {
        if (typeof id !== 'string' && typeof id !== 'number') return { ok: false, error: { code: 'invalid_event', path: [...at, 'id'], message: 'name the event by "id" (or send the "event" itself)' } };
        event = recent.get(id);
        if (event === undefined) return { ok: false, id, error: { code: 'invalid_event', path: [...at, 'id'], message: `no event with id ${JSON.stringify(id)} among the last ${recent.maxIds} scored here; send the "event" itself` } };
      }
      if (o.label !== 0 && o.label !== 1 && o.label !== true && o.label !== false) {
        return { ok: false, id, error: { code: 'invalid_event', path: [...at, 'label'], message: 'label must be 1 (adverse: fraud, default), 0, true or false' } };
      }
      const label = o.label === true || o.label === 1 ? 1 : 0;
      try {
        const windows = await scorer.recordOutcome(event as Record<string, unknown>, label);
        let monitored = false;
        if (monitor && id !== undefined) monitored = await monitor.recordOutcome(String(id), label as 0 | 1);
        if (dashboard && id !== undefined) dashboard.outcome(id as string | number, label as 0 | 1);
        return { ok: true, id, windows, monitored };
      } catch (e) {
        if (!isRiskscoreError(e)) throw e;
        return { ok: false, id, error: outcomeError({ code: e.code, path: [...at, ...e.path], message: e.message }, requestId, 'outcomes') };
      }
    }
  }

  function modelsBody(requestId: string): ServiceResponse {
    const m = scorer.bundle.manifest;
    return json(200, {
      requestId,
      models: [{
        id: modelNow(), name: m.name, version: m.version, ready: isReady,
        features: scorer.featureNames.length,
        members: m.members.map((x) => ({ name: x.name, kind: x.kind, weight: x.weight })),
      }],
      ...(admin === undefined ? {} : { versions: admin.registry.versions().map((v) => ({ id: v.ref, aliases: v.aliases, manifestSha256: v.manifestSha256 })), experiment: admin.registry.experiment?.name ?? null }),
    });
  }

  type Route = { route: string; methods: readonly string[] };
  const ROUTES: Record<string, Route> = {
    '/v1/score': { route: 'score', methods: ['POST'] },
    '/v1/score/batch': { route: 'score_batch', methods: ['POST'] },
    '/v1/outcomes': { route: 'outcomes', methods: ['POST'] },
    '/v1/models': { route: 'models', methods: ['GET'] },
    '/healthz': { route: 'healthz', methods: ['GET'] },
    '/readyz': { route: 'readyz', methods: ['GET'] },
    '/metrics': { route: 'metrics', methods: ['GET'] },
  };

  const ADMIN_ROUTE: Route = { route: 'admin', methods: ['GET', 'POST', 'PUT', 'DELETE'] };
  const DASHBOARD_ROUTE: Route = { route: 'dashboard', methods: ['GET'] };
  const isDashboardPath = (path: string): boolean => dashboard !== undefined && (path === dashboard.base || path.startsWith(`${dashboard.base}/`));

  async function route(req: ServiceRequest, requestId: string, r: Route | undefined, path: string, query: URLSearchParams, cors: Record<string, string>): Promise<ServiceResponse> {
    if (r === undefined) throw new ServiceError(404, 'not_found', `no route ${path.slice(0, 100)}; see GET /v1/models, POST /v1/score`, ['url']);
    if (req.method === 'OPTIONS' && cors['access-control-allow-origin'] !== undefined) {
      return { status: 204, headers: { ...cors, 'access-control-allow-methods': r.methods.join(', '), 'access-control-allow-headers': 'authorization, content-type, x-api-key, x-request-id', 'access-control-max-age': '600' }, body: '' };
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (!r.methods.includes(method)) throw new ServiceError(405, 'method_not_allowed', `${path} takes ${r.methods.join(', ')}`, ['method'], { allow: r.methods.join(', ') });
    if (r.route === 'healthz') return json(200, { requestId, status: 'ok' });
    if (r.route === 'readyz') {
      if (!isReady || closing) throw new ServiceError(503, 'not_ready', closing ? 'the service is shutting down' : 'the models are still loading', []);
      return json(200, { requestId, status: 'ready', model: modelNow() });
    }
    let client: string;
    // A dashboard page sends its key in the URL: EventSource cannot set headers.
    const key = r.route === 'dashboard' && header(req.headers, 'authorization') === undefined ? query.get('key') : null;
    const asked = key === null ? req : { ...req, headers: { ...req.headers, 'x-api-key': key } };
    try {
      client = await (r.route === 'admin' ? authenticateAdmin! : authenticate)(asked, logger);
    } catch (e) {
      // Failed attempts spend the caller's address's tokens: guessing keys is rate-limited too.
      if (limiter !== undefined && e instanceof ServiceError && e.status === 401) {
        const wait = limiter.take(`unauthenticated ${req.remoteAddress ?? ''}`);
        if (wait > 0) throw new ServiceError(429, 'rate_limited', `too many failed authentications from this address; retry in ${wait.toFixed(3)} s`, [], { 'retry-after': String(Math.ceil(wait)) });
      }
      throw e;
    }
    if (limiter !== undefined) {
      const wait = limiter.take(client);
      if (wait > 0) throw new ServiceError(429, 'rate_limited', `too many requests for this client; retry in ${wait.toFixed(3)} s`, [], { 'retry-after': String(Math.ceil(wait)) });
    }
    if (r.route === 'metrics') {
      return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: metrics.text() + (monitor ? await monitor.metrics() : '') };
    }
    if (r.route === 'models') return modelsBody(requestId);
    if (r.route === 'dashboard') {
      const d = await dashboard!.handle(method, path, query);
      return d ?? fail(new ServiceError(404, 'not_found', `no route ${path.slice(0, 100)}`, ['url']), requestId);
    }
    if (r.route === 'admin') {
      const rest = path.slice('/v1/admin/'.length);
      const body = await adminRequest(admin!, {
        method, rest, query, actor: client,
        body: () => (req.body === undefined || req.body.length === 0 ? {} : parseBody(req)),
      });
      logger?.info({ requestId, admin: client, method, path }, 'admin');
      return json(200, { requestId, ...body });
    }
    if (!isReady) throw new ServiceError(503, 'not_ready', 'the models are still loading; retry shortly (GET /readyz says when)', [], { 'retry-after': '1' });
    const body = parseBody(req);
    if (r.route === 'score') return scoreOne(body, query, requestId);
    if (r.route === 'score_batch') return scoreMany(body, query, requestId);
    return outcomes(body, requestId);
  }

  async function handle(req: ServiceRequest): Promise<ServiceResponse> {
    const t0 = performance.now();
    const given = header(req.headers, 'x-request-id');
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : `${idPrefix}-${(nextId++).toString(36)}`;
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
    const r = ROUTES[path] ?? (admin !== undefined && path.startsWith('/v1/admin/') ? ADMIN_ROUTE : isDashboardPath(path) ? DASHBOARD_ROUTE : undefined);
    const routeName = r?.route ?? 'unknown';
    const origin = header(req.headers, 'origin');
    const cors: Record<string, string> = origin !== undefined && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
    const span = tracer?.startSpan(`riskscore ${req.method} ${r ? path : 'unknown'}`, { attributes: { 'http.request.method': req.method, 'http.route': r ? path : 'unknown', 'riskscore.request_id': requestId } });
    let res: ServiceResponse;
    // Unknown routes get their 404 and health their answer even when scoring sheds load.
    const scoring = r !== undefined && routeName !== 'healthz' && routeName !== 'readyz' && routeName !== 'metrics' && routeName !== 'dashboard';
    if (scoring && (closing || inFlight >= limits.maxInFlight)) {
      const e = closing
        ? new ServiceError(503, 'not_ready', 'the service is shutting down', [], { connection: 'close' })
        : new ServiceError(503, 'overloaded', `more than ${limits.maxInFlight} requests in flight; retry shortly`, [], { 'retry-after': '1' });
      res = fail(e, requestId);
    } else {
      if (scoring) { inFlight++; metrics.inFlight(1); }
      try {
        res = await route(req, requestId, r, path, query, cors);
      } catch (e) {
        const se = toServiceError(e);
        if (se.status >= 500 && se.code !== 'overloaded' && se.code !== 'not_ready') {
          logger?.error({ err: e, requestId, model: modelNow(), route: routeName }, 'request failed');
          span?.recordException(e);
        }
        res = fail(se, requestId);
      } finally {
        if (scoring) {
          inFlight--;
          metrics.inFlight(-1);
          if (inFlight === 0 && drained) drained();
        }
      }
    }
    const model = res.headers['x-riskscore-model'] ?? modelNow();
    Object.assign(res.headers, cors, { 'x-request-id': requestId, 'x-riskscore-model': model });
    const seconds = (performance.now() - t0) / 1000;
    metrics.request(routeName, res.status, seconds);
    if (span) {
      span.setAttribute('http.response.status_code', res.status);
      span.setAttribute('riskscore.model', model);
      if (res.status >= 500) span.setStatus({ code: 2 });
      span.end();
    }
    if (logger?.debug && logger.isLevelEnabled?.('debug')) logger.debug({ requestId, model, route: routeName, status: res.status, ms: seconds * 1000 }, 'request');
    return res;
  }

  return {
    handle,
    ready,
    limits,
    metrics,
    queue,
    dashboard,
    async close(opts = {}) {
      closing = true;
      dashboard?.close();
      const timeoutMs = opts.timeoutMs ?? 10_000;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          drained = () => { clearTimeout(timer); resolve(); };
        });
      }
      drained = undefined;
      if (queue) await queue.idle();
      try { await monitor?.flush(); } catch (e) { logger?.warn({ err: e }, 'monitor flush failed at shutdown'); }
      metrics.close();
      return { drained: inFlight === 0, inFlight };
    },
  };
}
