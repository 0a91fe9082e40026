// The scoring service over real HTTP (127.0.0.1, ephemeral ports) on the fraud bundle
// (xgboost + MLP, 206 stateful features): every endpoint with its values, every refusal
// with its status and JSON body, idempotency against an independent reference scorer,
// graceful shutdown with requests in flight, the Fastify plugin answering exactly as the
// node:http handler, micro-batching on and off, and the prom-client registry.
//
// Timing-dependent cases (overload, shutdown) hold the MLP member behind a gate in the
// inference backend, so "in flight" is a fact of the test, not a race it hopes to win.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type InferenceBackend, type LoadedBundle, type Scorer } from '@riskscore/core';
import { compileFeatureSpec } from '@riskscore/features';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { riskscoreFastify } from '../src/fastify';
import { hashApiKey } from '../src/service/api-keys';
import { createScoringHandler, type ScoringHandler } from '../src/service/http-handler';
import { fraudStream, type FraudEvent } from './fraud-stream';
import type { ScoringServiceOptions } from '../src/service/scoring-service';

const BUNDLE_DIR = join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
/** The simulated stream starts 2026-11-01; the scorers' clock says 2026-12-01, so no event is ahead of it. */
const clock = (): number => Date.parse('2026-12-01T00:00:00Z');
const MODEL = 'fdh-fraud-fast@1.0.0';
const JSON_TYPE = 'application/json; charset=utf-8';
const KEY = 'rk_test_checkout_0123456789abcdef';
const KEY2 = 'rk_test_backoffice_fedcba9876543210';
const API_KEYS = [{ id: 'checkout', sha256: hashApiKey(KEY) }, { id: 'backoffice', sha256: hashApiKey(KEY2) }];
const DECISIONS = ['approve', 'review', 'decline'];

type Ev = FraudEvent;

let bundle: LoadedBundle;
/** Three days of simulated card transactions, in time order. */
let stream: Ev[];
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  bundle = await loadBundleFromDir(BUNDLE_DIR);
  stream = await fraudStream({ customers: 300, terminals: 600, seed: 5, startDate: '2026-11-01', days: 3 });
});

afterAll(async () => {
  // Last registered, first closed: servers before the scorers they use.
  for (const c of cleanups.reverse()) await c();
});

async function newScorer(backend: InferenceBackend = createNodeBackend()): Promise<Scorer> {
  const s = await createScorer(bundle, { backend, clock });
  cleanups.push(() => s.close());
  return s;
}

/** Events on pairwise distinct cards and terminals (safe to send concurrently), in stream order. */
function distinctEntities(from: readonly Ev[], max: number): Ev[] {
  const cards = new Set<number>();
  const terminals = new Set<number>();
  const out: Ev[] = [];
  for (const e of from) {
    if (out.length === max) break;
    if (cards.has(e.CUSTOMER_ID) || terminals.has(e.TERMINAL_ID)) continue;
    cards.add(e.CUSTOMER_ID);
    terminals.add(e.TERMINAL_ID);
    out.push(e);
  }
  return out;
}

/** The MLP member (the only one in the backend) waits while the gate is shut, and throws while `failing`. */
function gatedBackend(): { backend: InferenceBackend; shut(): void; open(): void; failing: boolean } {
  const inner = createNodeBackend();
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  const g = {
    failing: false,
    shut() { gate = new Promise<void>((r) => { release = r; }); },
    open() { gate = undefined; release(); },
    backend: {
      name: 'gated-onnxruntime-node',
      async createSession(model: Uint8Array, io: { inputName: string; outputName: string }) {
        const s = await inner.createSession(model, io);
        return {
          async run(input: Float32Array, rows: number, cols: number) {
            while (gate) await gate;
            if (g.failing) {
              const e = new Error('session.run failed reading /work/main/models/mlp.onnx');
              e.stack = `Error: session.run failed\n    at run (/work/main/packages/node/src/backend/node-backend.ts:42:7)\n    at file:///work/main/x.js:1:1`;
              throw e;
            }
            return s.run(input, rows, cols);
          },
          release: () => s.release(),
        };
      },
    } satisfies InferenceBackend,
  };
  return g;
}

interface Served { base: string; port: number; handler: ScoringHandler; server: Server }

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  return (server.address() as AddressInfo).port;
}

async function serve(options: ScoringServiceOptions): Promise<Served> {
  const handler = createScoringHandler(options);
  const server = createServer(handler);
  const port = await listen(server);
  cleanups.push(async () => {
    await handler.service.close({ timeoutMs: 2000 });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  await handler.service.ready;
  return { base: `http://127.0.0.1:${port}`, port, handler, server };
}

// ---------------------------------------------------------------- requests and checks

interface Reply { status: number; headers: Headers; text: string; json: any }
interface CallOptions {
  /** JSON-encoded as the body (with content-type application/json unless `headers` says otherwise). */
  body?: unknown;
  /** A body sent as is. */
  raw?: string;
  headers?: Record<string, string>;
  /** The bearer key (default KEY; null: none). */
  key?: string | null;
}

/** Stack frames, file paths, internals: none may appear in any response body. */
const LEAKS: RegExp[] = [/\/work\//, /\/home\//, /\/tmp\//, /\.ts:\d/, /\.[cm]?js:\d/, /(^|\n|\\n)\s*at\s+\S/, /\bat \S+ \(/, /node:internal/, /file:\/\//, /node_modules/];
function expectNoLeak(text: string): void {
  for (const re of LEAKS) expect(re.test(text), `${String(re)} in ${text.slice(0, 400)}`).toBe(false);
}

async function call(base: string, method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (o.body !== undefined || o.raw !== undefined) {
    body = o.raw ?? JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const key = o.key === undefined ? KEY : o.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  Object.assign(headers, o.headers);
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  expectNoLeak(text);
  return { status: res.status, headers: res.headers, text, json };
}

/** An error response: its status, `{ code, path, message, requestId }` and nothing else. */
function expectError(r: Reply, status: number, code: string, path?: ReadonlyArray<string | number>): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toBe(JSON_TYPE);
  expect(Object.keys(r.json).sort()).toEqual(['code', 'message', 'path', 'requestId']);
  expect(r.json.code).toBe(code);
  if (path !== undefined) expect(r.json.path).toEqual(path);
  expect(typeof r.json.message).toBe('string');
  expect(r.json.message.length).toBeGreaterThan(10);
  expect(r.json.requestId).toBe(r.headers.get('x-request-id'));
}

/** A 200 score: in [0, 1], a decision, both members' scores, the model and request id. */
function expectScore(r: Reply): { score: number; decision: string } {
  expect(r.status, r.text).toBe(200);
  expect(r.headers.get('content-type')).toBe(JSON_TYPE);
  expect(r.headers.get('x-riskscore-model')).toBe(MODEL);
  const b = r.json;
  expect(b.model).toBe(MODEL);
  expect(b.requestId).toBe(r.headers.get('x-request-id'));
  expect(b.score).toBeGreaterThanOrEqual(0);
  expect(b.score).toBeLessThanOrEqual(1);
  expect(DECISIONS).toContain(b.decision);
  expect(b.decision).toBe(b.score < 0.05 ? 'approve' : b.score >= 0.5 ? 'decline' : 'review');
  expect(Object.keys(b.memberScores).sort()).toEqual(['mlp', 'xgboost']);
  for (const v of Object.values(b.memberScores) as number[]) expect(v > 0 && v < 1).toBe(true);
  return b;
}

/** A raw HTTP/1.1 exchange over a socket: write `steps` (strings, or pauses in ms), read one response. */
interface RawReply { status: number; headers: Record<string, string>; body: string; json: any; elapsedMs: number }
function raw(port: number, steps: Array<string | number>, options: { keepWriting?: () => string; timeoutMs?: number } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      const r = parse();
      if (r === undefined && err === undefined) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (r === undefined) reject(err);
      else resolve(r);
    };
    const timer = setTimeout(() => finish(new Error(`no response within ${options.timeoutMs ?? 5000} ms: ${buf.toString('latin1').slice(0, 200)}`)), options.timeoutMs ?? 5000);
    function parse(): RawReply | undefined {
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const c = l.indexOf(':');
        headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      let rest = buf.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
      let body: string;
      if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (rest.length < n) return undefined;
        body = rest.subarray(0, n).toString('utf8');
      } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const parts: Buffer[] = [];
        for (;;) {
          const s = rest.toString('latin1');
          const crlf = s.indexOf('\r\n');
          if (crlf < 0) return undefined;
          const n = parseInt(s.slice(0, crlf), 16);
          if (n === 0) break;
          if (rest.length < crlf + 2 + n + 2) return undefined;
          parts.push(rest.subarray(crlf + 2, crlf + 2 + n));
          rest = rest.subarray(crlf + 2 + n + 2);
        }
        body = Buffer.concat(parts).toString('utf8');
      } else {
        return undefined;
      }
      let json: unknown;
      try { json = JSON.parse(body); } catch { json = undefined; }
      return { status: Number(statusLine.split(' ')[1]), headers, body, json, elapsedMs: performance.now() - t0 };
    }
    socket.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); finish(); });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error(`closed without a full response: ${buf.toString('latin1').slice(0, 200)}`)));
    socket.on('connect', async () => {
      for (const s of steps) {
        if (done) return;
        if (typeof s === 'number') await new Promise((r) => setTimeout(r, s));
        else socket.write(s);
      }
      // Keep writing (a body that grows) until the server answers.
      while (options.keepWriting && !done && !socket.destroyed) {
        socket.write(options.keepWriting());
        await new Promise((r) => setTimeout(r, 2));
      }
    });
  });
}

