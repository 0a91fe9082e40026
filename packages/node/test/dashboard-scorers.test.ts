// The dashboard over the two scorers that are not a plain in-process Scorer: a model
// registry with an experiment (champion fdh-fraud-fast vs the baseline bundle) and a
// worker-thread scorer. For each, a decline's or review's waterfall must explain the
// score the service answered for that event (by the version that decided it), the
// model-insights sampler must explain rows, and with a registry the snapshot's registry
// part must equal what the registry itself reports (versions, counters, and the verdict
// of `registry.verdict(name, { bootstrap: 0 })`).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelRegistry, type ModelRegistry } from '@riskscore/core';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import type { DashboardSnapshot } from '../src/dashboard/dashboard-snapshot';
import { registryFolder } from '../src/registry/registry-folder';
import { hashApiKey } from '../src/service/api-keys';
import { createScoringHandler, type ScoringHandler } from '../src/service/http-handler';
import { registryServiceScorer } from '../src/service/registry-scorer';
import type { ServiceScorer } from '../src/service/scoring-service';
import { createWorkerScorer } from '../src/worker/worker-scorer';
import { labelledFraudStream, type FraudEvent } from './fraud-stream';

const EX = join(REPO_ROOT, 'examples', 'fdh-fraud');
const FAST = 'fdh-fraud-fast@1.0.0', BASE = 'fdh-baseline@1.0.0';
const KEY = 'rk_test_dash_scorers_0123456789ab';
const clock = (): number => Date.parse('2026-12-01T00:00:00Z');

interface Served { handler: ScoringHandler; server: Server; origin: string }
const cleanups: Array<() => Promise<unknown> | void> = [];
let stream: Array<{ event: FraudEvent; label: 0 | 1 }>;

async function serve(scorer: ServiceScorer): Promise<Served> {
  const handler = createScoringHandler({
    scorer, auth: { apiKeys: [{ id: 'ops', sha256: hashApiKey(KEY) }] }, microBatch: { maxRows: 16 },
    dashboard: { amountField: 'TX_AMOUNT', intervalMs: 100, insights: { sampleEvery: 3, refreshMs: 100, interactionMs: 100 } },
  });
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => server.close(r)), () => handler.service.close());
  await handler.service.ready;
  return { handler, server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function call(s: Served, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(s.origin + path, {
    method, headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

/** Scores events 8 at a time; returns each answer by transaction id. */
async function traffic(s: Served, events: readonly FraudEvent[]): Promise<Map<number, Record<string, any>>> {
  const answers = new Map<number, Record<string, any>>();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < events.length) {
      const e = events[next++];
      const r = await call(s, 'POST', '/v1/score', e);
      expect(r.status).toBe(200);
      answers.set(e.TRANSACTION_ID, r.body);
    }
  }));
  return answers;
}

/** Opens the event stream until a snapshot satisfies `done` (the insights sampler runs only while a page is open). */
async function watchUntil(s: Served, done: (snap: DashboardSnapshot) => boolean, timeoutMs = 20_000): Promise<DashboardSnapshot> {
  const ac = new AbortController();
  const res = await fetch(`${s.origin}/dashboard/events`, { headers: { authorization: `Bearer ${KEY}` }, signal: ac.signal });
  const reader = res.body!.getReader();
  const deadline = Date.now() + timeoutMs;
  let buf = '';
  try {
    while (Date.now() < deadline) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buf += new TextDecoder().decode(value);
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const msg = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = msg.split('\n').find((l) => l.startsWith('data: '));
        if (!msg.startsWith('event: snapshot') || data === undefined) continue;
        const snap = (JSON.parse(data.slice(6)) as { snapshot: DashboardSnapshot }).snapshot;
        if (done(snap)) return snap;
      }
    }
    throw new Error('no snapshot met the condition in time');
  } finally {
    ac.abort();
    await reader.cancel().catch(() => undefined);
  }
}

