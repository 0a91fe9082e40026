// The worker scorer (entity state, features and members in a worker thread) against an
// in-process scorer on the same events, and the service options that service.test.ts
// does not cover: CORS, an OpenTelemetry-style tracer, rate limits on failed
// authentication, and routes after shutdown. Over real HTTP on 127.0.0.1 where the
// service is involved.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type LoadedBundle, type Scorer, type ScoreOutcome } from '@riskscore/core';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { hashApiKey } from '../src/service/api-keys';
import { createScoringHandler } from '../src/service/http-handler';
import type { ScoringServiceOptions, SpanLike, TracerLike } from '../src/service/scoring-service';
import { createWorkerScorer, type WorkerScorer } from '../src/worker/worker-scorer';
import { fraudStream, type FraudEvent } from './fraud-stream';

const BUNDLE_DIR = join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
type Ev = FraudEvent & Record<string, unknown>;

let bundle: LoadedBundle;
let stream: Ev[];
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  bundle = await loadBundleFromDir(BUNDLE_DIR);
  // Past events (November 2026): the worker's default clock (Date.now) accepts them.
  stream = await fraudStream({ customers: 200, terminals: 400, seed: 11, startDate: '2026-11-01', days: 2 });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function localScorer(): Promise<Scorer> {
  const s = await createScorer(bundle, { backend: createNodeBackend() });
  cleanups.push(() => s.close());
  return s;
}

async function workerScorer(init: Partial<Parameters<typeof createWorkerScorer>[0]> = {}): Promise<WorkerScorer> {
  const w = await createWorkerScorer({ bundleDir: BUNDLE_DIR, ...init });
  cleanups.push(() => w.close());
  return w;
}

/** Outcomes with timings removed (they differ run to run). */
const comparable = (os: ScoreOutcome[]): unknown[] => os.map((o) => (o.ok
  ? { ok: true, score: o.result.score, logit: o.result.logit, decision: o.result.decision, reasons: o.result.reasons, memberScores: o.result.memberScores, duplicate: o.result.duplicate }
  : { ok: false, code: o.error.code, path: o.error.path, message: o.error.message }));

async function serve(options: ScoringServiceOptions): Promise<{ base: string; close(): Promise<unknown>; handler: ReturnType<typeof createScoringHandler> }> {
  const handler = createScoringHandler(options);
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const close = async (): Promise<void> => {
    await handler.service.close({ timeoutMs: 2000 });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  cleanups.push(close);
  await handler.service.ready;
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close, handler };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('worker scorer', () => {
  it('scores, refuses, records outcomes and snapshots exactly as an in-process scorer on the same events', async () => {
    const [local, worker] = await Promise.all([localScorer(), workerScorer()]);
    expect(worker.model).toBe(local.model);
    expect(worker.featureNames).toEqual(local.featureNames);
    const events: unknown[] = stream.slice(0, 400);
    // A bad event and a repeated id in the middle: refused / duplicate the same way.
    events.splice(100, 0, { ...stream[100], TX_AMOUNT: 'lots' }, stream[50]);
    for (let i = 0; i < events.length; i += 64) {
      const chunk = events.slice(i, i + 64);
      const [a, b] = await Promise.all([local.scoreBatch(chunk), worker.scoreBatch(chunk)]);
      expect(comparable(b)).toEqual(comparable(a));
    }
    const bad = (await worker.scoreBatch([{ ...stream[400], TX_AMOUNT: -5 }]))[0];
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_event');
      expect(bad.error.path).toEqual(['events', 0, 'TX_AMOUNT']);
      // The event's own error crosses the thread as the cause (the service answers a single score with it).
      expect((bad.error as { cause?: { path?: unknown } }).cause?.path).toEqual(['event', 'TX_AMOUNT']);
    }
    const one = await worker.safeScore(stream[401]);
    const oneLocal = await local.safeScore(stream[401]);
    expect(comparable([one])).toEqual(comparable([oneLocal]));
    expect(await worker.recordOutcome(stream[10], 1)).toBe(local.recordOutcome(stream[10], 1));
    const snap = await worker.snapshot();
    expect(snap).not.toBeNull();
    expect(Buffer.from(snap!).equals(Buffer.from(local.state!.snapshot()))).toBe(true);
  });

  it('a worker started from a snapshot continues bit-identically to a scorer that never stopped (also with clock: null)', async () => {
    const [local, first] = await Promise.all([localScorer(), workerScorer({ clock: null })]);
    await local.scoreBatch(stream.slice(0, 300));
    await first.scoreBatch(stream.slice(0, 300));
    const snap = (await first.snapshot())!;
    const second = await workerScorer({ snapshot: snap });
    const next = stream.slice(300, 500);
    expect(comparable(await second.scoreBatch(next))).toEqual(comparable(await local.scoreBatch(next)));
  });

  it('serves over HTTP with the drift monitor in the worker: /metrics has its families, outcomes by id join it', async () => {
    const worker = await workerScorer();
    const { base } = await serve({ scorer: worker, monitor: worker.monitor, auth: false, rateLimit: false });
    expect(worker.monitor).toBeDefined();
    const e = stream[0];
    const r = await post(`${base}/v1/score`, e);
    expect(r.status).toBe(200);
    const body = await r.json() as { score: number; model: string };
    expect(body.model).toBe(worker.model);
    expect(body.score).toBeGreaterThanOrEqual(0);
    const o = await (await post(`${base}/v1/outcomes`, { id: e.TRANSACTION_ID, label: 1 })).json() as { results: Array<{ ok: boolean; windows: number; monitored: boolean }> };
    expect(o.results[0]).toMatchObject({ ok: true, monitored: true });
    expect(o.results[0].windows).toBeGreaterThan(0);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^riskscore_http_requests_total\{route="score",status="200"\} 1$/m);
    expect(text).toMatch(/^# TYPE riskscore_monitor_windows_total counter$/m);
  });
});