/** Prometheus text → value by `name{label="v",...}` (labels sorted). */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = m[3] === undefined || m[3] === '' ? [] : [...m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => `${x[1]}="${x[2]}"`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[4]));
  }
  return out;
}
/** The samples of one family (by exact metric name), keyed by their sorted labels. */
function family(samples: Map<string, number>, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of samples) if (k.startsWith(`${name}{`)) out[k.slice(name.length)] = v;
  return out;
}

const ROUTE_OF: Record<string, string> = {
  '/v1/score': 'score', '/v1/score/batch': 'score_batch', '/v1/outcomes': 'outcomes', '/v1/models': 'models',
  '/healthz': 'healthz', '/readyz': 'readyz', '/metrics': 'metrics',
};

// ---------------------------------------------------------------- the main server

describe('scoring service over node:http: endpoints, refusals, metrics', () => {
  let A: Served;
  let scorer: Scorer;
  let registry: Registry;
  let cursor = 0;
  /** The next events of the stream (server A's scorer sees them in time order). */
  const next = (n = 1): Ev[] => { const out = stream.slice(cursor, cursor + n); cursor += n; return out; };
  /** What this test sent to A and what came back, by route and status. */
  const tally = new Map<string, number>();
  const count = (route: string, status: number): void => {
    const k = `{route="${route}",status="${status}"}`;
    tally.set(k, (tally.get(k) ?? 0) + 1);
  };
  const callA = async (method: string, path: string, o?: CallOptions): Promise<Reply> => {
    const r = await call(A.base, method, path, o);
    count(ROUTE_OF[path.split('?')[0]] ?? 'unknown', r.status);
    return r;
  };

  beforeAll(async () => {
    scorer = await newScorer();
    registry = new Registry();
    A = await serve({
      scorer, auth: { apiKeys: API_KEYS }, promRegistry: registry,
      limits: { bodyTimeoutMs: 300, maxBodyBytes: 64 * 1024, maxBatchEvents: 50 },
    });
  });

  it('POST /v1/score: a score, its decision, the model and request id, in body and headers', async () => {
    const [e] = next();
    const r = await callA('POST', '/v1/score', { body: e });
    const b = expectScore(r);
    expect(Object.keys(b).sort()).toEqual(['decision', 'memberScores', 'model', 'reasons', 'requestId', 'score']);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    // The caller's request id is kept when it is well formed, replaced when not.
    const [e2, e3] = next(2);
    const mine = await callA('POST', '/v1/score', { body: e2, headers: { 'x-request-id': 'checkout:order-42.a_b' } });
    expectScore(mine);
    expect(mine.json.requestId).toBe('checkout:order-42.a_b');
    expect(mine.headers.get('x-request-id')).toBe('checkout:order-42.a_b');
    const bad = await callA('POST', '/v1/score', { body: e3, headers: { 'x-request-id': 'has spaces and "quotes"' } });
    expectScore(bad);
    expect(bad.json.requestId).not.toContain(' ');
    // x-api-key works as well as Authorization: Bearer; `; charset=utf-8` is JSON too.
    const [e4] = next();
    expectScore(await callA('POST', '/v1/score', { body: e4, key: null, headers: { 'x-api-key': KEY2, 'content-type': 'application/json; charset=utf-8' } }));
  });

  it('POST /v1/score?explain=true: an explanation of all 206 features and attribution reasons', async () => {
    const [e] = next();
    const r = await callA('POST', '/v1/score?explain=true&topK=3', { body: e });
    const b = expectScore(r);
    const x = r.json.explanation;
    expect(x.complete).toBe(true);
    expect(x.features).toHaveLength(206);
    expect(x.features.map((f: { name: string }) => f.name)).toEqual(scorer.featureNames);
    const amount = x.features.find((f: { name: string }) => f.name === 'amount');
    expect(amount.value).toBeCloseTo(e.TX_AMOUNT, 2);
    expect(x.fields.length).toBeGreaterThan(0);
    for (const f of x.fields) expect(Number.isFinite(f.attribution)).toBe(true);
    // Complete: base + Σ attributions = the ensemble logit; calibrated, that is the score.
    const logit = x.base + x.features.reduce((s: number, f: { attribution: number }) => s + f.attribution, 0);
    const { a, b: pb } = bundle.manifest.calibration as unknown as { a: number; b: number };
    expect(1 / (1 + Math.exp(-(a * logit + pb)))).toBeCloseTo(b.score, 4);
    // Members' attributions are arrays (nFeatures + 1, bias last), not index-keyed objects.
    for (const name of ['xgboost', 'mlp']) {
      expect(Array.isArray(x.members[name])).toBe(true);
      expect(x.members[name]).toHaveLength(207);
    }
    const reasons = r.json.reasons as Array<{ code: string; text: string; source: string; ref: string }>;
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.length).toBeLessThanOrEqual(3);
    for (const reason of reasons) {
      expect(reason.source).toBe('attribution');
      expect(reason.code).toMatch(/^F0\d$/);
      expect(reason.text.length).toBeGreaterThan(5);
    }
    // Without explain: no explanation, no attribution reasons.
    const plain = await callA('POST', '/v1/score', { body: next()[0] });
    expect(plain.json.explanation).toBeUndefined();
    expect(plain.json.reasons.filter((x: { source: string }) => x.source === 'attribution')).toEqual([]);
  });

  it('POST /v1/score?timings=true: per-stage timings', async () => {
    const r = await callA('POST', '/v1/score?timings=true', { body: next()[0] });
    expectScore(r);
    const t = r.json.timings;
    expect(t.featuresUs).toBeGreaterThan(0);
    expect(Object.keys(t.membersUs).sort()).toEqual(['mlp', 'xgboost']);
    expect(t.totalUs).toBeGreaterThanOrEqual(t.featuresUs);
    expect(t.totalUs).toBeLessThan(10_000_000);
  });

  it('POST /v1/score/batch: one result per event in order; a bad event in the middle fails alone', async () => {
    const events = next(5);
    const r = await callA('POST', '/v1/score/batch', { body: { events: [events[0], events[1], { ...events[2], TX_AMOUNT: 'twelve' }, events[3], events[4]] } });
    expect(r.status, r.text).toBe(200);
    expect(r.json.model).toBe(MODEL);
    expect(r.json.requestId).toBe(r.headers.get('x-request-id'));
    const results = r.json.results;
    expect(results).toHaveLength(5);
    expect(results.map((x: { ok: boolean }) => x.ok)).toEqual([true, true, false, true, true]);
    expect(results[2]).toEqual({ ok: false, error: { code: 'invalid_event', path: ['events', 2, 'TX_AMOUNT'], message: expect.stringContaining('TX_AMOUNT') } });
    for (const k of [0, 1, 3, 4]) {
      expect(results[k].score).toBeGreaterThanOrEqual(0);
      expect(results[k].score).toBeLessThanOrEqual(1);
      expect(results[k].model).toBe(MODEL);
      expect(DECISIONS).toContain(results[k].decision);
    }
    // The refused event was not committed: sent again, it is no duplicate. It scores, unless
    // it shares a card or terminal with events[3] or [4], committed after its time: late.
    const again = await callA('POST', '/v1/score', { body: events[2] });
    const shares = events.slice(3).some((x) => x.CUSTOMER_ID === events[2].CUSTOMER_ID || x.TERMINAL_ID === events[2].TERMINAL_ID);
    if (shares) expectError(again, 422, 'late_event');
    else expect(expectScore(again)).not.toHaveProperty('duplicate');
    // A JSON array is a batch too.
    const arr = await callA('POST', '/v1/score/batch', { body: next(2) });
    expect(arr.status).toBe(200);
    expect(arr.json.results.map((x: { ok: boolean }) => x.ok)).toEqual([true, true]);
  });

  it('POST /v1/outcomes: by id after scoring, by event, an unknown id and a bad label', async () => {
    const [e1, e2] = next(2);
    expectScore(await callA('POST', '/v1/score', { body: e1 }));
    expectScore(await callA('POST', '/v1/score', { body: e2 }));
    const one = await callA('POST', '/v1/outcomes', { body: { id: e1.TRANSACTION_ID, label: 1 } });
    expect(one.status, one.text).toBe(200);
    expect(one.json.model).toBe(MODEL);
    expect(one.json.results).toHaveLength(1);
    expect(one.json.results[0]).toMatchObject({ ok: true, id: e1.TRANSACTION_ID, monitored: false });
    expect(one.json.results[0].windows).toBeGreaterThan(0);
    const many = await callA('POST', '/v1/outcomes', {
      body: { outcomes: [{ event: e2, label: 0 }, { id: 987_654_321, label: 1 }, { id: e1.TRANSACTION_ID, label: 7 }, 'nope'] },
    });
    expect(many.status, many.text).toBe(200);
    const [byEvent, unknown, badLabel, notObject] = many.json.results;
    expect(byEvent.ok).toBe(true);
    expect(byEvent.windows).toBe(one.json.results[0].windows);
    expect(unknown).toEqual({ ok: false, id: 987_654_321, error: { code: 'invalid_event', path: ['outcomes', 1, 'id'], message: expect.stringContaining('987654321') } });
    expect(badLabel).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['outcomes', 2, 'label'] } });
    expect(notObject).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['outcomes', 3] } });
    const alone = await callA('POST', '/v1/outcomes', { body: { id: 'never-scored', label: 1 } });
    expect(alone.json.results[0]).toMatchObject({ ok: false, id: 'never-scored', error: { code: 'invalid_event', path: ['id'] } });
  });

  it('GET /v1/models, /healthz, /readyz', async () => {
    const m = await callA('GET', '/v1/models');
    expect(m.status).toBe(200);
    expect(m.json.models).toEqual([{
      id: MODEL, name: 'fdh-fraud-fast', version: '1.0.0', ready: true, features: 206,
      members: bundle.manifest.members.map((x) => ({ name: x.name, kind: x.kind, weight: x.weight })),
    }]);
    expect(m.json.models[0].members.map((x: { name: string }) => x.name)).toEqual(['xgboost', 'mlp']);
    const h = await callA('GET', '/healthz', { key: null });
    expect(h.status).toBe(200);
    expect(h.json).toEqual({ requestId: h.headers.get('x-request-id'), status: 'ok' });
    const rz = await callA('GET', '/readyz', { key: null });
    expect(rz.status).toBe(200);
    expect(rz.json).toEqual({ requestId: rz.headers.get('x-request-id'), status: 'ready', model: MODEL });
    expect(rz.headers.get('x-riskscore-model')).toBe(MODEL);
  });

  it('400: malformed JSON and an empty body', async () => {
    const e = await callA('POST', '/v1/score', { raw: '{"TRANSACTION_ID": 1, "TX_AMOUNT": ' });
    expectError(e, 400, 'malformed_json', ['body']);
    expect(e.json.message).toMatch(/not valid JSON/);
    expectError(await callA('POST', '/v1/score', { raw: '' }), 400, 'malformed_json', ['body']);
    expectError(await callA('POST', '/v1/score/batch', { raw: '[1, 2' }), 400, 'malformed_json', ['body']);
    expectError(await callA('POST', '/v1/outcomes', { raw: 'undefined' }), 400, 'malformed_json', ['body']);
    expectError(await callA('POST', '/v1/score?explain=true&topK=0', { body: next()[0] }), 400, 'invalid_argument', ['query', 'topK']);
  });

  it('401: no key, a wrong key (both headers); the www-authenticate challenge', async () => {
    const [e] = next();
    for (const r of [
      await callA('POST', '/v1/score', { body: e, key: null }),
      await callA('POST', '/v1/score', { body: e, key: 'rk_test_not_a_key_0000000000000' }),
      await callA('POST', '/v1/score', { body: e, key: null, headers: { 'x-api-key': 'rk_test_not_a_key_0000000000000' } }),
      await callA('POST', '/v1/score', { body: e, key: null, headers: { authorization: `Basic ${Buffer.from(`u:${KEY}`).toString('base64')}` } }),
      await callA('GET', '/metrics', { key: null }),
      await callA('GET', '/v1/models', { key: '' }),
    ]) {
      expectError(r, 401, 'unauthorized', ['headers', 'authorization']);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="riskscore"');
      expect(r.text).not.toContain(KEY);
    }
    // The event was never scored: it scores now.
    expectScore(await callA('POST', '/v1/score', { body: e }));
  });

  it('408: a client that sends half a body and stalls', async () => {
    const body = JSON.stringify(next()[0]);
    const r = await raw(A.port, [
      `POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: ${body.length}\r\n\r\n`,
      body.slice(0, 20),
    ]);
    count('timeout', 408);
    expect(r.status).toBe(408);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(250);
    expect(r.elapsedMs).toBeLessThan(3000);
    expect(r.headers['content-type']).toBe(JSON_TYPE);
    expect(r.json).toEqual({ code: 'request_timeout', path: ['body'], message: expect.stringContaining('300 ms'), requestId: r.headers['x-request-id'] });
    expectNoLeak(r.body);
  });

  it('413: a declared content-length over the limit, a chunked body that grows past it, a batch over maxBatchEvents', async () => {
    const declared = await raw(A.port, [
      `POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: 5000000\r\n\r\n`,
    ]);
    count('refused', 413);
    expect(declared.status).toBe(413);
    expect(declared.elapsedMs).toBeLessThan(2000); // refused on the headers, not after reading 5 MB
    expect(declared.json).toEqual({ code: 'payload_too_large', path: ['body'], message: expect.stringContaining('65536'), requestId: declared.headers['x-request-id'] });
    expect(declared.headers.connection).toBe('close');
    expectNoLeak(declared.body);

    const chunk = `{"pad":"${'x'.repeat(8000)}",`;
    let sent = 0;
    const chunked = await raw(A.port, [
      `POST /v1/score/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${KEY}\r\nTransfer-Encoding: chunked\r\n\r\n`,
    ], { keepWriting: () => { sent += chunk.length; return `${chunk.length.toString(16)}\r\n${chunk}\r\n`; } });
    count('refused', 413);
    expect(chunked.status).toBe(413);
    expect(chunked.json).toMatchObject({ code: 'payload_too_large', path: ['body'] });
    expect(chunked.json.requestId).toBe(chunked.headers['x-request-id']);
    expect(sent).toBeGreaterThan(64 * 1024);
    expectNoLeak(chunked.body);

    const tooMany = Array.from({ length: 51 }, () => stream[0]);
    expectError(await callA('POST', '/v1/score/batch', { body: { events: tooMany } }), 413, 'payload_too_large', ['body', 'events']);
    expectError(await callA('POST', '/v1/outcomes', { body: { outcomes: Array.from({ length: 51 }, () => ({ id: 1, label: 1 })) } }), 413, 'payload_too_large', ['body', 'outcomes']);
  });

  it('415: a body that is not application/json', async () => {
    const [e] = next();
    const r = await callA('POST', '/v1/score', { raw: JSON.stringify(e), headers: { 'content-type': 'text/plain' } });
    expectError(r, 415, 'unsupported_media_type', ['headers', 'content-type']);
    expect(r.json.message).toContain('text/plain');
    expectError(await callA('POST', '/v1/score/batch', { raw: '[]', headers: { 'content-type': 'application/jsonp' } }), 415, 'unsupported_media_type');
    expectError(await callA('POST', '/v1/outcomes', { raw: 'label=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('422: an invalid event names the field', async () => {
    const [e] = next();
    const { TX_AMOUNT: _, ...noAmount } = e;
    const missing = await callA('POST', '/v1/score', { body: noAmount });
    expectError(missing, 422, 'invalid_event', ['event', 'TX_AMOUNT']);
    expect(missing.json.message).toContain('TX_AMOUNT');
    expectError(await callA('POST', '/v1/score', { body: { ...e, TX_AMOUNT: '12.50' } }), 422, 'invalid_event', ['event', 'TX_AMOUNT']);
    expectError(await callA('POST', '/v1/score', { body: { ...e, TX_AMOUNT: -3 } }), 422, 'invalid_event', ['event', 'TX_AMOUNT']);
    expectError(await callA('POST', '/v1/score', { body: { ...e, CUSTOMER_ID: 1.5 } }), 422, 'invalid_event', ['event', 'CUSTOMER_ID']);
    expectError(await callA('POST', '/v1/score', { body: { ...e, TX_DATETIME: 'yesterday' } }), 422, 'invalid_event', ['event', 'TX_DATETIME']);
    const ahead = await callA('POST', '/v1/score', { body: { ...e, TX_DATETIME: '2027-06-01 00:00:00' } });
    expectError(ahead, 422, 'clock_skew', ['event', 'TX_DATETIME']);
    const notObject = await callA('POST', '/v1/score', { body: [e] });
    expectError(notObject, 422, 'invalid_event', ['event']);
    expectError(await callA('POST', '/v1/score/batch', { body: { rows: [e] } }), 422, 'invalid_argument', ['body', 'events']);
    // None of these was committed: the event scores now, as a first-time event.
    const ok = await callA('POST', '/v1/score', { body: e });
    expectScore(ok);
    expect(ok.json.duplicate).toBeUndefined();
  });

  it('404 and 405 (with Allow)', async () => {
    expectError(await callA('GET', '/v2/score', { key: null }), 404, 'not_found', ['url']);
    expectError(await callA('POST', '/v1/score/', { body: {} }), 404, 'not_found', ['url']);
    expectError(await callA('GET', '/', { key: null }), 404, 'not_found', ['url']);
    const get = await callA('GET', '/v1/score');
    expectError(get, 405, 'method_not_allowed', ['method']);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await callA('DELETE', '/v1/models');
    expectError(del, 405, 'method_not_allowed', ['method']);
    expect(del.headers.get('allow')).toBe('GET');
    const put = await callA('PUT', '/metrics', { body: {} });
    expectError(put, 405, 'method_not_allowed');
    expect(put.headers.get('allow')).toBe('GET');
  });

  it('GET /metrics counts every request made here by route and status; prom-client shows the same counts', async () => {
    const m = await call(A.base, 'GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseProm(m.text);
    const requests = family(samples, 'riskscore_http_requests_total');
    expect(requests).toEqual(Object.fromEntries(tally));
    expect(requests['{route="score",status="200"}']).toBeGreaterThan(10);
    expect(requests['{route="score",status="401"}']).toBe(4);
    expect(requests['{route="refused",status="413"}']).toBe(2);
    expect(requests['{route="timeout",status="408"}']).toBe(1);
    expect(m.text).toContain('# TYPE riskscore_http_requests_total counter');
    expect(m.text).toContain('# TYPE riskscore_batch_rows histogram');
    // Every single score went through the micro-batch queue.
    const rows = family(samples, 'riskscore_batch_rows_count');
    expect(rows['{}']).toBeGreaterThan(10);
    expect(family(samples, 'riskscore_batch_rows_bucket')['{le="+Inf"}']).toBe(rows['{}']);
    const decisions = family(samples, 'riskscore_decisions_total');
    expect(Object.values(decisions).reduce((s, v) => s + v, 0)).toBeGreaterThan(10);
    for (const k of Object.keys(decisions)) expect(k).toMatch(/^\{decision="(approve|review|decline)"\}$/);
    expect(family(samples, 'riskscore_http_request_duration_seconds_count')['{route="score"}']).toBe(
      Object.entries(Object.fromEntries(tally)).filter(([k]) => k.startsWith('{route="score"')).reduce((s, [, v]) => s + v, 0),
    );
    expect(family(samples, 'riskscore_http_requests_in_flight')).toEqual({ '{}': 0 });
    expect(family(samples, 'riskscore_score_stage_duration_seconds_count')['{stage="features"}']).toBeGreaterThan(10);
    count('metrics', 200);

    // prom-client: the same families, the same counts.
    const promText = await registry.metrics();
    const prom = parseProm(promText);
    expect(promText).toContain('# TYPE riskscore_http_requests_total counter');
    expect(family(prom, 'riskscore_http_requests_total')).toEqual(Object.fromEntries(tally));
    expect(family(prom, 'riskscore_batch_rows_count')).toEqual(rows);
    expect(family(prom, 'riskscore_decisions_total')).toEqual(decisions);
  });

  it('401 through a { verify } hook: its client id passes, anything else (or a throw) is refused', async () => {
    const seen: string[] = [];
    const V = await serve({
      scorer, rateLimit: false,
      auth: {
        verify: async (token) => {
          seen.push(token);
          if (token === 'boom-token') throw new Error('verifier exploded at /work/secret/path.ts:12');
          return token === 'signed-token-for-checkout' ? 'checkout' : undefined;
        },
      },
    });
    const ok = await call(V.base, 'GET', '/v1/models', { key: 'signed-token-for-checkout' });
    expect(ok.status).toBe(200);
    expect(ok.json.models[0].id).toBe(MODEL);
    expectScore(await call(V.base, 'POST', '/v1/score', { body: next()[0], key: null, headers: { 'x-api-key': 'signed-token-for-checkout' } }));
    expectError(await call(V.base, 'GET', '/v1/models', { key: 'forged' }), 401, 'unauthorized', ['headers', 'authorization']);
    const boom = await call(V.base, 'GET', '/v1/models', { key: 'boom-token' });
    expectError(boom, 401, 'unauthorized');
    expect(boom.text).not.toContain('exploded');
    expectError(await call(V.base, 'GET', '/v1/models', { key: null }), 401, 'unauthorized');
    expect(seen).toEqual(['signed-token-for-checkout', 'signed-token-for-checkout', 'forged', 'boom-token']);
  });

  it('429 with Retry-After once a client has spent its burst; another client is not limited', async () => {
    const R = await serve({ scorer, auth: { apiKeys: API_KEYS }, rateLimit: { ratePerSecond: 1, burst: 2 } });
    expect((await call(R.base, 'GET', '/v1/models')).status).toBe(200);
    expectScore(await call(R.base, 'POST', '/v1/score', { body: next()[0] }));
    const limited = await call(R.base, 'POST', '/v1/score', { body: next()[0] });
    expectError(limited, 429, 'rate_limited', []);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.json.message).toMatch(/retry in 0\.\d{3} s|retry in 1\.000 s/);
    expectError(await call(R.base, 'GET', '/v1/models'), 429, 'rate_limited');
    // The other key has its own bucket; /healthz is never limited.
    expect((await call(R.base, 'GET', '/v1/models', { key: KEY2 })).status).toBe(200);
    expect((await call(R.base, 'GET', '/healthz', { key: null })).status).toBe(200);
    // A token comes back after a second.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(R.base, 'GET', '/v1/models')).status).toBe(200);
  });
});

// ---------------------------------------------------------------- overload and shutdown

describe('load shedding and graceful shutdown (the MLP held behind a gate)', () => {
  it('503 overloaded with Retry-After past maxInFlight; health and metrics are not shed', async () => {
    const g = gatedBackend();
    const scorer = await newScorer(g.backend);
    const S = await serve({ scorer, auth: { apiKeys: API_KEYS }, limits: { maxInFlight: 1 } });
    g.shut();
    const events = distinctEntities(stream, 6);
    let settled = 0;
    const pending = events.map((e) => call(S.base, 'POST', '/v1/score', { body: e }).then((r) => { settled++; return r; }));
    // One request holds the only slot (its member waits at the gate); the other five are shed.
    const t0 = Date.now();
    while (settled < 5 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(5);
    expect((await call(S.base, 'GET', '/healthz', { key: null })).status).toBe(200);
    expect((await call(S.base, 'GET', '/readyz', { key: null })).status).toBe(200);
    const metrics = await call(S.base, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(family(parseProm(metrics.text), 'riskscore_http_requests_in_flight')).toEqual({ '{}': 1 });
    g.open();
    const replies = await Promise.all(pending);
    const ok = replies.filter((r) => r.status === 200);
    const shed = replies.filter((r) => r.status === 503);
    expect(ok).toHaveLength(1);
    expectScore(ok[0]);
    expect(shed).toHaveLength(5);
    for (const r of shed) {
      expectError(r, 503, 'overloaded', []);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('x-riskscore-model')).toBe(MODEL);
    }
    // The slot is free again; shed events were never committed, so they score as first-timers.
    const retried = await call(S.base, 'POST', '/v1/score', { body: events[replies.findIndex((r) => r.status === 503)] });
    expectScore(retried);
    expect(retried.json.duplicate).toBeUndefined();
  });

  it('500: a failing member; no internal message, path or stack in single, batch or explained responses', async () => {
    const g = gatedBackend();
    const scorer = await newScorer(g.backend);
    const logged: Array<{ obj: Record<string, unknown>; msg?: string }> = [];
    const logger = { info() {}, warn() {}, error: (obj: object, msg?: string) => { logged.push({ obj: obj as Record<string, unknown>, msg }); } };
    const S = await serve({ scorer, auth: { apiKeys: API_KEYS }, logger });
    const [e1, e2, e3] = distinctEntities(stream, 3);
    g.failing = true;
    for (const path of ['/v1/score', '/v1/score?explain=true']) {
      const r = await call(S.base, 'POST', path, { body: e1 });
      expectError(r, 500, 'backend_error', []);
      expect(r.json.message).toBe(`the server failed scoring this request; its log has the details under request id ${r.json.requestId}`);
      expect(r.text).not.toContain('onnx');
      // The log has the details, under that request id.
      const entry = logged.find((l) => l.obj.requestId === r.json.requestId)!;
      expect(entry).toBeDefined();
      expect(String((entry.obj.err as Error).message)).toContain('session.run failed');
    }
    const b = await call(S.base, 'POST', '/v1/score/batch', { body: { events: [e1, { ...e2, TX_AMOUNT: null }, e3] } });
    expect(b.status, b.text).toBe(200);
    const [r1, r2, r3] = b.json.results;
    expect(r2).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['events', 1, 'TX_AMOUNT'] } });
    for (const r of [r1, r3]) {
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('backend_error');
      expect(r.error).toEqual({ code: 'backend_error', path: [], message: `the server failed scoring this request; its log has the details under request id ${b.json.requestId}` });
    }
    expect(logged.filter((l) => l.obj.requestId === b.json.requestId)).toHaveLength(2);
    expect(b.text).not.toContain('onnx');
    // Healthy again: nothing was committed, the same events score now.
    g.failing = false;
    const ok = await call(S.base, 'POST', '/v1/score/batch', { body: { events: [e1, e2, e3] } });
    expect(ok.json.results.map((x: { ok: boolean; duplicate?: boolean }) => [x.ok, x.duplicate])).toEqual([[true, undefined], [true, undefined], [true, undefined]]);
  });

  it('close() while 50 scores are in flight: every one answers 200; later requests and /readyz get 503 not_ready', async () => {
    const g = gatedBackend();
    const scorer = await newScorer(g.backend);
    const S = await serve({ scorer, auth: { apiKeys: API_KEYS } });
    const reference = await newScorer();
    const events = distinctEntities(stream, 50);
    expect(events).toHaveLength(50);
    g.shut();
    const pending = events.map((e) => call(S.base, 'POST', '/v1/score', { body: e }));
    const inFlight = (): number => S.handler.service.metrics.families().find((f) => f.name === 'riskscore_http_requests_in_flight')!.samples[0].value;
    const t0 = Date.now();
    while (inFlight() < 50 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    expect(inFlight()).toBe(50);
    const closing = S.handler.service.close({ timeoutMs: 10_000 });
    let closed = false;
    void closing.then(() => { closed = true; });
    // Draining: new scoring requests are refused, readiness is withdrawn, health stays.
    const during = await call(S.base, 'POST', '/v1/score', { body: stream[stream.length - 1] });
    expectError(during, 503, 'not_ready', []);
    expect(during.headers.get('connection')).toBe('close');
    expectError(await call(S.base, 'GET', '/readyz', { key: null }), 503, 'not_ready', []);
    expect((await call(S.base, 'GET', '/healthz', { key: null })).status).toBe(200);
    expectError(await call(S.base, 'GET', '/v1/models'), 503, 'not_ready');
    expect(closed).toBe(false);
    g.open();
    const replies = await Promise.all(pending);
    expect(await closing).toEqual({ drained: true, inFlight: 0 });
    // None lost: 50 scores, each the reference scorer's score of that event (one card and terminal each).
    expect(replies.map((r) => r.status)).toEqual(events.map(() => 200));
    const expected = await reference.scoreBatch(events);
    for (let i = 0; i < events.length; i++) {
      expectScore(replies[i]);
      const o = expected[i];
      expect(o.ok).toBe(true);
      if (o.ok) expect(Math.abs(replies[i].json.score - o.result.score)).toBeLessThan(1e-6);
    }
    expect(new Set(replies.map((r) => r.json.requestId)).size).toBe(50);
    // After close: still refused.
    expectError(await call(S.base, 'POST', '/v1/score', { body: stream[stream.length - 1] }), 503, 'not_ready');
    expectError(await call(S.base, 'POST', '/v1/score/batch', { body: { events: [] } }), 503, 'not_ready');
    expectError(await call(S.base, 'GET', '/readyz', { key: null }), 503, 'not_ready');
  });
});

