// The live dashboard in real headless Chromium: a scoring service (fraud bundle, xgboost +
// MLP, monitor on) on 127.0.0.1 under simulated traffic with late labels; the page at
// /dashboard?key=… must update at least once a second over server-sent events, show in
// every panel exactly the values of the service's own JSON (the snapshot endpoint, and
// /metrics for the counters), match an independent count of the business results, open
// a decline's waterfall that explains the score the event had, make no request off
// 127.0.0.1, and pass axe-core with no serious or critical violation. Screenshots of the
// four panels at 1400×900 go to packages/node/screenshots/ (gitignored).
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, createScorer, type Monitor, type Scorer } from '@riskscore/core';
import { launchChromium, haveChromium } from '../../../testing/chromium';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { hashApiKey } from '../src/service/api-keys';
import { createScoringHandler, type ScoringHandler } from '../src/service/http-handler';
import { labelledFraudStream, type FraudEvent } from './fraud-stream';

// The page functions below run in Chromium; this package compiles without the DOM library.
declare const document: { body: { dataset: Record<string, string | undefined> }; querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; closest(s: string): { id: string } | null }> };
declare const window: unknown;

const BUNDLE_DIR = join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp');
const SHOTS = join(REPO_ROOT, 'packages', 'node', 'screenshots');
const clock = (): number => Date.parse('2026-12-01T00:00:00Z');
const KEY = 'rk_test_dashboard_0123456789abcdef';
const FALSE_DECLINE = 15, REVIEW = 3;
const baseline = (e: Readonly<Record<string, unknown>>) => (Number(e.TX_AMOUNT) > 150 ? 'decline' as const : 'approve' as const);

let server: Server;
let handler: ScoringHandler;
let scorer: Scorer;
let monitor: Monitor;
let origin: string;
let stream: Array<{ event: FraudEvent; label: 0 | 1 }>;
/** What the service answered per event id, for the independent business count. */
const answered = new Map<number, { decision: string; score: number; amount: number; label: 0 | 1; baseline: string }>();

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() as Record<string, unknown> };
}
async function get(path: string): Promise<string> {
  const r = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  expect(r.status).toBe(200);
  return r.text();
}

/** Scores events [from, to) with 8 requests at a time, then posts their labels by id. */
async function traffic(from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const { event, label } = stream[next++];
      const r = await post('/v1/score', event);
      expect(r.status).toBe(200);
      answered.set(event.TRANSACTION_ID, { decision: r.json.decision as string, score: r.json.score as number, amount: event.TX_AMOUNT, label, baseline: baseline(event) });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const outcomes = stream.slice(from, to).map(({ event, label }) => ({ id: event.TRANSACTION_ID, label }));
  for (let i = 0; i < outcomes.length; i += 500) expect((await post('/v1/outcomes', { outcomes: outcomes.slice(i, i + 500) })).status).toBe(200);
}

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), obj);
}