describe('service options', () => {
  let scorer: Scorer;
  beforeAll(async () => { scorer = await localScorer(); });

  it('CORS: headers only for a listed origin; preflight answers 204 with the route\'s methods', async () => {
    const { base } = await serve({ scorer, auth: false, cors: { origins: ['https://shop.example'] } });
    const ok = await fetch(`${base}/v1/models`, { headers: { origin: 'https://shop.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('vary')).toBe('Origin');
    const other = await fetch(`${base}/v1/models`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${base}/v1/score`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    // Without CORS configured, the same preflight is just a wrong method.
    const { base: plain } = await serve({ scorer, auth: false });
    const none = await fetch(`${plain}/v1/score`, { method: 'OPTIONS', headers: { origin: 'https://shop.example' } });
    expect(none.status).toBe(405);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('tracer: one span per request with route, status, request id and model; a 4xx is not an error span', async () => {
    const spans: Array<{ name: string; attrs: Record<string, unknown>; status?: number; ended: boolean }> = [];
    const tracer: TracerLike = {
      startSpan(name, o) {
        const rec = { name, attrs: { ...(o?.attributes ?? {}) } as Record<string, unknown>, status: undefined as number | undefined, ended: false };
        spans.push(rec);
        const span: SpanLike = {
          setAttribute: (k, v) => { rec.attrs[k] = v; return span; },
          setStatus: (s) => { rec.status = s.code; return span; },
          recordException: () => span,
          end: () => { rec.ended = true; },
        };
        return span;
      },
    };
    const { base } = await serve({ scorer, auth: false, tracer });
    const r = await post(`${base}/v1/score`, stream[600], { 'x-request-id': 'trace-me-1' });
    expect(r.status).toBe(200);
    await post(`${base}/v1/score`, { nope: 1 });
    const score = spans.filter((s) => s.name === 'riskscore POST /v1/score');
    expect(score).toHaveLength(2);
    expect(score[0]).toMatchObject({ ended: true, attrs: { 'http.route': '/v1/score', 'http.response.status_code': 200, 'riskscore.request_id': 'trace-me-1', 'riskscore.model': scorer.model } });
    expect(score[1].attrs['http.response.status_code']).toBe(422);
    expect(score[1].status).toBeUndefined();
  });

  it('?explain=true&neural=omit explains the trees only (incomplete); a bad neural value is 400', async () => {
    const { base } = await serve({ scorer, auth: false });
    const r = await post(`${base}/v1/score?explain=true&neural=omit&topK=2`, stream[660]);
    expect(r.status).toBe(200);
    const b = await r.json() as { explanation: { complete: boolean; members: Record<string, number[]> }; reasons: Array<{ source: string }> };
    expect(b.explanation.complete).toBe(false);
    expect(Object.keys(b.explanation.members)).toEqual(['xgboost']);
    expect(b.explanation.members.xgboost).toHaveLength(scorer.featureNames.length + 1);
    expect(b.reasons.filter((x) => x.source === 'attribution').length).toBeLessThanOrEqual(2);
    const bad = await post(`${base}/v1/score?explain=true&neural=maybe`, stream[661]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_argument', path: ['query', 'neural'] });
  });

  it('a real @opentelemetry/api tracer fits the tracer option (with no SDK registered its spans are no-ops)', async () => {
    const tracer: TracerLike = trace.getTracer('riskscore-test');
    const { base } = await serve({ scorer, auth: false, tracer });
    expect((await post(`${base}/v1/score`, stream[670])).status).toBe(200);
  });

  it('failed authentications spend the address\'s tokens: key guessing gets 429 with Retry-After', async () => {
    const key = 'rk_live_0123456789abcdef0123';
    const { base } = await serve({ scorer, auth: { apiKeys: [{ id: 'a', sha256: hashApiKey(key) }] }, rateLimit: { ratePerSecond: 1, burst: 3 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer wrong-key-${i}-0123456789` } });
      statuses.push(r.status);
      if (r.status === 429) { retryAfter = r.headers.get('retry-after'); expect((await r.json() as { code: string }).code).toBe('rate_limited'); }
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(retryAfter).toBe('1');
    // The real key has its own bucket.
    expect((await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('after close: scoring 503 not_ready, /readyz 503, an unknown route still 404, /healthz 200', async () => {
    const { base, handler } = await serve({ scorer, auth: false });
    await handler.service.close({ timeoutMs: 500 });
    const s = await post(`${base}/v1/score`, stream[700]);
    expect(s.status).toBe(503);
    expect((await s.json() as { code: string }).code).toBe('not_ready');
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