/** Every recent decline or review: its waterfall gives the score and decision the service answered. */
async function checkWaterfalls(s: Served, answers: Map<number, Record<string, any>>): Promise<number> {
  const snap = (await call(s, 'GET', '/dashboard/api/snapshot')).body as unknown as DashboardSnapshot;
  const latest = snap.risk.latest.filter((d) => d.explainable);
  expect(latest.length).toBeGreaterThan(0);
  for (const d of latest) {
    const w = await call(s, 'GET', `/dashboard/api/decision?id=${d.id}`);
    expect(w.status).toBe(200);
    const a = answers.get(Number(d.id))!;
    expect(w.body.decision).toBe(a.decision);
    // Batched inference (the service's micro-batches) and one row differ in float32 rounding only.
    expect(Math.abs(w.body.score - a.score)).toBeLessThanOrEqual(1e-6 * a.score);
    expect(w.body.svg).toContain('<svg');
    // The raw-field attributions add up to the ensemble logit (every member explained).
    expect(w.body.complete).toBe(true);
    const sum = (w.body.fields as Array<{ attribution: number }>).reduce((t, f) => t + f.attribution, w.body.base as number);
    expect(sum).toBeCloseTo(w.body.logit, 4);
    if (typeof a.logit === 'number') expect(w.body.logit).toBeCloseTo(a.logit, 5);
  }
  return latest.length;
}

