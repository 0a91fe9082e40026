// The pre-screening page in real headless Chromium (Debian's, through playwright-core),
// served from 127.0.0.1 by the example's own server:
// - the trees-only bundle: the page loads, typing into the form updates the decision, the
//   scores equal Node's for the same inputs, and no .wasm (nothing of onnxruntime-web) is
//   requested; fifty requests in one lane cost one answer;
// - the full trees + MLP + FT-Transformer bundle with and without cross-origin isolation
//   (threads only with it), scores equal to Node's onnxruntime-node to 1e-6;
// - a broken bundle URL shows the typed error in the page; a missing worker script and
//   missing wasm files reject with their typed errors;
// - offline: once loaded, the page works with its server gone (service worker);
// - fraud: the pre-check pattern with a card's own history, against a server that saw
//   every card: every feature the card's history determines equals the server's, and
//   the ones it cannot (the terminal's traffic of other cards) are named;
// - every request went to 127.0.0.1. Screenshots go to examples/browser-prescreen/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type Scorer, type ScoreResult } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { REPO_ROOT, missingDataReason, sharedDataPath } from '../../../testing/shared-data';
import { CHROMIUM, haveChromium, launchChromium } from '../../../testing/chromium';
import { HANDBOOK_MONTHS, handbookEvents } from '../../../testing/handbook-events';
// @ts-expect-error plain .mjs modules of the example
import { BUNDLES, buildPrescreen } from '../build.mjs';
// @ts-expect-error plain .mjs module of the example
import { servePrescreen } from '../serve.mjs';

const SHOTS = join(REPO_ROOT, 'examples', 'browser-prescreen', 'screenshots');
const aprilPath = sharedDataPath(HANDBOOK_MONTHS[0]);

type Server = { url: string; close(): Promise<void> };
let site: string;
let plain: Server;
let isolated: Server;
let ctx: BrowserContext;
let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
const requests: string[] = [];