// ---------------------------------------------------------------- idempotency

describe('idempotency: an event id counts once', () => {
  it('a resent event is a duplicate with the same score; later events of the card see it counted once', async () => {
    const scorer = await newScorer();
    const D = await serve({ scorer, auth: { apiKeys: API_KEYS } });
    const reference = await newScorer();
    const evaluator = compileFeatureSpec(bundle.manifest.features.spec, { clock: null });
    const count1d = evaluator.featureNames.indexOf('cust_count_1d');
    expect(count1d).toBeGreaterThanOrEqual(0);
    const row = new Float64Array(evaluator.size);

    // The card with the most transactions on the first day.
    const day0 = stream.filter((e) => e.TX_DATETIME.startsWith('2026-11-01'));
    const perCard = new Map<number, Ev[]>();
    for (const e of day0) perCard.set(e.CUSTOMER_ID, [...(perCard.get(e.CUSTOMER_ID) ?? []), e]);
    const card = [...perCard.values()].sort((a, b) => b.length - a.length)[0];
    expect(card.length).toBeGreaterThanOrEqual(4);
    const first = card[0];
    const last = card[card.length - 1];
    const upTo = day0.slice(0, day0.indexOf(last) + 1);
    const nextDayOfCard = stream.find((e) => e.CUSTOMER_ID === first.CUSTOMER_ID && e.TX_DATETIME.startsWith('2026-11-02'))!;
    expect(nextDayOfCard).toBeDefined();

    let firstScore: { score: number; decision: string } | undefined;
    let served = 0;
    for (const e of upTo) {
      const isLast = e === last;
      const r = await call(D.base, 'POST', isLast ? '/v1/score?explain=true' : '/v1/score', { body: e });
      const b = expectScore(r);
      expect(r.json.duplicate).toBeUndefined();
      const ref = await reference.score(e);
      evaluator.computeInto(e, row);
      expect(Math.abs(b.score - ref.score), `event ${e.TRANSACTION_ID}`).toBeLessThanOrEqual(1e-12);
      expect(b.decision).toBe(ref.decision);
      served++;
      if (e === first) {
        firstScore = b;
        // Resent at once, and as a one-event batch: the stored result, nothing counted again.
        const again = await call(D.base, 'POST', '/v1/score', { body: e });
        expectScore(again);
        expect(again.json.duplicate).toBe(true);
        expect(again.json.score).toBe(b.score);
        expect(again.json.decision).toBe(b.decision);
        expect(again.json.memberScores).toEqual(r.json.memberScores);
        const batch = await call(D.base, 'POST', '/v1/score/batch', { body: { events: [e] } });
        expect(batch.json.results).toEqual([{ ok: true, ...Object.fromEntries(Object.entries(again.json).filter(([k]) => k !== 'requestId')) }]);
      }
      if (isLast) {
        // The card's 1-day count includes the first event exactly once (the independent
        // evaluator saw each unique event once; a second count would make it one more).
        const served1d = r.json.explanation.features[count1d];
        expect(served1d.name).toBe('cust_count_1d');
        expect(served1d.value).toBe(card.length);
        expect(row[count1d]).toBe(card.length);
      }
      if (e === card[card.length - 2]) {
        // Resent after later events of its card: still the stored result, not a late_event.
        const late = await call(D.base, 'POST', '/v1/score', { body: first });
        expectScore(late);
        expect(late.json.duplicate).toBe(true);
        expect(late.json.score).toBe(firstScore!.score);
      }
    }
    expect(served).toBe(upTo.length);
    // Across the skipped rest of day 0 (never sent), the card's next transaction: the same as the reference.
    const r = await call(D.base, 'POST', '/v1/score', { body: nextDayOfCard });
    const ref = await reference.score(nextDayOfCard);
    expect(Math.abs(expectScore(r).score - ref.score)).toBeLessThanOrEqual(1e-12);
    // The duplicate is also not a second outcome target: by id it names the first event.
    const out = await call(D.base, 'POST', '/v1/outcomes', { body: { id: first.TRANSACTION_ID, label: 0 } });
    expect(out.json.results[0]).toMatchObject({ ok: true, id: first.TRANSACTION_ID });
    expect(out.json.results[0].windows).toBe(reference.recordOutcome(first, 0));
  });
});