beforeAll(async () => {
  stream = (await labelledFraudStream({ customers: 400, terminals: 800, seed: 11, startDate: '2026-11-01', days: 4 })).slice(0, 2400);
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('dashboard over a model registry', () => {
  let registry: ModelRegistry;
  let dir: string;
  let s: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'riskscore-dash-models-'));
    cpSync(join(EX, 'bundle-trees-mlp'), join(dir, 'fdh-fraud-fast', '1.0.0'), { recursive: true });
    cpSync(join(EX, 'bundle-baseline'), join(dir, 'fdh-baseline', '1.0.0'), { recursive: true });
    const backend = createNodeBackend();
    registry = createModelRegistry({ scorerOptions: () => ({ backend, clock }) });
    expect(await registryFolder(dir).sync(registry)).toEqual({ loaded: [BASE, FAST], failed: [] });
    registry.setAlias('champion', FAST, { actor: 'test' });
    registry.startExperiment({ name: 'fast-vs-base', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }, { name: 'B', target: BASE, weight: 1 }] }, { actor: 'test' });
    s = await serve(registryServiceScorer(registry));
    cleanups.push(async () => { await registry.close(); rmSync(dir, { recursive: true, force: true }); });
  }, 60_000);

  it('explains each decline by the version that decided it, samples attributions, and shows the registry as it reports itself', async () => {
    const answers = await traffic(s, stream.map((x) => x.event));
    expect(new Set([...answers.values()].map((a) => a.version))).toEqual(new Set([FAST, BASE]));
    await registry.settle();
    // The simulator's first days hold few frauds; every 25th event is labelled adverse too,
    // so each arm has the two positives its AUC needs (this checks the dashboard against the
    // registry, not the models).
    const labels = stream.map((x, i) => (x.label === 1 || i % 25 === 0 ? 1 : 0));
    const outcomes = stream.map(({ event }, i) => ({ id: event.TRANSACTION_ID, label: labels[i] }));
    for (let i = 0; i < outcomes.length; i += 500) expect((await call(s, 'POST', '/v1/outcomes', { outcomes: outcomes.slice(i, i + 500) })).status).toBe(200);

    const snap0 = (await call(s, 'GET', '/dashboard/api/snapshot')).body as unknown as DashboardSnapshot;
    for (const d of snap0.risk.latest) expect(d.version).toBe(answers.get(Number(d.id))!.version);
    expect(await checkWaterfalls(s, answers)).toBeGreaterThan(0);

    // The insights are of the champion alone: its fields, its tree member's interactions.
    const snap = await watchUntil(s, (x) => x.insights.explainedRows > 0 && x.insights.interactionRows > 0);
    // The champion's explained fields (its raw inputs and the label its delayed features read), from a waterfall of its own.
    const byFast = snap0.risk.latest.find((d) => d.explainable && d.version === FAST)!;
    const fastFields = new Set(((await call(s, 'GET', `/dashboard/api/decision?id=${byFast.id}`)).body.fields as Array<{ name: string }>).map((f) => f.name));
    expect(snap.insights.attribution.length).toBeGreaterThan(0);
    for (const a of snap.insights.attribution) expect(fastFields.has(a.field), a.field).toBe(true);
    const fastFeatures = new Set(registry.scorer(FAST).featureNames);
    for (const p of snap.insights.interactions) expect(fastFeatures.has(p.a) && fastFeatures.has(p.b)).toBe(true);
    const reg = snap.insights.registry!;
    expect(reg.aliases).toEqual(registry.aliases());
    expect(reg.versions.map((v) => [v.ref, v.decided, v.declined, v.errors])).toEqual(registry.versions().map((v) => [v.ref, v.decided, v.declined, v.errors]));
    expect(reg.versions.reduce((t, v) => t + v.decided, 0)).toBe(stream.length);
    const verdict = registry.verdict('fast-vs-base', { bootstrap: 0 });
    expect(reg.experiment).toMatchObject({
      name: 'fast-vs-base', running: true, verdict: verdict.verdict, reason: verdict.reason,
      champion: { versions: verdict.champion.versions, labelled: verdict.champion.n, positives: verdict.champion.positives },
      challenger: { versions: verdict.challenger.versions, labelled: verdict.challenger.n, positives: verdict.challenger.positives },
    });
    expect(reg.experiment!.champion.labelled + reg.experiment!.challenger.labelled).toBe(stream.length);
    expect(reg.experiment!.champion.auc).toBeCloseTo(verdict.champion.auc!.auc, 12);
    expect(reg.experiment!.challenger.auc).toBeCloseTo(verdict.challenger.auc!.auc, 12);

    // The panel shows those numbers bound to their snapshot paths.
    const { insightsPanel } = await import('../src/dashboard/dashboard-panels');
    const html = insightsPanel(snap);
    expect(html).toContain(`data-k="insights.registry.experiment.verdict" data-v="&quot;${verdict.verdict}&quot;"`);
    expect(html).toContain(`data-k="insights.registry.versions.0.decided" data-v="${reg.versions[0].decided}"`);
  }, 120_000);

  it('when the champion alias moves, the insights start again for the new current version', async () => {
    registry.endExperiment({ actor: 'test' });
    registry.setAlias('champion', BASE, { actor: 'test' });
    const later = (await labelledFraudStream({ customers: 400, terminals: 800, seed: 12, startDate: '2026-11-10', days: 1 })).slice(0, 300);
    const answers = await traffic(s, later.map((x) => ({ ...x.event, TRANSACTION_ID: x.event.TRANSACTION_ID + 10_000_000 })));
    expect(new Set([...answers.values()].map((a) => a.version))).toEqual(new Set([BASE]));
    const baseFeatures = new Set(registry.scorer(BASE).featureNames);
    const snap = await watchUntil(s, (x) => x.insights.explainedRows > 0 && x.insights.interactionRows > 0 && x.insights.interactions.every((p) => baseFeatures.has(p.a) && baseFeatures.has(p.b)));
    expect(snap.insights.explainedRows).toBeLessThanOrEqual(300);
    registry.setAlias('champion', FAST, { actor: 'test' });
  }, 60_000);

  it('a decision scored by a version since unloaded answers 404 naming why, not a 500', async () => {
    const snap = (await call(s, 'GET', '/dashboard/api/snapshot')).body as unknown as DashboardSnapshot;
    const byBase = snap.risk.latest.find((d) => d.explainable && d.version === BASE);
    expect(byBase, 'a recent decline or review decided by the baseline').toBeDefined();
    await registry.unload(BASE, { actor: 'test' });
    const w = await call(s, 'GET', `/dashboard/api/decision?id=${byBase!.id}`);
    expect(w.status).toBe(404);
    expect(w.body.message).toMatch(/no longer loaded/);
  }, 30_000);
});

describe('dashboard over a worker-thread scorer', () => {
  it('explains declines in the worker with the score the service answered, and samples attributions', async () => {
    const worker = await createWorkerScorer({ bundleDir: join(EX, 'bundle-trees-mlp'), clock: null });
    cleanups.push(() => worker.close());
    const s = await serve(worker);
    const answers = await traffic(s, stream.map((x) => x.event));
    expect(await checkWaterfalls(s, answers)).toBeGreaterThan(0);
    const snap = await watchUntil(s, (x) => x.insights.explainedRows > 0);
    expect(snap.insights.attribution.length).toBeGreaterThan(0);
    expect(snap.insights.registry).toBeNull();
  }, 120_000);
});