async function openPage(server: Server, query: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${server.url}${query}`);
  await page.waitForFunction(() => window.prescreen?.state !== 'loading', null, { timeout: 90_000 });
  return page;
}

const pageState = (page: Page) => page.evaluate(() => {
  const s = window.prescreen;
  return { state: s.state, event: s.event, score: s.result?.score, decision: s.result?.decision, reasons: s.result?.reasons.map((r) => r.code), runtime: s.runtime, error: s.error, updates: s.updates, model: s.model };
});

const nodeScorers = new Map<string, Scorer>();
async function nodeScore(bundle: string, event: unknown, explain = false): Promise<ScoreResult> {
  let s = nodeScorers.get(bundle);
  if (!s) nodeScorers.set(bundle, (s = await createScorer(await loadBundleFromDir(BUNDLES[bundle]), { backend: createNodeBackend() })));
  return s.score(event, explain ? { explain: true } : undefined);
}

beforeAll(async () => {
  if (!haveChromium) return;
  site = mkdtempSync(join(tmpdir(), 'riskscore-prescreen-site-'));
  await buildPrescreen(site);
  plain = await servePrescreen({ dir: site });
  isolated = await servePrescreen({ dir: site, isolated: true });
  chrome = await launchChromium();
  ctx = chrome.context;
  ctx.on('request', (r) => requests.push(r.url()));
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  for (const s of nodeScorers.values()) await s.close();
  await chrome?.close();
  await plain?.close();
  await isolated?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)(`the pre-screening page in headless Chromium (skipped when ${CHROMIUM} is absent)`, () => {
  it('trees only: loads, updates the decision as the form changes, equals Node, and requests no wasm', async () => {
    const before = requests.length;
    const page = await openPage(plain, '?bundle=taiwan-credit-trees');
    const first = await pageState(page);
    expect(first.error).toBeUndefined();
    expect(first.state).toBe('ready');
    expect(first.model).toBe('taiwan-credit-trees@1.0.0');
    expect(first.runtime!.ort).toBeNull();
    expect(first.runtime!.members).toEqual([{ name: 'xgboost', kind: 'trees', runsIn: 'native' }]);
    const ref0 = await nodeScore('taiwan-credit-trees', first.event, true);
    expect(Math.abs(first.score! - ref0.score)).toBeLessThanOrEqual(1e-6);
    expect(first.decision).toBe(ref0.decision);
    expect(first.reasons).toEqual(ref0.reasons.map((r) => r.code));
    await page.screenshot({ path: join(SHOTS, 'prescreen-trees.png') });

    // Typing: a lower limit, then a worse September repayment; each change re-scores.
    await page.fill('#f-LIMIT_BAL', '20000');
    await page.waitForFunction(() => window.prescreen.event?.LIMIT_BAL === 20000);
    const typed = await pageState(page);
    expect(typed.updates).toBeGreaterThan(first.updates);
    await page.selectOption('#f-PAY_0', '4');
    await page.waitForFunction(() => window.prescreen.event?.PAY_0 === 4);
    const severe = await pageState(page);
    for (const s of [typed, severe]) {
      const ref = await nodeScore('taiwan-credit-trees', s.event, true);
      expect(Math.abs(s.score! - ref.score)).toBeLessThanOrEqual(1e-6);
      expect(s.decision).toBe(ref.decision);
      expect(s.reasons).toEqual(ref.reasons.map((r) => r.code));
    }
    // PAY_0 ≥ 4 meets the bundle's severe-delinquency rule: declined with R01, on screen too.
    expect(severe.decision).toBe('decline');
    expect(severe.reasons![0]).toBe('R01');
    expect(await page.textContent('#decision')).toBe('Likely declined');
    expect(await page.textContent('#score')).toContain(`${(100 * severe.score!).toFixed(1)} %`);
    expect(await page.textContent('#reasons')).toContain('Latest repayment is four or more months overdue');
    // A box emptied: the schema's typed error, on the field.
    await page.fill('#f-AGE', '');
    await page.waitForFunction(() => window.prescreen.error !== undefined);
    const blank = await pageState(page);
    expect(blank.error).toMatchObject({ code: 'invalid_event', path: ['event', 'AGE'] });
    expect(await page.getAttribute('#f-AGE', 'aria-invalid')).toBe('true');
    await page.fill('#f-AGE', '31');
    await page.waitForFunction(() => window.prescreen.error === undefined && window.prescreen.event?.AGE === 31);
    await page.screenshot({ path: join(SHOTS, 'prescreen-trees-typed.png') });

    // Typing fast: fifty requests in one lane, sent in one go, cost the worker one answer.
    const lane = await page.evaluate(async () => {
      const s = window.prescreen.scorer!;
      const base = window.prescreen.event!;
      const calls = Array.from({ length: 50 }, (_, i) => s.score({ ...base, AGE: 20 + i }, { lane: 'burst' }).then((r) => ({ i, score: r.score }), (e: { code: string; details: { reason: string } }) => ({ i, code: e.code, reason: e.details.reason })));
      return Promise.all(calls);
    });
    const answered = lane.filter((x) => 'score' in x);
    expect(answered.map((x) => x.i)).toEqual([49]);
    expect(lane.filter((x) => 'code' in x && x.code === 'cancelled' && x.reason === 'superseded')).toHaveLength(49);
    const last = await nodeScore('taiwan-credit-trees', { ...severe.event, AGE: 69 });
    expect(Math.abs((answered[0] as { score: number }).score - last.score)).toBeLessThanOrEqual(1e-6);

    const mine = requests.slice(before);
    expect(mine.filter((u) => /\.wasm(\?|$)/.test(u) || u.includes('/ort/'))).toEqual([]);
    await page.close();
  });

  for (const mode of ['plain', 'isolated'] as const) {
    it(`trees + MLP + FT-Transformer, ${mode === 'isolated' ? 'cross-origin isolated (threads)' : 'not isolated (one thread)'}: equals Node's onnxruntime to 1e-6`, async () => {
      const page = await openPage(mode === 'isolated' ? isolated : plain, '?bundle=taiwan-credit');
      const s = await pageState(page);
      expect(s.error).toBeUndefined();
      expect(s.runtime!.crossOriginIsolated).toBe(mode === 'isolated');
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(s.runtime!.ort).toEqual({ threads: mode === 'isolated' ? Math.min(4, cores) : 1 });
      expect(s.runtime!.fetched.some((f) => f.url.endsWith('/ort/ort-wasm-simd-threaded.wasm'))).toBe(true);
      const ref = await nodeScore('taiwan-credit', s.event);
      expect(Math.abs(s.score! - ref.score)).toBeLessThanOrEqual(1e-6);
      expect(s.decision).toBe(ref.decision);
      await page.selectOption('#f-PAY_2', '3');
      await page.waitForFunction(() => window.prescreen.event?.PAY_2 === 3);
      const t = await pageState(page);
      const ref2 = await nodeScore('taiwan-credit', t.event);
      expect(Math.abs(t.score! - ref2.score)).toBeLessThanOrEqual(1e-6);
      expect(t.decision).toBe(ref2.decision);
      if (mode === 'plain') await page.screenshot({ path: join(SHOTS, 'prescreen-full-bundle.png') });
      await page.close();
    });
  }

  it('a broken bundle URL, a missing worker script and missing wasm files: typed errors, shown in the page', async () => {
    const page = await openPage(plain, '?bundle=no-such-bundle');
    const s = await pageState(page);
    expect(s.state).toBe('error');
    expect(s.error!.code).toBe('bundle_integrity');
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error')).toContain('bundle_integrity');
    expect(s.error!.message).toContain('/bundles/no-such-bundle/manifest.json answered 404');
    await page.screenshot({ path: join(SHOTS, 'prescreen-broken-bundle.png') });
    const errors = await page.evaluate(async () => {
      const { createWorkerScorer } = window.prescreen.api;
      const codeOf = (p: Promise<unknown>) => p.then(() => 'loaded', (e: { code?: string; path?: unknown[]; message: string }) => ({ code: e.code, path: e.path, message: e.message }));
      return {
        worker: await codeOf(createWorkerScorer('./bundles/taiwan-credit-trees/', { worker: './no-such-worker.js' })),
        wasm: await codeOf(createWorkerScorer('./bundles/taiwan-credit/', { worker: './worker.js', ort: { module: './ort/ort.wasm.min.mjs', wasmPaths: './no-such-dir/' } })),
        ortModule: await codeOf(createWorkerScorer('./bundles/taiwan-credit/', { worker: './worker.js', ort: { module: './no-such-ort.mjs' } })),
      };
    });
    expect(errors.worker).toMatchObject({ code: 'worker_unavailable', path: ['options', 'worker'] });
    expect((errors.worker as { message: string }).message).toContain('no-such-worker.js');
    // The scorer names the first neural member it could not load; the message names what was missing.
    expect(errors.wasm).toMatchObject({ code: 'backend_error', path: ['members', 1] });
    expect((errors.wasm as { message: string }).message).toContain('no-such-dir');
    expect(errors.ortModule).toMatchObject({ code: 'backend_error', path: ['members', 1] });
    expect((errors.ortModule as { message: string }).message).toContain('no-such-ort.mjs');
    await page.close();
  });

  it('works offline once loaded: with its server gone, a reload still scores', async () => {
    const own: Server = await servePrescreen({ dir: site });
    const page = await openPage(own, '?bundle=taiwan-credit-trees');
    await page.waitForFunction(() => window.prescreen.offlineReady === true, null, { timeout: 30_000 });
    const online = await pageState(page);
    await own.close();
    await page.reload();
    await page.waitForFunction(() => window.prescreen?.state !== 'loading', null, { timeout: 30_000 });
    const offline = await pageState(page);
    expect(offline.error).toBeUndefined();
    expect(offline.state).toBe('ready');
    expect(offline.score).toBe(online.score);
    await page.close();
  });

  it.skipIf(aprilPath === null)(`fraud pre-check with the card's own history: the features it determines equal the server's, the terminal's are named (${aprilPath === null ? missingDataReason(HANDBOOK_MONTHS[0]) : 'April 2018'})`, async () => {
    // The server: one scorer over every card's events (20k, about four days).
    const all = handbookEvents(20_000);
    // The busiest card; its last payment is the one pre-checked, everything before it is history.
    const counts = new Map<number, number>();
    for (const e of all) counts.set(e.CUSTOMER_ID, (counts.get(e.CUSTOMER_ID) ?? 0) + 1);
    const card = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const at = all.map((e) => e.CUSTOMER_ID).lastIndexOf(card);
    const events = all.slice(0, at);
    const payment = all[at];
    const history = events.filter((e) => e.CUSTOMER_ID === card);
    const bundle = await loadBundleFromDir(BUNDLES['fdh-fraud']);
    const server = await createScorer(bundle, { backend: createNodeBackend(), clock: null });
    for (const o of await server.scoreBatch(events)) expect(o.ok).toBe(true);
    const expected = await server.score(payment, { commit: false, features: true });
    await server.close();
    expect(history.length).toBeGreaterThan(3);

    const page = await openPage(plain, '?bundle=taiwan-credit-trees');
    const got = await page.evaluate(async ({ history, payment }) => {
      const pre = await window.prescreen.api.startPaymentPrecheck('./bundles/fdh-fraud/', history, { worker: './worker.js', ort: { module: './ort/ort.wasm.min.mjs', wasmPaths: './ort/' } });
      const r = await pre.check(payment);
      await pre.close();
      return { refused: pre.refused, features: Array.from(r.features!), score: r.score, names: pre.scorer.featureNames };
    }, { history, payment });
    expect(got.refused).toEqual([]);
    // Which features the card's own history determines: no terminal window under them.
    const spec = bundle.manifest.features.spec as { features: Array<Record<string, unknown>> };
    const byName = new Map(spec.features.map((f) => [f.name as string, f]));
    const needsTerminal = (name: string): boolean => {
      const f = byName.get(name)!;
      if (f.entity === 'terminal') return true;
      return ['input', 'numerator', 'denominator', 'a', 'b'].some((k) => typeof f[k] === 'string' && needsTerminal(f[k] as string));
    };
    const unknowable: string[] = [];
    got.names.forEach((name, k) => {
      if (needsTerminal(name)) unknowable.push(name);
      else expect({ name, value: got.features[k] }).toEqual({ name, value: expected.features![k] });
    });
    // What the browser cannot know: the terminal's traffic from other cards (some of it differs here).
    expect(unknowable.length).toBeGreaterThan(20);
    expect(unknowable.every((n) => n.startsWith('term_') || n.includes('_term_'))).toBe(true);
    expect(unknowable.some((n) => got.features[got.names.indexOf(n)] !== expected.features![got.names.indexOf(n)])).toBe(true);
    await page.close();
  });

  it('every request the browser made went to 127.0.0.1', () => {
    expect(requests.length).toBeGreaterThan(20);
    const off = requests.filter((u) => !u.startsWith('http://127.0.0.1:') && !u.startsWith('data:'));
    expect(off).toEqual([]);
  });
});