/** Prometheus text → value of one sample. */
function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${want}}`) || (want === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  if (!haveChromium) return;
  const bundle = await loadBundleFromDir(BUNDLE_DIR);
  monitor = createMonitor(bundle, { window: { events: 400 }, minWindowEvents: 100, clock });
  scorer = await createScorer(bundle, { backend: createNodeBackend(), clock, observer: monitor });
  stream = (await labelledFraudStream({ customers: 400, terminals: 800, seed: 9, startDate: '2026-11-01', days: 4 })).slice(0, 2400);
  handler = createScoringHandler({
    scorer, monitor, auth: { apiKeys: [{ id: 'ops', sha256: hashApiKey(KEY) }] },
    dashboard: {
      amountField: 'TX_AMOUNT', baseline, baselineName: 'decline above 150', costs: { falseDecline: FALSE_DECLINE, review: REVIEW },
      insights: { sampleEvery: 5, refreshMs: 300, interactionMs: 300 },
    },
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await handler.service.ready;
  await traffic(0, 1600);
  // A few refusals, so errors by code has rows: an invalid event and a bad key.
  expect((await post('/v1/score', { ...stream[0].event, TX_AMOUNT: -5 })).status).toBe(422);
  expect((await fetch(`${origin}/v1/models`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
});

afterAll(async () => {
  if (!haveChromium) return;
  await handler.service.close();
  await new Promise((resolve) => server.close(resolve));
  await scorer.close();
});

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  it('updates live, shows the service\'s own values, explains a decline, stays on 127.0.0.1 and passes axe-core', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1400, height: 900 });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${origin}/dashboard?key=${KEY}`);
      await page.waitForFunction(() => Number(document.body.dataset.updates) >= 1, undefined, { timeout: 20_000 });

      // Live: more traffic while the page is open; the pushes come at least once a second.
      const before = Number(await page.evaluate(() => document.body.dataset.updates));
      const t0 = Date.now();
      await traffic(1600, 2400);
      await page.waitForTimeout(Math.max(0, 3000 - (Date.now() - t0)));
      const seconds = (Date.now() - t0) / 1000;
      const pushes = Number(await page.evaluate(() => document.body.dataset.updates)) - before;
      expect(pushes / seconds).toBeGreaterThanOrEqual(0.9);

      // Traffic stopped: wait for two pushes (insights refreshed), then compare.
      const settled = Number(await page.evaluate(() => document.body.dataset.updates));
      await page.waitForFunction((n) => Number(document.body.dataset.updates) >= n + 2, settled, { timeout: 10_000 });
      const shown = await page.evaluate(() => ({
        snapshot: (window as unknown as { __riskscoreSnapshot: unknown }).__riskscoreSnapshot,
        values: Array.from(document.querySelectorAll('[data-k]')).map((el) => ({ k: el.getAttribute('data-k')!, v: el.getAttribute('data-v')!, panel: el.closest('section')!.id })),
      }));
      const api = JSON.parse(await get('/dashboard/api/snapshot')) as Record<string, any>;
      const metricsText = await get('/metrics');

      // Every value on the page is its snapshot's; each panel shows some.
      const panels = new Set(shown.values.map((x) => x.panel));
      expect([...panels].sort()).toEqual(['panel-business', 'panel-health', 'panel-insights', 'panel-risk']);
      for (const x of shown.values) expect(JSON.parse(x.v), x.k).toEqual(at(shown.snapshot, x.k) ?? null);
      // …and equal to what the service's JSON says now, except what moves on its own (rates, memory, lag, the requests the test just made).
      const moving = /^health\.(requestsPerSecond|requestsTotal|memory|eventLoopLagMs|inFlight)/;
      for (const x of shown.values) if (!moving.test(x.k)) expect(JSON.parse(x.v), x.k).toEqual(at(api, x.k) ?? null);

      // Against the service's other endpoints and an independent count.
      const snap = api;
      for (const d of ['approve', 'review', 'decline']) expect(snap.risk.totals[d]).toBe(metric(metricsText, 'riskscore_decisions_total', { decision: d }));
      expect(snap.risk.totals.approve + snap.risk.totals.review + snap.risk.totals.decline).toBe(2400);
      expect(snap.health.errors.invalid_event).toBe(metric(metricsText, 'riskscore_errors_total', { code: 'invalid_event' }));
      expect(snap.health.errors.unauthorized).toBeGreaterThanOrEqual(1);
      expect(snap.health.batch.batches).toBe(metric(metricsText, 'riskscore_batch_rows_count', {}));
      expect(snap.health.entityStore.map((e: { entity: string }) => e.entity)).toEqual(['customer', 'terminal', 'customer_terminal']);
      expect(snap.health.entityStore[0].held).toBe(scorer.state!.size(0));
      const all = [...answered.values()];
      const frauds = all.filter((a) => a.label === 1);
      const caught = frauds.filter((a) => a.decision !== 'approve');
      const negatives = all.filter((a) => a.label === 0);
      expect(frauds.length).toBeGreaterThan(5);
      expect(snap.business.labelled).toBe(2400);
      expect(snap.business.fraudCaught.count).toBe(caught.length);
      expect(snap.business.fraudCaught.amount).toBeCloseTo(caught.reduce((s, a) => s + a.amount, 0), 6);
      expect(snap.business.falsePositiveRate).toBeCloseTo(negatives.filter((a) => a.decision !== 'approve').length / negatives.length, 12);
      expect(snap.business.approvalRate).toBeCloseTo(all.filter((a) => a.decision === 'approve').length / 2400, 12);
      const cost = (d: string, y: 0 | 1, amount: number) => (d === 'review' ? REVIEW : y === 1 ? (d === 'approve' ? amount : 0) : d === 'decline' ? FALSE_DECLINE : 0);
      const modelCost = all.reduce((s, a) => s + cost(a.decision, a.label, a.amount), 0);
      const baseCost = all.reduce((s, a) => s + cost(a.baseline, a.label, a.amount), 0);
      expect(snap.business.cost.model).toBeCloseTo(modelCost, 6);
      expect(snap.business.cost.saved).toBeCloseTo(baseCost - modelCost, 6);
      expect(snap.business.reviewQueue.pending).toBe(0); // every review got its label
      // Insights: the monitor's windows, its quality with a CI, attributions and interactions from the sample.
      expect(snap.insights.drift.windows.length).toBeGreaterThanOrEqual(1);
      expect(snap.insights.quality[0]).toMatchObject({ model: scorer.model, labelled: 2400 });
      expect(snap.insights.quality[0].lower).toBeLessThanOrEqual(snap.insights.quality[0].rocAuc);
      expect(snap.insights.attribution.length).toBeGreaterThan(3);
      expect(snap.insights.interactions.length).toBeGreaterThan(0);

      // A click on a decline or review opens its waterfall, which explains the score the event had.
      const button = page.locator('button.explain').first();
      const id = Number(await button.getAttribute('data-id'));
      await button.click();
      await page.waitForSelector('#waterfall svg', { timeout: 20_000 });
      const detail = JSON.parse(await get(`/dashboard/api/decision?id=${id}`)) as { score: number; decision: string; fields: Array<{ attribution: number }>; base: number; complete: boolean };
      expect(detail.score).toBeCloseTo(answered.get(id)!.score, 9);
      expect(detail.decision).toBe(answered.get(id)!.decision);
      expect(await page.locator('#waterfall h3').textContent()).toContain(String(id));

      // No request off 127.0.0.1.
      expect(requests.length).toBeGreaterThan(1);
      for (const u of requests) expect(u.startsWith(`${origin}/`), u).toBe(true);

      // axe-core: no serious or critical violation.
      await page.addScriptTag({ content: readFileSync(join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
      const violations = await page.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run();
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

      mkdirSync(SHOTS, { recursive: true });
      for (const p of ['risk', 'insights', 'health', 'business']) await page.locator(`#panel-${p}`).screenshot({ path: join(SHOTS, `dashboard-${p}.png`) });
      await page.screenshot({ path: join(SHOTS, 'dashboard-1400x900.png') });
    } finally {
      await browser.close();
    }
  });

  it('refuses a page without a valid key, and ends its streams when the service closes', async () => {
    expect((await fetch(`${origin}/dashboard`)).status).toBe(401);
    expect((await fetch(`${origin}/dashboard/api/snapshot?key=wrong`)).status).toBe(401);
    const r = await fetch(`${origin}/dashboard/events?key=${KEY}`);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = r.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^retry: \d+/);
    expect(handler.service.dashboard!.clients).toBeGreaterThanOrEqual(1);
    await reader.cancel();
    expect((await fetch(`${origin}/dashboard/api/decision?id=nope&key=${KEY}`)).status).toBe(404);
  });
});