// ---------------------------------------------------------------- Fastify vs node:http

describe('the Fastify plugin answers exactly as the node:http handler', () => {
  let H: Served;
  let app: FastifyInstance;
  let fastifyBase: string;

  beforeAll(async () => {
    const limits = { maxBatchEvents: 5, bodyTimeoutMs: 300, maxBodyBytes: 32 * 1024 };
    H = await serve({ scorer: await newScorer(), auth: { apiKeys: API_KEYS }, limits });
    const fScorer = await newScorer();
    app = Fastify();
    await app.register(riskscoreFastify, { scorer: fScorer, auth: { apiKeys: API_KEYS }, limits });
    await app.listen({ port: 0, host: '127.0.0.1' });
    fastifyBase = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    cleanups.push(() => app.close());
  });

  const COMPARED_HEADERS = ['content-type', 'x-riskscore-model', 'retry-after', 'allow', 'www-authenticate'];
  const view = (r: Reply, keepRequestId: boolean) => ({
    status: r.status,
    headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, r.headers.get(h)])),
    body: r.json === undefined ? r.text : keepRequestId ? r.json : Object.fromEntries(Object.entries(r.json).filter(([k]) => k !== 'requestId')),
  });

  it('the same requests give the same status, headers and JSON bodies (request ids aside)', async () => {
    const ev = stream.slice(0, 30);
    const { TX_AMOUNT: _, ...noAmount } = ev[12];
    const steps: Array<[string, string, CallOptions?]> = [
      ['GET', '/healthz', { key: null }],
      ['GET', '/readyz', { key: null }],
      ['GET', '/v1/models'],
      ...ev.slice(0, 10).map((e): [string, string, CallOptions] => ['POST', '/v1/score', { body: e }]),
      ['POST', '/v1/score?explain=true', { body: ev[10] }],
      ['POST', '/v1/score?timings=false', { body: ev[11] }],
      ['POST', '/v1/score', { body: noAmount }],
      ['POST', '/v1/score', { body: { ...ev[12], TX_AMOUNT: '1' } }],
      ['POST', '/v1/score', { body: ev[12], headers: { 'x-request-id': 'same-id-on-both' } }],
      ['POST', '/v1/score/batch', { body: { events: [ev[13], { ...ev[14], TX_AMOUNT: 'x' }, ev[15]] } }],
      ['POST', '/v1/score/batch', { body: [ev[16], ev[17]] }],
      ['POST', '/v1/score/batch', { body: { events: ev.slice(18, 24) } }], // 6 > maxBatchEvents 5
      ['POST', '/v1/score', { body: ev[3] }], // a duplicate
      ['POST', '/v1/score', { body: ev[12] }], // an event older than its card's newest: late
      ['POST', '/v1/score', { raw: '{"TX_AMOUNT": 1,' }],
      ['POST', '/v1/score', { raw: '' }],
      ['POST', '/v1/score', { raw: JSON.stringify(ev[24]), headers: { 'content-type': 'text/plain' } }],
      ['POST', '/v1/score', { raw: JSON.stringify(ev[24]), headers: { 'content-type': 'application/xml' } }],
      ['POST', '/v1/score', { raw: JSON.stringify(ev[24]), headers: { 'content-type': 'bogus' } }],
      ['POST', '/v1/score', { raw: JSON.stringify(ev[24]), headers: { 'content-type': 'bogus' }, key: null }],
      ['POST', '/v1/score/batch', { raw: '[]', headers: { 'content-type': '' } }],
      ['GET', '/v1/nope'],
      ['POST', '/nope', { body: {} }],
      ['GET', '/v1/score'],
      ['DELETE', '/v1/models'],
      ['PUT', '/v1/outcomes', { body: {} }],
      ['HEAD', '/healthz', { key: null }],
      ['POST', '/v1/score', { body: ev[24], key: null }],
      ['POST', '/v1/score', { body: ev[24], key: 'rk_test_wrong_key_000000000000' }],
      ['POST', '/v1/score', { body: ev[24], key: null, headers: { 'x-api-key': KEY2 } }],
      ['POST', '/v1/outcomes', { body: { id: ev[2].TRANSACTION_ID, label: 1 } }],
      ['POST', '/v1/outcomes', { body: { outcomes: [{ id: ev[4].TRANSACTION_ID, label: 0 }, { id: 424242, label: 1 }, { event: ev[5], label: true }, { id: ev[6].TRANSACTION_ID, label: 'yes' }] } }],
      ['POST', '/v1/outcomes', { body: { id: 'unknown-id', label: 1 } }],
      ['POST', '/v1/score?explain=true&topK=2', { body: ev[25] }],
      ['POST', '/v1/score?topK=-1', { body: ev[26] }],
      ['POST', '/v1/score', { body: ev[26] }],
      ['GET', '/metrics', { key: null }],
    ];
    for (const [method, path, o] of steps) {
      const h = await call(H.base, method, path, o);
      const f = await call(fastifyBase, method, path, o);
      const label = `${method} ${path} ${o?.raw ?? JSON.stringify(o?.body ?? '').slice(0, 60)}`;
      const keepId = o?.headers?.['x-request-id'] !== undefined;
      expect(view(f, keepId), label).toEqual(view(h, keepId));
      expect(f.headers.get('x-request-id'), label).toBe(f.json?.requestId ?? f.headers.get('x-request-id'));
      if (keepId) expect(f.json.requestId).toBe('same-id-on-both');
    }
    // And the two scorers' states evolved alike: the next event scores the same on both.
    const h = await call(H.base, 'POST', '/v1/score', { body: ev[27] });
    const f = await call(fastifyBase, 'POST', '/v1/score', { body: ev[27] });
    expect(f.json.score).toBe(h.json.score);
  });

  it('refusals before the service (413 declared and streamed, 408 stalled body) read the same; /metrics counts alike', async () => {
    const port = (app.server.address() as AddressInfo).port;
    const head = (extra: string) => `POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${KEY}\r\n${extra}\r\n`;
    const chunk = `${'x'.repeat(8000)}`;
    const grow = () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const cases: Array<{ name: string; steps: Array<string | number>; grow?: boolean; status: number; code: string }> = [
      { name: 'declared', steps: [head('Content-Length: 5000000\r\n')], status: 413, code: 'payload_too_large' },
      { name: 'declared, with a request id', steps: [head('Content-Length: 5000000\r\nx-request-id: edge-1\r\n')], status: 413, code: 'payload_too_large' },
      { name: 'chunked', steps: [head('Transfer-Encoding: chunked\r\n')], grow: true, status: 413, code: 'payload_too_large' },
      { name: 'stalled', steps: [head('Content-Length: 100\r\n'), '{"TRANSACTION_ID": 1,'], status: 408, code: 'request_timeout' },
    ];
    for (const c of cases) {
      const [h, f] = await Promise.all([H.port, port].map((p) => raw(p, c.steps, c.grow ? { keepWriting: grow } : {})));
      for (const r of [h, f]) {
        expect(r.status, c.name).toBe(c.status);
        expect(r.headers['content-type']).toBe(JSON_TYPE);
        expect(r.headers.connection).toBe('close');
        expect(Object.keys(r.json).sort()).toEqual(['code', 'message', 'path', 'requestId']);
        expect(r.json).toMatchObject({ code: c.code, path: ['body'] });
        expect(r.json.requestId).toBe(r.headers['x-request-id']);
        expectNoLeak(r.body);
      }
      expect({ ...f.json, requestId: 0 }, c.name).toEqual({ ...h.json, requestId: 0 });
      if (c.name.includes('request id')) expect([h.json.requestId, f.json.requestId]).toEqual(['edge-1', 'edge-1']);
      if (c.status === 408) for (const r of [h, f]) expect(r.elapsedMs).toBeGreaterThanOrEqual(250);
    }
    // /metrics: same content type and the same request counts (both saw the same statuses, refusals included).
    const mh = await call(H.base, 'GET', '/metrics');
    const mf = await call(fastifyBase, 'GET', '/metrics');
    expect(mf.headers.get('content-type')).toBe(mh.headers.get('content-type'));
    const counts = family(parseProm(mh.text), 'riskscore_http_requests_total');
    expect(counts['{route="refused",status="413"}']).toBe(3);
    expect(counts['{route="timeout",status="408"}']).toBe(1);
    expect(family(parseProm(mf.text), 'riskscore_http_requests_total')).toEqual(counts);
  });
});

// ---------------------------------------------------------------- micro-batching

describe('micro-batching on and off', () => {
  it('gives the same scores for the same stream (sequential, concurrent groups, a burst); the burst batches', async () => {
    const on = await serve({ scorer: await newScorer(), auth: { apiKeys: API_KEYS } });
    const off = await serve({ scorer: await newScorer(), auth: { apiKeys: API_KEYS }, microBatch: false });
    expect(on.handler.service.queue).toBeDefined();
    expect(off.handler.service.queue).toBeUndefined();
    const scores = { on: new Map<number, number>(), off: new Map<number, number>() };
    const send = async (events: readonly Ev[]): Promise<void> => {
      const [a, b] = await Promise.all([
        Promise.all(events.map((e) => call(on.base, 'POST', '/v1/score', { body: e }))),
        Promise.all(events.map((e) => call(off.base, 'POST', '/v1/score', { body: e }))),
      ]);
      events.forEach((e, i) => {
        scores.on.set(e.TRANSACTION_ID, expectScore(a[i]).score);
        scores.off.set(e.TRANSACTION_ID, expectScore(b[i]).score);
      });
    };
    // 1. Sequential: each awaited (batches of one on both sides): bit-identical.
    const sequential = stream.slice(0, 60);
    for (const e of sequential) await send([e]);
    for (const e of sequential) expect(scores.on.get(e.TRANSACTION_ID)).toBe(scores.off.get(e.TRANSACTION_ID));
    // 2. Concurrent groups of consecutive events, a group never holding two of one card or terminal.
    const groups: Ev[][] = [];
    let g: Ev[] = [];
    for (const e of stream.slice(60, 300)) {
      if (g.length === 8 || g.some((x) => x.CUSTOMER_ID === e.CUSTOMER_ID || x.TERMINAL_ID === e.TERMINAL_ID)) { groups.push(g); g = []; }
      g.push(e);
    }
    groups.push(g);
    for (const group of groups) await send(group);
    // 3. A burst of 40 events on distinct cards and terminals, all at once.
    const later = stream.slice(300);
    const burst = distinctEntities(later, 40);
    expect(burst).toHaveLength(40);
    const before = family(parseProm(on.handler.service.metrics.text()), 'riskscore_batch_rows_bucket');
    await send(burst);
    const after = family(parseProm(on.handler.service.metrics.text()), 'riskscore_batch_rows_bucket');
    // Members may run batched in float32: the same score to ~1e-6.
    let maxDiff = 0;
    for (const [id, s] of scores.on) maxDiff = Math.max(maxDiff, Math.abs(s - scores.off.get(id)!));
    expect(scores.on.size).toBe(300 + 40);
    expect(maxDiff).toBeLessThan(1e-6);
    // 4. Afterwards the two states are the same: sequential events score bit-identically.
    const tail = stream.slice(stream.indexOf(burst[burst.length - 1]) + 1).slice(0, 20);
    for (const e of tail) await send([e]);
    for (const e of tail) expect(scores.on.get(e.TRANSACTION_ID)).toBe(scores.off.get(e.TRANSACTION_ID));
    // The batch-size histogram: batches of more than one row during the burst; none without the queue.
    const multiRow = (h: Record<string, number>) => h['{le="+Inf"}'] - h['{le="1"}'];
    expect(multiRow(after) - multiRow(before)).toBeGreaterThan(0);
    expect(after['{le="+Inf"}'] - before['{le="+Inf"}']).toBeLessThan(40); // fewer batches than requests
    const offRows = family(parseProm(off.handler.service.metrics.text()), 'riskscore_batch_rows_count');
    expect(offRows).toEqual({ '{}': 0 });
    // Errors read the same with and without the queue.
    const { TX_AMOUNT: _, ...bad } = tail[0];
    const eOn = await call(on.base, 'POST', '/v1/score', { body: bad });
    const eOff = await call(off.base, 'POST', '/v1/score', { body: bad });
    expectError(eOn, 422, 'invalid_event', ['event', 'TX_AMOUNT']);
    expect({ ...eOn.json, requestId: 0 }).toEqual({ ...eOff.json, requestId: 0 });
  });
});
